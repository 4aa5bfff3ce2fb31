package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.cloud.CloudApi;
import dev.talosburst.provisioner.cloud.CloudApiException;
import dev.talosburst.provisioner.cloud.CreatedServer;
import dev.talosburst.provisioner.cloud.ServerSpec;
import dev.talosburst.provisioner.cloud.ServerType;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent.HourlyPrice;
import dev.talosburst.provisioner.lifecycle.Transition;
import dev.talosburst.provisioner.nodegroup.InstanceView.ErrorClass;
import dev.talosburst.provisioner.nodegroup.InstanceView.ErrorInfo;
import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.userdata.UserDataSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Creates the servers of pending slots, one Hetzner call per slot, under the client's request budget.
 * A retryable failure is retried later with the same name (the client adopts a server a lost response
 * already created), so a slot can never become two servers.
 */
final class ScaleUp {
    private static final Logger LOG = Logger.getLogger(ScaleUp.class);

    private final FleetView view;
    private final CloudApi cloud;
    private final Catalogue catalogue;
    private final UserDataSource userData;
    private final LifecycleRecorder recorder;
    private final OutOfResourcesMemory outOfResources;
    private final Ownership ownership;
    private final EngineSettings settings;
    private final ProvisioningMetrics metrics;
    private final Clock clock;
    private final ScaleDown scaleDown;
    private final Consumer<Slot> serverKnown;

    ScaleUp(
            FleetView view,
            CloudApi cloud,
            Catalogue catalogue,
            UserDataSource userData,
            LifecycleRecorder recorder,
            OutOfResourcesMemory outOfResources,
            Ownership ownership,
            EngineSettings settings,
            ProvisioningMetrics metrics,
            Clock clock,
            ScaleDown scaleDown,
            Consumer<Slot> serverKnown) {
        this.view = view;
        this.cloud = cloud;
        this.catalogue = catalogue;
        this.userData = userData;
        this.recorder = recorder;
        this.outOfResources = outOfResources;
        this.ownership = ownership;
        this.settings = settings;
        this.metrics = metrics;
        this.clock = clock;
        this.scaleDown = scaleDown;
        this.serverKnown = serverKnown;
    }

    /** Tries to create the slot's server; returns when Hetzner answered (or the slot was cancelled). */
    void create(Slot slot) {
        NodePool pool;
        synchronized (view) {
            if (view.byName(slot.name()).orElse(null) != slot
                    || slot.createInFlight()
                    || (slot.phase() != Slot.Phase.PENDING && slot.phase() != Slot.Phase.CREATING)) {
                return; // cancelled, failed or already created meanwhile
            }
            pool = view.pool(slot.pool()).orElse(null);
            if (pool == null) {
                return;
            }
            if (slot.isCancelRequested()) {
                // CA deleted it while it waited for a retry: never send it (a server a lost answer created is reaped by
                // name)
                view.abandon(slot);
                return;
            }
            if (!slot.launchRequested()) {
                return; // withdrawn by a DecreaseTargetSize meanwhile: it removes the slot, or queues it again
            }
        }
        try {
            attempt(slot, pool);
        } catch (RuntimeException e) {
            // never let a worker die; treat the unknown as transient and retry with the same name
            LOG.errorf(
                    e,
                    "creating %s of pool %s failed unexpectedly (a bug in talos-burst; please report it)",
                    slot.name(),
                    pool.id());
            retryLater(
                    slot,
                    pool,
                    "internal_error",
                    "unexpected error: " + e.getClass().getSimpleName());
        }
    }

