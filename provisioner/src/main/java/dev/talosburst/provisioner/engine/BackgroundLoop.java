package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.cloud.CloudApi;
import dev.talosburst.provisioner.cloud.CloudApiException;
import dev.talosburst.provisioner.cloud.Server;
import dev.talosburst.provisioner.cloud.ServerStatus;
import dev.talosburst.provisioner.directory.NodeDirectory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * The engine's background work: the periodic tick (start-up check, resync when due, promotion, vanished servers, reaping,
 * the in-flight poll, create and delete retries); starts and stops the {@link CreateWorkers}.
 */
final class BackgroundLoop implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BackgroundLoop.class);

    /** The parts the loop drives. */
    record Parts(
            StartupCheck startupCheck,
            Catalogue catalogue,
            Resync resync,
            CreateWorkers creators,
            ScaleDown scaleDown,
            ServerReaper reaper,
            NodeWatch nodeWatch,
            InFlightPoll inFlight) {}

    private final EngineSettings settings;
    private final Clock clock;
    /** The last unexpected tick failure logged, and when (bounds the ERROR lines of one that repeats every tick). */
    private String lastBugMessage;

    private Instant lastBugLoggedAt;
    private final FleetView view;
    private final CloudApi cloud;
    private final NodeDirectory nodes;
    private final HetznerAccess access;
    private final Leadership leadership;
    private final Parts parts;
    private final ScheduledExecutorService ticker;
    private final ReentrantLock tickLock = new ReentrantLock();
    private final AtomicBoolean refreshRequested = new AtomicBoolean();
    private volatile boolean running;
    private volatile String lastSyncError;

    BackgroundLoop(
            EngineSettings settings,
            Clock clock,
            FleetView view,
            CloudApi cloud,
            NodeDirectory nodes,
            HetznerAccess access,
            Leadership leadership,
            Parts parts) {
        this.settings = settings;
        this.clock = clock;
        this.view = view;
        this.cloud = cloud;
        this.nodes = nodes;
        this.access = access;
        this.leadership = leadership;
        this.parts = parts;
        this.ticker = Executors.newSingleThreadScheduledExecutor(daemon("talosburst-engine-tick"));
    }

    static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Builds the view now (on the calling thread), then ticks periodically. */
    void startNow() {
        if (!begin()) {
            return;
        }
        try {
            tick();
        } catch (RuntimeException e) {
            // HetznerAccess has said why (once); the ticker retries with back-off
        }
        long period = Math.max(50, settings.tickInterval().toMillis());
        ticker.scheduleWithFixedDelay(this::safeTick, period, period, TimeUnit.MILLISECONDS);
    }

    /** Checks the pools on the calling thread, then builds the view on the engine's thread right away. */
    void startInBackground() {
        if (!begin()) {
            return;
        }
        tickLock.lock();
        try {
            parts.startupCheck().runIfDue(clock.instant());
        } catch (RuntimeException e) {
            // HetznerAccess has said why (once); the ticker retries with back-off
        } finally {
            tickLock.unlock();
        }
        long period = Math.max(50, settings.tickInterval().toMillis());
        ticker.scheduleWithFixedDelay(this::safeTick, 0, period, TimeUnit.MILLISECONDS);
    }

    /** False when already running. */
    private boolean begin() {
        if (running) {
            return false;
        }
        running = true;
        LOG.info(parts.reaper().rules());
        nodes.subscribe(parts.nodeWatch());
        parts.creators().start();
        return true;
    }

    /** Why the last attempt to list the servers failed; null after a success. */
    String lastSyncError() {
        return lastSyncError;
    }

    /**
     * Ticks now, swallowing the failure: Hetzner's are reported by HetznerAccess; anything else is a bug, logged with its
     * stack trace (at most once a minute per message, as it may repeat every tick).
     */
    void safeTick() {
        try {
            tick();
        } catch (CloudApiException e) {
            lastSyncError = e.getMessage(); // logged by HetznerAccess: once, then at most once a minute
        } catch (RuntimeException e) {
            lastSyncError = e.toString();
            Instant now = clock.instant();
            if (!e.toString().equals(lastBugMessage)
                    || lastBugLoggedAt == null
                    || Duration.between(lastBugLoggedAt, now).compareTo(Duration.ofMinutes(1)) >= 0) {
                lastBugMessage = e.toString();
                lastBugLoggedAt = now;
                LOG.errorf(e, "engine tick failed (a bug in talos-burst; please report it): %s", e);
            }
        }
    }

    /** CA's Refresh: a resync on the engine's thread when the view is older than a full-list interval. */
    void refresh() {
        Instant last = view.lastSyncAt();
        if (last == null || Duration.between(last, clock.instant()).compareTo(fullListInterval()) >= 0) {
            refreshRequested.set(true);
            try {
                ticker.execute(this::safeTick);
            } catch (RejectedExecutionException e) {
                // shutting down
            }
        }
    }

    /** One round of background work: resync when due (or requested), promotion, retries, reaping. */
    void tick() {
        tickLock.lock();
        try {
            Instant now = clock.instant();
            if (!parts.startupCheck().runIfDue(now)) {
                return;
            }
            boolean promoting = leadership.promotionPending();
            Resync.Strays strays = resyncIfDue(now, promoting);
            if (!leadership.isLeader()) {
                return;
            }
            if (strays != null) {
                settleVanished(strays.vanished());
                parts.reaper().sweep(strays);
                parts.nodeWatch().sweep();
            } else {
                pollInFlight(now);
            }
            parts.creators().requeueDue(now);
            parts.scaleDown().retryDue();
        } finally {
            tickLock.unlock();
        }
    }

    private Resync.Strays resyncIfDue(Instant now, boolean promoting) {
        Instant last = view.lastSyncAt();
        boolean due = (last == null
                        || promoting
                        || refreshRequested.get()
                        || Duration.between(last, now).compareTo(fullListInterval()) >= 0)
                && access.due(now);
        if (!due) {
            return null;
        }
        if (promoting) {
            synchronized (view) {
                view.clear(); // a new leader trusts only Hetzner
            }
        }
        refreshRequested.set(false);
        Resync.Strays strays;
        try {
            parts.catalogue().refreshServerTypesIfStale();
            strays = parts.resync().run(parts.nodeWatch()::serverKnown);
            access.succeeded();
        } catch (RuntimeException e) {
            access.failed(e, false);
            throw e;
        }
        lastSyncError = null;
        if (promoting) {
            leadership.completePromotion();
        }
        return strays;
    }

    private void settleVanished(List<Slot> vanished) {
        for (Slot slot : vanished) {
            // a paged list can skip a server when another one is deleted between its pages: only Hetzner's own "not
            // found" proves a server is gone (one GET per missing server, which is rare)
            if (stillExists(slot)) {
                continue;
            }
            boolean wasDeleting = slot.phase() == Slot.Phase.DELETING;
            parts.scaleDown()
                    .completed(
                            slot,
                            wasDeleting
                                    ? slot.deleteReason()
                                    : "the server disappeared from Hetzner (deleted outside talos-burst)");
        }
    }

    private void pollInFlight(Instant now) {
        try {
            // servers being created: running within a poll interval, without a full list
            if (parts.inFlight().pollIfDue(now)) {
                refreshRequested.set(true); // the next tick lists everything once
            }
        } catch (RuntimeException e) {
            LOG.debugf("polling the servers being created failed: %s; the next tick tries again", e.getMessage());
        }
    }

    /** The interval between full lists for the fleet as it is now (stretched with its size to keep within the budget). */
    Duration fullListInterval() {
        return settings.fullListInterval(view.serverCount());
    }

    private boolean stillExists(Slot slot) {
        Long id = slot.serverId();
        if (id == null) {
            return false;
        }
        try {
            Optional<Server> server = cloud.server(id);
            if (server.isPresent() && server.get().status() != ServerStatus.DELETING) {
                synchronized (view) {
                    if (slot.phase() != Slot.Phase.DELETING) {
                        slot.observed(server.get().status(), clock.instant());
                    }
                }
                LOG.debugf("server %s (id %d) was missing from the list but exists; keeping it", slot.name(), id);
                return true;
            }
            return false; // not found, or being deleted: gone (billing stops now)
        } catch (RuntimeException e) {
            LOG.warnf(
                    "could not confirm whether server %s (id %d) still exists (%s); will check again",
                    slot.name(), id, e.getMessage());
            return true;
        }
    }

    @Override
    public void close() {
        running = false;
        ticker.shutdownNow();
        parts.creators().close();
    }
}
