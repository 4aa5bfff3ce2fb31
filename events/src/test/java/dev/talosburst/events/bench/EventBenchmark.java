package dev.talosburst.events.bench;

import dev.talosburst.events.publish.EventPublisherSettings;
import dev.talosburst.events.publish.KafkaEventSink;
import dev.talosburst.events.testing.EngineEvents;
import dev.talosburst.events.testing.TestBroker;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * Event publishing benchmarks against a real in-process broker, printed, never asserted (issue 12, point 5). Skipped
 * unless {@code -Dtalosburst.bench=true}; the command is in events/README.md ("Benchmarks").
 */
@EnabledIfSystemProperty(named = "talosburst.bench", matches = "true")
class EventBenchmark {

    private static final int EMITS = Integer.getInteger("talosburst.bench.emits", 2_000);
    private static final int BACKLOG = Integer.getInteger("talosburst.bench.backlog", 50_000);

    @Test
    void emitLatencyEndToEndLatencyAndBacklogDrain(@TempDir Path journal) throws Exception {
        try (TestBroker broker = new TestBroker().start()) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            registry.config().meterFilter(new MeterFilter() {
                @Override
                public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                    return DistributionStatisticConfig.builder().percentiles(0.5, 0.99).build().merge(config);
                }
            });
            EventPublisherSettings settings = EventPublisherSettings.defaults(broker.bootstrapServers())
                    .withTopic("bench-" + UUID.randomUUID()).withTopicLayout(6, (short) 1).withJournal(journal);
            EngineEvents engine = EngineEvents.cx22Fsn1("bench");
            try (KafkaEventSink sink = new KafkaEventSink(settings, registry)) {
                sink.start();
                sink.recordedServers("any", Duration.ofSeconds(60));

                // 1. emit on the calling thread, journal on (fsync per event), broker up
                long[] emitNanos = new long[EMITS];
                List<LifecycleEvent> events = events(engine, "e", EMITS);
                for (int i = 0; i < EMITS; i++) {
                    long t = System.nanoTime();
                    sink.emit(events.get(i));
                    emitNanos[i] = System.nanoTime() - t;
                }
                await().atMost(Duration.ofMinutes(5)).until(() -> sink.pending() == 0);
                Arrays.sort(emitNanos);
                System.out.printf("BENCH emit (journal fsync on, %d events): p50 %.3f ms, p99 %.3f ms, max %.3f ms%n", EMITS,
                        emitNanos[EMITS / 2] / 1e6, emitNanos[(int) (EMITS * 0.99)] / 1e6, emitNanos[EMITS - 1] / 1e6);
                for (ValueAtPercentile v : registry.get("talosburst.events.publish").timer().takeSnapshot().percentileValues()) {
                    System.out.printf("BENCH end-to-end emit -> broker ack p%.0f: %.1f ms%n", v.percentile() * 100,
                            v.value(java.util.concurrent.TimeUnit.MILLISECONDS));
                }

                // 2. a backlog built while the broker is away, then drained
                broker.stop();
                List<LifecycleEvent> backlog = events(engine, "b", BACKLOG);
                long t0 = System.nanoTime();
                backlog.forEach(sink::emit);
                double emitSeconds = (System.nanoTime() - t0) / 1e9;
                long journalBytes = journalSize(journal);
                System.out.printf("BENCH backlog: %d events queued in %.1f s while the broker was down; pending %d, journal %.1f MB,"
                        + " in memory at most %d (queueCapacity; the rest waits in the journal only)%n", BACKLOG, emitSeconds,
                        sink.pending(), journalBytes / 1e6, settings.queueCapacity());
                broker.start();
                long d0 = System.nanoTime();
                await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofMillis(200)).until(() -> sink.pending() == 0);
                double drain = (System.nanoTime() - d0) / 1e9;
                System.out.printf("BENCH drain after recovery: %d events in %.1f s = %.0f events/s (includes the broker's restart)%n",
                        BACKLOG, drain, BACKLOG / drain);
            }
        }
    }

    /** {@code n} server events, 4 per server (create-requested, created, registered, ready): many keys, as in a large fleet. */
    private static List<LifecycleEvent> events(EngineEvents engine, String prefix, int n) {
        List<LifecycleEvent> out = new ArrayList<>(n);
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        for (int s = 0; out.size() < n; s++) {
            for (LifecycleEvent e : engine.serverUp(prefix + "-" + s, 1_000_000L + s, t.plusSeconds(s))) {
                if (out.size() < n) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    private static long journalSize(Path dir) throws java.io.IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
