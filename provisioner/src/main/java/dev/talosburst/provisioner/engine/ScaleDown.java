package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.cloud.CloudApi;
import dev.talosburst.provisioner.cloud.CloudApiException;
import dev.talosburst.provisioner.directory.NodeDirectory;
import dev.talosburst.provisioner.lifecycle.Transition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.jboss.logging.Logger;

/**
 * Deletes servers in the background, then their Kubernetes Node objects (without a cloud-controller-manager
 * nobody else would). Failed deletions stay marked and are retried.
 */
final class ScaleDown {
    private static final Logger LOG = Logger.getLogger(ScaleDown.class);

    private final FleetView view;
    private final CloudApi cloud;
    private final NodeDirectory nodes;
    private final LifecycleRecorder recorder;
    private final Clock clock;
    private final Duration retryBackoff;
    private final ExecutorService executor;

    ScaleDown(
            FleetView view,
            CloudApi cloud,
            NodeDirectory nodes,
            LifecycleRecorder recorder,
            Clock clock,
            Duration retryBackoff,
            ExecutorService executor) {
        this.view = view;
        this.cloud = cloud;
        this.nodes = nodes;
        this.recorder = recorder;
        this.clock = clock;
        this.retryBackoff = retryBackoff;
        this.executor = executor;
    }

    /**
     * Marks the slot deleting and deletes its server in the background.
     *
     * @param reapReason when not null, a {@code server-reaped} event with this reason precedes the deletion
     */
    void delete(Slot slot, String reason, String reapReason) {
        Instant now = clock.instant();
        LifecycleRecorder.Batch batch = recorder.batch(); // published after the lock: the sink may fsync
        try {
            synchronized (view) {
                if (slot.deletionUnderWay()) {
                    return;
                }
                slot.deletionRequested(reason, now);
                if (reapReason != null) {
                    batch.server(Transition.SERVER_REAPED, slot, now, "", reapReason, Map.of());
                }
            }
        } finally {
            batch.publish();
        }
        submit(slot);
    }

    /** Re-submits deletions that failed and whose backoff is over. */
    void retryDue() {
        Instant now = clock.instant();
        java.util.List<Slot> due = new java.util.ArrayList<>();
        // every tick: the phase is readable without the lock, so only slots being deleted are looked at under it
        java.util.List<Slot> deleting = view.snapshot().stream()
                .filter(slot -> slot.phase() == Slot.Phase.DELETING)
                .toList();
        if (deleting.isEmpty()) {
            return;
        }
        synchronized (view) {
            for (Slot slot : deleting) {
                if (slot.owner() == view && slot.deleteRetryDue(now)) {
                    due.add(slot);
                }
            }
        }
        due.forEach(this::submit);
    }

    private void submit(Slot slot) {
        synchronized (view) {
            if (!slot.deleteSubmitted()) {
                return;
            }
        }
        try {
            executor.execute(() -> LogContext.run(slot.pool(), slot.name(), "delete", () -> run(slot)));
        } catch (RejectedExecutionException e) {
            synchronized (view) {
                slot.deleteAttemptFailed(null); // shutting down
            }
        }
    }

    private void run(Slot slot) {
        try {
            if (slot.serverId() != null) {
                cloud.deleteServer(slot.serverId());
            }
            completed(slot, slot.deleteReason());
        } catch (CloudApiException e) {
            synchronized (view) {
                slot.deleteAttemptFailed(clock.instant().plus(retryBackoff));
            }
            LOG.warnf(
                    "deleting server %s (id %s) failed: %s (%s); will retry",
                    slot.name(), slot.serverId(), e.getMessage(), e.code());
        } catch (RuntimeException e) {
            synchronized (view) {
                slot.deleteAttemptFailed(clock.instant().plus(retryBackoff));
            }
            LOG.errorf(e, "deleting server %s failed unexpectedly; will retry", slot.name());
        }
    }

    /** The server is gone (we deleted it, or it vanished): record it and remove its Node. */
    void completed(Slot slot, String reason) {
        Instant now = clock.instant();
        boolean emit;
        LifecycleRecorder.Batch batch = recorder.batch(); // published after the lock: the sink may fsync
        try {
            synchronized (view) {
                emit = slot.deleted(now);
                view.remove(slot);
                if (slot.serverId() != null) {
                    view.tombstone(slot.serverId(), now);
                }
                if (emit) {
                    Map<String, String> details = new HashMap<>();
                    if (slot.createdAt() != null) {
                        details.put(
                                "lifetimeSeconds",
                                Long.toString(
                                        Duration.between(slot.createdAt(), now).toSeconds()));
                    }
                    batch.outcome(Transition.SERVER_DELETED, slot, now, reason, details);
                }
            }
        } finally {
            batch.publish();
        }
        LOG.infof(
                "server %s (id %s) of pool %s deleted%s",
                slot.name(), slot.serverId(), slot.pool(), reason == null ? "" : ": " + reason);
        removeNode(slot);
    }

    private void removeNode(Slot slot) {
        try {
            if (nodes.byName(slot.name()).isPresent()) {
                nodes.removeNode(slot.name());
                recorder.outcome(Transition.NODE_REMOVED, slot, clock.instant(), null, Map.of());
            }
        } catch (RuntimeException e) {
            // the orphan-node sweep retries this later
            LOG.warnf("removing Node %s failed: %s", slot.name(), e.getMessage());
        }
    }
}