    private void attempt(Slot slot, NodePool pool) {
        Optional<ErrorInfo> stockOut = outOfResources.current(pool.serverType(), pool.location());
        if (stockOut.isPresent()) {
            fail(slot, pool, stockOut.get());
            return;
        }
        ServerType type;
        long imageId;
        ServerSpec spec;
        try {
            catalogue.refreshServerTypesIfStale();
            type = catalogue.serverType(pool.serverType()).orElse(null);
            if (type == null) {
                fail(
                        slot,
                        pool,
                        new ErrorInfo(
                                "invalid_server_type",
                                "Hetzner has no server type '" + pool.serverType() + "'; fix talosburst.pools."
                                        + pool.id() + ".server-type",
                                ErrorClass.OTHER));
                return;
            }
            Optional<ServerType.Availability> availability = type.locations().stream()
                    .filter(a -> a.location().equals(pool.location()))
                    .findFirst();
            if (availability.isEmpty() || !availability.get().available()) {
                ErrorInfo error = new ErrorInfo(
                        "resource_unavailable",
                        "server type " + pool.serverType() + " is "
                                + (availability.isEmpty() ? "not offered" : "currently not available") + " in "
                                + pool.location(),
                        ErrorClass.OUT_OF_RESOURCES);
                outOfResources.remember(pool.serverType(), pool.location(), error);
                metrics.outOfResources(pool.id());
                fail(slot, pool, error);
                return;
            }
            imageId = catalogue.imageFor(pool.image().imageId(), pool.image().labelSelector(), type.architecture());
            List<Long> firewalls = catalogue.firewallIds(pool.firewalls());
            List<Long> networks = catalogue.networkIds(pool.networks());
            Long placementGroup = catalogue.placementGroupId(pool.placementGroup());
            Map<String, String> labels = ownership.labelsFor(pool.id(), pool.serverLabels());
            String rendered = userData.render(
                    pool, slot.name(), NodeTemplates.registrationLabels(pool, settings.clusterId()), pool.taints());
            spec = new ServerSpec(
                    slot.name(),
                    pool.serverType(),
                    pool.location(),
                    Long.toString(imageId),
                    rendered,
                    labels,
                    firewalls,
                    networks,
                    placementGroup,
                    pool.publicIpv4(),
                    pool.publicIpv6(),
                    true);
            HourlyPrice price = type.priceIn(pool.location())
                    .map(p -> new HourlyPrice(p.hourlyNet(), p.hourlyGross(), "EUR", p.monthlyNet(), p.monthlyGross()))
                    .orElse(null);
            Instant now = clock.instant();
            LifecycleRecorder.Batch batch = recorder.batch(); // published after the lock: the sink may fsync
            try {
                synchronized (view) {
                    if (view.byName(slot.name()).orElse(null) != slot
                            || (slot.phase() != Slot.Phase.PENDING && slot.phase() != Slot.Phase.CREATING)) {
                        slot.launchAbandoned();
                        return; // cancelled, or a resync found the server of an earlier attempt, while we prepared
                    }
                    if (slot.isCancelRequested()) {
                        slot.launchAbandoned();
                        view.abandon(slot); // never sent; a server an earlier lost answer created is reaped by name
                        return;
                    }
                    if (slot.launching(
                            pool.serverType(),
                            pool.location(),
                            type.kubernetesArchitecture(),
                            imageId,
                            labels,
                            price,
                            now)) {
                        batch.server(Transition.SERVER_CREATE_REQUESTED, slot, now);
                    }
                }
            } finally {
                batch.publish();
            }
        } catch (UserDataSource.UserDataException e) {
            fail(slot, pool, new ErrorInfo("user_data_invalid", e.getMessage(), ErrorClass.OTHER));
            return;
        } catch (CloudApiException e) {
            onCloudFailure(slot, pool, e);
            return;
        }

        CreatedServer created;
        try {
            created = cloud.createServer(spec);
        } catch (CloudApiException e) {
            onCloudFailure(slot, pool, e);
            return;
        }
        serverCreated(slot, created);
    }

    private void serverCreated(Slot slot, CreatedServer created) {
        Instant now = clock.instant();
        boolean deleteNow;
        LifecycleRecorder.Batch batch = recorder.batch(); // published after the lock: the sink may fsync
        try {
            synchronized (view) {
                boolean first =
                        slot.launched(created.server().id(), created.server().created(), now);
                metrics.phaseReached(slot.pool(), "server_created", slot.createRequestedAt(), now);
                if (slot.observed(created.server().status(), now)) {
                    metrics.phaseReached(slot.pool(), "server_running", slot.createRequestedAt(), now);
                }
                if (first) {
                    batch.outcome(
                            Transition.SERVER_CREATED,
                            slot,
                            now,
                            null,
                            Map.of("adopted", Boolean.toString(created.adopted())));
                }
                Slot current = view.byName(slot.name()).orElse(null);
                if (current != null && current != slot && slot.serverId().equals(current.serverId())) {
                    // the view was rebuilt meanwhile (leadership changed hands) and already tracks this server: keep
                    // that one
                    return;
                }
                // not in the view but never cancelled: the view was rebuilt before Hetzner answered; CA asked for it,
                // keep it
                boolean rebuiltMeanwhile =
                        current == null && !slot.isCancelRequested() && !view.isAbandoned(slot.name());
                boolean stillWanted = current == slot || rebuiltMeanwhile;
                deleteNow = (slot.isCancelRequested() || !stillWanted) && !slot.deletionUnderWay();
                if (current != slot) {
                    view.add(slot); // tracked again: kept, or visible until its delete completes
                }
            }
        } finally {
            batch.publish();
        }
        LOG.infof(
                "server %s (id %d) created for pool %s%s",
                slot.name(), slot.serverId(), slot.pool(), created.adopted() ? " (adopted)" : "");
        if (deleteNow) {
            scaleDown.delete(slot, "scale-down requested while the server was being created", null);
        } else {
            serverKnown.accept(slot);
        }
    }

