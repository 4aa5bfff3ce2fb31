package dev.talosburst.autoscaler.wiring;

import dev.talosburst.provisioner.engine.NodeGroupEngine;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;

/**
 * Compares what exists with what was published: as soon as this replica acts on a view built from Hetzner (after a
 * start, a crash or a promotion), then every {@code talosburst.events.reconcile-interval}. Only on the leader, and only
 * once its view has been built (a partial list would read as deletions).
 */
@Singleton
public class EventReconciliation {
    private final NodeGroupEngine engine;
    private final LifecycleEventPublishing publishing;
    /** False until a reconciliation ran in the current term of acting on a synced view. */
    private volatile boolean reconciledThisTerm;

    EventReconciliation(NodeGroupEngine engine, LifecycleEventPublishing publishing) {
        this.engine = engine;
        this.publishing = publishing;
    }

    /**
     * The first reconciliation of a term: the first list of the fleet may take long (it runs in the background), and
     * what a crash left unpublished must not wait for the next periodic run.
     */
    @Scheduled(
            every = "5s",
            delay = 5,
            delayUnit = java.util.concurrent.TimeUnit.SECONDS,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void catchUp() {
        if (!acting()) {
            reconciledThisTerm = false;
        } else if (!reconciledThisTerm) {
            reconcile();
        }
    }

    @Scheduled(
            every = "${talosburst.events.reconcile-interval:10m}",
            delay = 5,
            delayUnit = java.util.concurrent.TimeUnit.SECONDS,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void periodic() {
        if (acting()) {
            reconcile();
        }
    }

    private boolean acting() {
        return publishing.enabled() && engine.isLeader() && engine.isSynced();
    }

    private synchronized void reconcile() {
        publishing.reconcile(engine::servers);
        reconciledThisTerm = true;
    }
}
