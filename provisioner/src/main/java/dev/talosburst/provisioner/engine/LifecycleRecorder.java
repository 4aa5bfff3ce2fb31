package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.lifecycle.EventSink;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.lifecycle.Transition;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/** Turns slot changes into lifecycle events; a failing sink never breaks provisioning. */
final class LifecycleRecorder {
    private static final Logger LOG = Logger.getLogger(LifecycleRecorder.class);

    private final EventSink sink;
    private final String clusterId;
    private final BooleanSupplier acting;
    private final ProvisioningMetrics metrics;
    private final java.util.concurrent.ExecutorService handOff =
            java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "talosburst-event-handoff");
                t.setDaemon(true);
                return t;
            });

    /** @param acting true while this replica may publish (the leader, or the replica becoming leader) */
    LifecycleRecorder(EventSink sink, String clusterId, BooleanSupplier acting, ProvisioningMetrics metrics) {
        this.sink = sink;
        this.metrics = metrics;
        this.clusterId = clusterId;
        this.acting = acting;
    }

    /**
     * Publishes now (call it outside the view lock) the outcome of a Hetzner call this replica made (a create or delete that was in flight): published even if the
     * replica lost the lead meanwhile, because the new leader may never see the server it created or deleted.
     */
    void outcome(Transition transition, Slot slot, Instant at, String reason, Map<String, String> details) {
        emit(
                new LifecycleEvent(
                        transition,
                        clusterId,
                        slot.pool(),
                        slot.name(),
                        "",
                        at,
                        slot.serverId(),
                        slot.facts(),
                        reason,
                        details),
                true);
    }

    /** Builds a server event now (facts as of now) to publish later, outside the view lock. */
    LifecycleEvent later(Transition transition, Slot slot, Instant at, Map<String, String> details) {
        return later(transition, slot, at, "", details);
    }

    /** As {@link #later(Transition, Slot, Instant, Map)}, for a repeatable transition ({@code occurrence} tells repeats apart). */
    LifecycleEvent later(Transition transition, Slot slot, Instant at, String occurrence, Map<String, String> details) {
        return new LifecycleEvent(
                transition,
                clusterId,
                slot.pool(),
                slot.name(),
                occurrence,
                at,
                slot.serverId(),
                slot.facts(),
                null,
                details);
    }

    /** Publishes events built with {@link #later}, in order. */
    void publish(java.util.List<LifecycleEvent> events) {
        events.forEach(event -> emit(event, false));
    }

    /** Events built under the view lock (facts as of then), handed to the sink by {@link Batch#publish()} after it. */
    Batch batch() {
        return new Batch();
    }

    /** Collects events inside a {@code synchronized (view)} block; publish them in a {@code finally} after the block. */
    final class Batch {
        private final java.util.List<LifecycleEvent> events = new java.util.ArrayList<>();
        private final java.util.List<Boolean> outcomes = new java.util.ArrayList<>();

        void server(Transition transition, Slot slot, Instant at) {
            server(transition, slot, at, "", null, Map.of());
        }

        void server(
                Transition transition,
                Slot slot,
                Instant at,
                String occurrence,
                String reason,
                Map<String, String> details) {
            events.add(new LifecycleEvent(
                    transition,
                    clusterId,
                    slot.pool(),
                    slot.name(),
                    occurrence,
                    at,
                    slot.serverId(),
                    slot.facts(),
                    reason,
                    details));
            outcomes.add(false);
        }

        /** See {@link LifecycleRecorder#outcome}. */
        void outcome(Transition transition, Slot slot, Instant at, String reason, Map<String, String> details) {
            events.add(new LifecycleEvent(
                    transition,
                    clusterId,
                    slot.pool(),
                    slot.name(),
                    "",
                    at,
                    slot.serverId(),
                    slot.facts(),
                    reason,
                    details));
            outcomes.add(true);
        }

        /** Hands the collected events to the sink, in order; call it after the view lock is released. */
        void publish() {
            for (int i = 0; i < events.size(); i++) {
                emit(events.get(i), outcomes.get(i));
            }
            events.clear();
            outcomes.clear();
        }
    }

    /** Builds a pool event to publish later, outside the view lock. */
    LifecycleEvent poolEvent(
            Transition transition, String pool, Instant at, String occurrence, Map<String, String> details) {
        return new LifecycleEvent(transition, clusterId, pool, pool, occurrence, at, null, null, null, details);
    }

    /**
     * Publishes the event on the hand-off thread, then runs {@code then} there: CA's calling thread never waits for the
     * sink (its journal fsyncs). Events handed off are published in order.
     */
    void handOff(LifecycleEvent event, Runnable then) {
        try {
            handOff.execute(() -> {
                emit(event, false);
                then.run();
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: publish on this thread rather than lose it
            emit(event, false);
            then.run();
        }
    }

    /** Tells the sink this replica is about to act (see {@link EventSink#leading()}). */
    void leading() {
        try {
            sink.leading();
        } catch (RuntimeException e) {
            LOG.errorf(e, "the event sink failed to take the lead; events are still handed to it");
        }
    }

    /** Tells the sink this replica does not act (see {@link EventSink#following()}). */
    void following() {
        try {
            sink.following();
        } catch (RuntimeException e) {
            LOG.errorf(e, "the event sink failed to step back; events are still handed to it");
        }
    }

    /** Stops the hand-off thread once what it holds is published. */
    void close() {
        handOff.shutdown();
        try {
            handOff.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void emit(LifecycleEvent event, boolean outcomeOfOwnCall) {
        if (!outcomeOfOwnCall && !acting.getAsBoolean()) {
            return; // a follower's warm view must not publish: the leader does, once
        }
        metrics.transition(event.pool(), event.transition());
        try {
            sink.emit(event);
        } catch (RuntimeException e) {
            // the sink owns durability; here we only make sure provisioning goes on
            LOG.errorf(
                    "lifecycle event %s could not be handed to the event sink: %s", event.identity(), e.getMessage());
        }
    }
}