    private void onCloudFailure(Slot slot, NodePool pool, CloudApiException e) {
        switch (e.kind()) {
            case OUT_OF_RESOURCES -> {
                ErrorInfo error = new ErrorInfo(e.code(), e.getMessage(), ErrorClass.OUT_OF_RESOURCES);
                outOfResources.remember(pool.serverType(), pool.location(), error);
                metrics.outOfResources(pool.id());
                fail(slot, pool, error);
            }
            case RETRYABLE -> retryLater(slot, pool, e.code(), e.getMessage());
            default -> fail(slot, pool, new ErrorInfo(e.code(), e.getMessage(), ErrorClass.OTHER));
        }
    }

    private void retryLater(Slot slot, NodePool pool, String code, String message) {
        Instant now = clock.instant();
        boolean giveUp;
        synchronized (view) {
            if (slot.isCancelRequested()) {
                // CA no longer wants it; a server the lost answer may have created is reaped by name
                slot.launchAbandoned();
                view.abandon(slot);
                return;
            }
            if (slot.phase() != Slot.Phase.PENDING && slot.phase() != Slot.Phase.CREATING) {
                slot.launchAbandoned(); // a resync found the server meanwhile: it is tracked as such
                return;
            }
            Instant started = slot.createRequestedAt() != null ? slot.createRequestedAt() : now;
            giveUp = Duration.between(started, now).compareTo(pool.maxProvisionTime()) >= 0;
            if (!giveUp) {
                slot.createAttemptFailed(now.plus(settings.createRetryBackoff()));
            }
        }
        if (giveUp) {
            fail(
                    slot,
                    pool,
                    new ErrorInfo(code, "gave up after " + pool.maxProvisionTime() + ": " + message, ErrorClass.OTHER));
        } else {
            LOG.warnf(
                    "creating server %s failed transiently (%s: %s); retrying with the same name",
                    slot.name(), code, message);
        }
    }

    private void fail(Slot slot, NodePool pool, ErrorInfo error) {
        Instant now = clock.instant();
        LifecycleRecorder.Batch batch = recorder.batch(); // published after the lock: the sink may fsync
        try {
            synchronized (view) {
                if (view.byName(slot.name()).orElse(null) != slot) {
                    slot.launchAbandoned();
                    return; // cancelled meanwhile: nothing to report
                }
                if (slot.isCancelRequested()) {
                    slot.launchAbandoned();
                    view.abandon(slot); // CA deleted it while the create was in flight: nothing left to report
                    return;
                }
                if (slot.phase() == Slot.Phase.DELETING || slot.phase() == Slot.Phase.FAILED) {
                    slot.launchAbandoned(); // a resync found its server and it is being deleted: nothing to report
                    return;
                }
                slot.failed(error, now);
                batch.outcome(
                        Transition.SERVER_CREATE_FAILED,
                        slot,
                        now,
                        error.message(),
                        Map.of(
                                "errorCode",
                                error.code(),
                                "errorClass",
                                Integer.toString(error.errorClass().code())));
            }
        } finally {
            batch.publish();
        }
        metrics.createFailed(pool.id(), error.errorClass().name());
        LOG.warnf(
                "creating server %s of pool %s failed: %s (%s, class %s)",
                slot.name(), pool.id(), error.message(), error.code(), error.errorClass());
    }
}
