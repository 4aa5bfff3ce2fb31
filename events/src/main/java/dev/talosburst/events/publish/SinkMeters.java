package dev.talosburst.events.publish;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/** The publisher's meters (Prometheus names {@code talosburst_events_*}, listed in events/README.md). */
final class SinkMeters {

    // Normal publishes take milliseconds; the upper buckets show events held back by an outage.
    private static final Duration[] PUBLISH_BUCKETS = {
        Duration.ofMillis(10),
        Duration.ofMillis(50),
        Duration.ofMillis(250),
        Duration.ofSeconds(1),
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        Duration.ofMinutes(2),
        Duration.ofMinutes(10),
        Duration.ofHours(1)
    };

    private final MeterRegistry registry;
    private final Timer publish;
    final Counter dropped;
    final Counter spilled;
    final Counter sendFailures;
    final Counter suppressed;

    SinkMeters(MeterRegistry registry) {
        this.registry = registry;
        this.publish = Timer.builder("talosburst.events.publish")
                .description("Time from emit until Kafka acknowledged the event (includes time queued during outages)")
                .serviceLevelObjectives(PUBLISH_BUCKETS)
                .register(registry);
        for (dev.talosburst.provisioner.lifecycle.Transition type :
                dev.talosburst.provisioner.lifecycle.Transition.values()) {
            publishedCounter(type.eventName()); // from start-up, so rate() and alerts see 0 instead of nothing
        }
        this.dropped = Counter.builder("talosburst.events.dropped")
                .description("Events refused because the queue was full and no journal is configured")
                .register(registry);
        this.spilled = Counter.builder("talosburst.events.spilled")
                .description("Events that waited in the journal only because the in-memory queue was full")
                .register(registry);
        this.sendFailures = Counter.builder("talosburst.events.send.failures")
                .description("Failed send attempts (each is retried)")
                .register(registry);
        this.suppressed = Counter.builder("talosburst.events.duplicates.suppressed")
                .description("Events not sent because their id was already published or queued (one id, one content)")
                .register(registry);
    }

    /** An event of {@code type} was acknowledged {@code millis} after it was accepted. */
    void published(String type, long millis) {
        publish.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
        publishedCounter(type).increment();
    }

    private Counter publishedCounter(String type) {
        return Counter.builder("talosburst.events.published")
                .description("Events acknowledged by Kafka, by event type")
                .tag("type", type)
                .register(registry);
    }

    /** Registers gauge {@code name} (strongly referenced, so it lives as long as the registry). */
    void gauge(String name, String description, String baseUnit, DoubleSupplier value) {
        Gauge.Builder<DoubleSupplier> b = Gauge.builder(name, value, DoubleSupplier::getAsDouble)
                .description(description)
                .strongReference(true);
        if (baseUnit != null) {
            b.baseUnit(baseUnit);
        }
        b.register(registry);
    }
}
