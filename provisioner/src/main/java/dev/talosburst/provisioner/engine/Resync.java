package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.cloud.CloudApi;
import dev.talosburst.provisioner.cloud.Server;
import dev.talosburst.provisioner.cloud.ServerQuery;
import dev.talosburst.provisioner.cloud.ServerStatus;
import dev.talosburst.provisioner.cloud.ServerType;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent.HourlyPrice;
import dev.talosburst.provisioner.lifecycle.Transition;
import dev.talosburst.provisioner.pool.NodePool;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Corrects the view from one label-selected server list (Hetzner is the source of truth): adopts servers
 * the view lacks (recovery after a restart, lost create responses), notices servers that vanished, and
 * hands servers nobody asked for to the reaper. Costs ceil(servers/50) requests.
 */
final class Resync {
    private static final Logger LOG = Logger.getLogger(Resync.class);

    private final FleetView view;
    private final CloudApi cloud;
    private final Catalogue catalogue;
    private final Ownership ownership;
    private final LifecycleRecorder recorder;
    private final ProvisioningMetrics metrics;
    private final Clock clock;

    /** Listed servers reconciled per hold of the view lock. */
    private static final int STEP = 256;

    /** What a resync found that nobody asked for. */
    record Strays(List<Server> unknownPool, List<Server> abandoned, List<Slot> vanished) {}

    Resync(
            FleetView view,
            CloudApi cloud,
            Catalogue catalogue,
            Ownership ownership,
            LifecycleRecorder recorder,
            ProvisioningMetrics metrics,
            Clock clock) {
        this.view = view;
        this.cloud = cloud;
        this.catalogue = catalogue;
        this.ownership = ownership;
        this.recorder = recorder;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Lists and reconciles.
     *
     * @param serverKnown called for every slot whose server id became known (to patch its Node's providerID)
     */
    Strays run(Consumer<Slot> serverKnown) {
        Instant listStartedAt = clock.instant();
        List<Server> servers = cloud.servers(ServerQuery.byLabels(ownership.clusterSelector()));
        Instant now = clock.instant();
        List<Server> unknownPool = new ArrayList<>();
        List<Server> abandoned = new ArrayList<>();
        List<Slot> vanished = new ArrayList<>();
        List<Slot> known = new ArrayList<>();
        // events are published after the lock is released: a journal fsync per event must not stall CA's RPCs
        List<dev.talosburst.provisioner.lifecycle.LifecycleEvent> events = new ArrayList<>();
        // The list is reconciled in short locked steps, never in one O(fleet) critical section: CA's mutating RPCs wait
        // at
        // most one step. Servers whose slot already agrees with the list (the steady state) are skipped without the
        // lock.
        Set<Long> seen = new HashSet<>();
        List<Server> changed = new ArrayList<>();
        for (Server server : servers) {
            if (!ownership.owns(server.labels())) {
                continue; // defensive: the selector should already exclude it
            }
            seen.add(server.id());
            Slot slot = view.byServerId(server.id()).orElse(null);
            if (slot == null || !slot.agreesWith(server.status())) {
                changed.add(server);
            }
        }
        for (int from = 0; from < changed.size(); from += STEP) {
            List<Slot> adopted = new ArrayList<>();
            synchronized (view) {
                for (Server server : changed.subList(from, Math.min(changed.size(), from + STEP))) {
                    reconcile(server, now, unknownPool, abandoned, known, events, adopted);
                }
            }
            // after the lock: the console is I/O, and IncreaseSize (on the event loop) may be waiting for the lock
            for (Slot slot : adopted) {
                LOG.infof(
                        "adopted server %s (id %d, %s) into pool %s",
                        slot.name(), slot.serverId(), slot.status().apiName(), slot.pool());
            }
        }
        // slots with a server id are exactly those of the lock-free id index; candidates are confirmed under the lock
        List<Slot> missing = view.slotsWithServers().stream()
                .filter(slot -> !seen.contains(slot.serverId()))
                .toList();
        synchronized (view) {
            for (Slot slot : missing) {
                Instant knownAt = slot.serverKnownAt();
                boolean learnedDuringList = knownAt != null && !knownAt.isBefore(listStartedAt);
                if (slot.owner() == view
                        && slot.serverId() != null
                        && !seen.contains(slot.serverId())
                        && !learnedDuringList
                        && !slot.deleteInFlight()) {
                    vanished.add(slot);
                }
            }
            view.unknownPoolServers(unknownPool);
            view.pruneTombstones(listStartedAt.minus(java.time.Duration.ofHours(1)));
            view.synced(now);
        }
        recorder.publish(events);
        known.forEach(serverKnown);
        return new Strays(unknownPool, abandoned, vanished);
    }

    /** Brings the view in line with one listed server (under the view lock). */
    private void reconcile(
            Server server,
            Instant now,
            List<Server> unknownPool,
            List<Server> abandoned,
            List<Slot> known,
            List<dev.talosburst.provisioner.lifecycle.LifecycleEvent> events,
            List<Slot> adoptedSlots) {
        String poolId = server.labels().get(Ownership.POOL);
        Slot slot = view.byServerId(server.id())
                .or(() -> view.byName(server.name()))
                .orElse(null);
        if (slot == null && view.isTombstoned(server.id())) {
            return; // we deleted it (perhaps while this list was on its way): never bring it back
        }
        if (slot == null) {
            NodePool pool = view.pool(poolId).orElse(null);
            if (pool == null) {
                unknownPool.add(server);
            } else if (view.isAbandoned(server.name())) {
                abandoned.add(server);
            } else if (server.status() != ServerStatus.DELETING) {
                Slot adopted = adopt(pool, server, now);
                known.add(adopted);
                adoptedSlots.add(adopted);
                // A fact learned now, so a transition of its own (one per adoption), never a second version of the
                // server's server-created: that was published by the process that created it, or is published by
                // the event reconciler (which compares what exists with what was published) if it never was.
                events.add(recorder.later(Transition.SERVER_ADOPTED, adopted, now, now.toString(), Map.of()));
            }
            return;
        }
        if (slot.serverId() == null) {
            // our create request is still in flight, or its response was lost: Hetzner already has the server
            if (slot.discovered(server.id(), server.created(), now)) {
                // also for a creation reported failed: the server exists and costs money until deleted
                events.add(recorder.later(Transition.SERVER_CREATED, slot, now, Map.of()));
            }
            known.add(slot);
        }
        if (slot.observed(server.status(), now)) {
            metrics.phaseReached(slot.pool(), "server_running", slot.createRequestedAt(), now);
        }
    }

    private Slot adopt(NodePool pool, Server server, Instant now) {
        ServerType type = catalogue.serverType(server.serverType()).orElse(null);
        String architecture = type == null ? null : type.kubernetesArchitecture();
        HourlyPrice price = type == null
                ? null
                : type.priceIn(server.location())
                        .map(p -> new HourlyPrice(
                                p.hourlyNet(), p.hourlyGross(), "EUR", p.monthlyNet(), p.monthlyGross()))
                        .orElse(null);
        Slot slot = Slot.adopted(pool.id(), server, architecture, price, now);
        view.add(slot);
        return slot;
    }
}
