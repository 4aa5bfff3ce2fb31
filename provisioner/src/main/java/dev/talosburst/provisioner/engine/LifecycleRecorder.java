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

    /** @param acting true while this replica may publish (the leader, or the replica becoming leader) */
    LifecycleRecorder(EventSink sink, String clusterId, BooleanSupplier acting) {
        this.sink = sink;
        this.clusterId = clusterId;
        this.acting = acting;
    }

    void server(Transition transition, Slot slot, Instant at, String occurrence, String reason, Map<String, String> details) {
        emit(new LifecycleEvent(transition, clusterId, slot.pool, slot.name, occurrence, at, slot.serverId, facts(slot), reason, details),
                false);
    }

    /**
     * The outcome of a Hetzner call this replica made (a create or delete that was in flight): published even if the
     * replica lost the lead meanwhile, because the new leader may never see the server it created or deleted.
     */
    void outcome(Transition transition, Slot slot, Instant at, String reason, Map<String, String> details) {
        emit(new LifecycleEvent(transition, clusterId, slot.pool, slot.name, "", at, slot.serverId, facts(slot), reason, details), true);
    }

    /** Builds a server event now (facts as of now) to publish later, outside the view lock. */
    LifecycleEvent later(Transition transition, Slot slot, Instant at, Map<String, String> details) {
        return later(transition, slot, at, "", details);
    }

    /** As {@link #later(Transition, Slot, Instant, Map)}, for a repeatable transition ({@code occurrence} tells repeats apart). */
    LifecycleEvent later(Transition transition, Slot slot, Instant at, String occurrence, Map<String, String> details) {
        return new LifecycleEvent(transition, clusterId, slot.pool, slot.name, occurrence, at, slot.serverId, facts(slot), null, details);
    }

    /** Publishes events built with {@link #later}, in order. */
    void publish(java.util.List<LifecycleEvent> events) {
        events.forEach(event -> emit(event, false));
    }

    void server(Transition transition, Slot slot, Instant at) {
        server(transition, slot, at, "", null, Map.of());
    }

    void pool(Transition transition, String pool, Instant at, String occurrence, Map<String, String> details) {
        emit(new LifecycleEvent(transition, clusterId, pool, pool, occurrence, at, null, null, null, details), false);
    }

    private void emit(LifecycleEvent event, boolean outcomeOfOwnCall) {
        if (!outcomeOfOwnCall && !acting.getAsBoolean()) {
            return; // a follower's warm view must not publish: the leader does, once
        }
        try {
            sink.emit(event);
        } catch (RuntimeException e) {
            // the sink owns durability; here we only make sure provisioning goes on
            LOG.errorf("lifecycle event %s could not be handed to the event sink: %s", event.identity(), e.getMessage());
        }
    }

    static LifecycleEvent.ServerFacts facts(Slot slot) {
        return new LifecycleEvent.ServerFacts(slot.name, slot.serverType, slot.location, slot.architecture, slot.imageId, slot.labels,
                slot.price, slot.createRequestedAt, slot.createdAt, slot.runningAt, slot.registeredAt, slot.readyAt, slot.deletedAt);
    }
}
