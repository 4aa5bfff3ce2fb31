package dev.talosburst.autoscaler.wiring;

import dev.talosburst.provisioner.engine.NodeGroupEngine;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;

/**
 * Compares what exists with what was published, at start and every {@code talosburst.events.reconcile-interval}:
 * only on the leader, and only once its view has been built from Hetzner (a partial list would read as deletions).
 */
@Singleton
public class EventReconciliation {
    private final NodeGroupEngine engine;
    private final LifecycleEventPublishing publishing;

    EventReconciliation(NodeGroupEngine engine, LifecycleEventPublishing publishing) {
        this.engine = engine;
        this.publishing = publishing;
    }

    @Scheduled(
            every = "${talosburst.events.reconcile-interval:10m}",
            delay = 5,
            delayUnit = java.util.concurrent.TimeUnit.SECONDS,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reconcile() {
        if (publishing.enabled() && engine.isLeader() && engine.isSynced()) {
            publishing.reconcile(engine::servers);
        }
    }
}
