package dev.talosburst.benchmarks;

import dev.talosburst.events.model.NodeEventMapper;
import dev.talosburst.events.publish.EventPublisherSettings;
import dev.talosburst.events.publish.KafkaEventSink;
import dev.talosburst.events.testing.EngineEvents;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Lifecycle-event publishing against a real KRaft broker in its own JVM ({@link BrokerProcess}, issue 12): {@code emit} latency on the calling
 * thread with the journal on, emit → broker ack and emit → visible to a consumer, and a 50,000-event backlog built while
 * the broker is down (a 10-minute outage: broker stopped, the sink's clock moved on) drained after it returns. Printed,
 * never asserted. Run with {@code benchmarks/run.sh events} (options: {@code -Dbench.events.emits=2000},
 * {@code -Dbench.events.paced=2000}, {@code -Dbench.events.backlog=50000}); see BENCHMARKS.md ("Events").
 */
public final class EventsBenchmark {

    private static final int EMITS = Integer.getInteger("bench.events.emits", 2_000);
    private static final int PACED = Integer.getInteger("bench.events.paced", 2_000);
    private static final int BACKLOG = Integer.getInteger("bench.events.backlog", 50_000);
    private static final long PACE_MICROS = Long.getLong("bench.events.pace-micros", 2_000);

    private static final java.lang.management.ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private EventsBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("talos-burst-events-bench-");
        System.out.printf(
                "events benchmark: %d cores, %s, journal under %s%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                work);
        try (BrokerProcess broker = new BrokerProcess(work).start()) {
            burst(broker, work.resolve("burst"));
            paced(broker, work.resolve("paced"));
            backlog(broker, work.resolve("backlog"));
        } finally {
            deleteTree(work);
        }
        System.exit(0); // the broker's and clients' non-daemon threads
    }

    /** 1. {@code EMITS} events emitted back to back (4 per server): emit latency, and emit → ack / → consumer. */
    private static void burst(BrokerProcess broker, Path journal) throws Exception {
        Run run = new Run(broker.bootstrapServers(), journal, Clock.systemUTC());
        try (KafkaEventSink sink = run.sink;
                Watcher watcher = new Watcher(broker.bootstrapServers(), run.settings.topic())) {
            List<LifecycleEvent> events = events("e", EMITS);
            Emits emits = new Emits(EMITS);
            for (int i = 0; i < EMITS; i++) {
                watcher.emitted(events.get(i));
                emits.emit(sink, events.get(i));
            }
            waitUntil(Duration.ofMinutes(5), () -> sink.pending() == 0 && watcher.seen() >= EMITS);
            emits.print(String.format(
                    "emit on the calling thread (journal on, group commit), %d events back to back", EMITS));
            run.printPublish("burst");
            System.out.printf("  emit -> visible to a consumer: %s%n", percentiles(watcher.latencies()));
        }
    }

    /** 2. {@code PACED} events, one every {@code PACE_MICROS}: the steady state (still far above a real burst's rate). */
    private static void paced(BrokerProcess broker, Path journal) throws Exception {
        Run run = new Run(broker.bootstrapServers(), journal, Clock.systemUTC());
        try (KafkaEventSink sink = run.sink;
                Watcher watcher = new Watcher(broker.bootstrapServers(), run.settings.topic())) {
            List<LifecycleEvent> events = events("p", PACED);
            Emits emits = new Emits(PACED);
            long next = System.nanoTime();
            for (int i = 0; i < PACED; i++) {
                next += PACE_MICROS * 1_000;
                // Sleeps between events as the engine's hand-off thread does (it waits on its queue): a spin would
                // take one of the two cores from the sink's threads and the broker, and make the scheduler treat the
                // caller as the CPU hog to preempt.
                for (long left; (left = next - System.nanoTime()) > 0; ) {
                    java.util.concurrent.locks.LockSupport.parkNanos(left);
                }
                watcher.emitted(events.get(i));
                emits.emit(sink, events.get(i));
            }
            waitUntil(Duration.ofMinutes(5), () -> sink.pending() == 0 && watcher.seen() >= PACED);
            emits.print(String.format(
                    "emit, %d events one every %.1f ms (%,.0f/s)", PACED, PACE_MICROS / 1000.0, 1e6 / PACE_MICROS));
            if (Boolean.getBoolean("bench.events.timeline")) {
                watcher.printSlow(100);
            }
            run.printPublish("paced");
            System.out.printf("  emit -> visible to a consumer: %s%n", percentiles(watcher.latencies()));
        }
    }

    /**
     * Emit latencies, each next to a baseline taken right after it on the same thread: mapping the same event to its
     * CloudEvent again (CPU only: no journal, no hand-over, no lock). Both wait alike for a core shared with the broker
     * and the sink's threads, so the ratio of their percentiles is what {@code emit} itself adds.
     */
    private static final class Emits {
        private final NodeEventMapper baselineMapper = new NodeEventMapper(null);
        private final long[] wall;
        private final long[] cpu;
        private final long[] baseline;
        private int n;

        Emits(int count) {
            wall = new long[count];
            cpu = new long[count];
            baseline = new long[count];
        }

        void emit(KafkaEventSink sink, LifecycleEvent event) {
            long c = CPU.getCurrentThreadCpuTime();
            long t = System.nanoTime();
            sink.emit(event);
            wall[n] = System.nanoTime() - t;
            cpu[n] = CPU.getCurrentThreadCpuTime() - c;
            t = System.nanoTime();
            baselineMapper.toCloudEvent(event);
            baseline[n] = System.nanoTime() - t;
            n++;
        }

        void print(String what) {
            System.out.printf("%s: %s%n", what, percentiles(wall));
            System.out.printf("  CPU time of the calling thread in emit: %s%n", percentiles(cpu));
            System.out.printf(
                    "  baseline on the same thread right after each emit (the mapping alone, CPU only): %s;"
                            + " emit/baseline p99 %.2fx%n",
                    percentiles(baseline), (double) percentile(wall, 0.99) / Math.max(1, percentile(baseline, 0.99)));
        }
    }

    /** 3. A backlog built during a 10-minute outage (broker stopped, the sink's clock moved on), drained after it. */
    private static void backlog(BrokerProcess broker, Path journal) throws Exception {
        MovableClock clock = new MovableClock();
        Run run = new Run(broker.bootstrapServers(), journal, clock);
        try (KafkaEventSink sink = run.sink) {
            broker.stop();
            List<LifecycleEvent> events = events("b", BACKLOG);
            long[] emitNanos = new long[BACKLOG];
            long t0 = System.nanoTime();
            for (int i = 0; i < BACKLOG; i++) {
                long t = System.nanoTime();
                sink.emit(events.get(i));
                emitNanos[i] = System.nanoTime() - t;
            }
            double queueSeconds = (System.nanoTime() - t0) / 1e9;
            clock.advance(Duration.ofMinutes(10));
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            System.out.printf(
                    "backlog: %,d events emitted in %.1f s with the broker down (emit %s); pending %,d; journal %.1f MB;"
                            + " in memory at most %,d (queueCapacity), the rest in the journal only; heap in use after GC %.0f MB;"
                            + " oldest waiting %.0f s (the outage, on the sink's clock)%n",
                    BACKLOG,
                    queueSeconds,
                    percentiles(emitNanos),
                    sink.pending(),
                    size(journal) / 1e6,
                    run.settings.queueCapacity(),
                    heap / 1e6,
                    run.registry.get("talosburst.events.backlog.oldest").gauge().value());
            long r0 = System.nanoTime();
            broker.start();
            long d0 = System.nanoTime();
            waitUntil(Duration.ofMinutes(15), () -> sink.pending() == 0);
            long d1 = System.nanoTime();
            double drain = (d1 - d0) / 1e9;
            System.out.printf(
                    "drain: %,d events acknowledged %.1f s after the broker answered again = %,.0f events/s"
                            + " (%.1f s and %,.0f events/s counting the broker's restart)%n",
                    BACKLOG, drain, BACKLOG / drain, (d1 - r0) / 1e9, BACKLOG / ((d1 - r0) / 1e9));
            waitUntil(Duration.ofMinutes(2), () -> {
                try {
                    return size(journal) == 0;
                } catch (UncheckedIOException e) {
                    return false;
                }
            });
            System.out.printf(
                    "  journal after the drain: %d bytes (truncated once every event and state record is acknowledged)%n",
                    size(journal));
        }
        Check check = readBack(broker.bootstrapServers(), run.settings.topic(), "b-");
        System.out.printf(
                "  read back by an independent consumer: %,d records, %,d distinct ids, %d ids with two contents,"
                        + " %d servers out of order%n",
                check.records, check.ids, check.conflicting, check.outOfOrder);
    }

    /** {@code n} server events, 4 per server (create-requested, created, registered, ready): many keys, as in a large fleet. */
    private static List<LifecycleEvent> events(String prefix, int n) {
        EngineEvents engine = EngineEvents.cx22Fsn1("bench");
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

    /** A sink as talos-burst runs it (production defaults, journal on) on its own topic, with percentiles recorded. */
    private static final class Run {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final EventPublisherSettings settings;
        final KafkaEventSink sink;

        Run(String bootstrap, Path journal, Clock clock) throws Exception {
            registry.config().meterFilter(new MeterFilter() {
                @Override
                public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                    return DistributionStatisticConfig.builder()
                            .percentiles(0.5, 0.99, 0.999)
                            .build()
                            .merge(config);
                }
            });
            settings = EventPublisherSettings.defaults(bootstrap)
                    .withTopic("bench-" + UUID.randomUUID())
                    .withTopicLayout(6, (short) 1)
                    .withJournal(journal);
            sink = new KafkaEventSink(settings, registry, clock);
            sink.start();
            sink.recordedServers(EngineEvents.CLUSTER, Duration.ofSeconds(60)); // topics made, state read back
            // Warm-up: the producer's first send waits for the new topic's metadata (once per process in production).
            events("warm-up", 256).forEach(sink::emit); // 64 servers: every partition
            waitUntil(Duration.ofMinutes(3), () -> sink.pending() == 0); // minutes only on a badly overloaded machine
        }

        void printPublish(String label) {
            StringBuilder b = new StringBuilder();
            for (ValueAtPercentile v : registry.get("talosburst.events.publish")
                    .timer()
                    .takeSnapshot()
                    .percentileValues()) {
                b.append(String.format("p%s %.1f ms, ", trim(v.percentile() * 100), v.value(TimeUnit.MILLISECONDS)));
            }
            System.out.printf(
                    "  emit -> broker ack (talosburst_events_publish_seconds, %s): %s%n",
                    label, b.substring(0, b.length() - 2));
        }
    }

    /** Reads the topic as it is written, timing each record from its emit (by {@code ce_id}) until the consumer saw it. */
    private static final class Watcher implements AutoCloseable {
        private final Map<String, Long> emittedAt = new ConcurrentHashMap<>();
        private final List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        private final List<Long> seenAt = new ArrayList<>();
        private final AtomicLong seen = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Watcher(String bootstrap, String topic) throws InterruptedException {
            KafkaConsumer<String, byte[]> consumer = consumer(bootstrap);
            java.util.concurrent.CountDownLatch assigned = new java.util.concurrent.CountDownLatch(1);
            thread = new Thread(
                    () -> {
                        try (consumer) {
                            List<TopicPartition> parts = new ArrayList<>();
                            for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                                parts.add(new TopicPartition(topic, p.partition()));
                            }
                            consumer.assign(parts);
                            consumer.seekToEnd(parts);
                            parts.forEach(consumer::position); // resolve the positions before anything is emitted
                            assigned.countDown();
                            while (running.get()) {
                                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                                    long now = System.nanoTime();
                                    Long at = emittedAt.get(header(r, "ce_id"));
                                    if (at != null) {
                                        synchronized (latencies) {
                                            latencies.add(now - at);
                                            seenAt.add(now);
                                        }
                                    }
                                    seen.incrementAndGet();
                                }
                            }
                        }
                    },
                    "bench-consumer");
            thread.setDaemon(true);
            thread.start();
            assigned.await(60, TimeUnit.SECONDS);
        }

        void emitted(LifecycleEvent e) {
            emittedAt.put(dev.talosburst.events.model.EventIds.forIdentity(e.identity()), System.nanoTime());
        }

        long seen() {
            return seen.get();
        }

        /** Diagnostic: when the deliveries slower than {@code ms} were seen (ms since the first one). */
        void printSlow(long ms) {
            synchronized (latencies) {
                for (int i = 0; i < latencies.size(); i++) {
                    if (latencies.get(i) > ms * 1_000_000) {
                        System.out.printf(
                                "  slow delivery #%d: %.0f ms (seen %.0f ms after the first)%n",
                                i, latencies.get(i) / 1e6, (seenAt.get(i) - seenAt.get(0)) / 1e6);
                    }
                }
            }
        }

        long[] latencies() {
            synchronized (latencies) {
                return latencies.stream().mapToLong(Long::longValue).toArray();
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(5_000);
        }
    }

    private record Check(long records, long ids, long conflicting, long outOfOrder) {}

    /** Reads the servers {@code prefix}* of a topic: distinct ids, ids with two contents, servers whose transitions arrived out of order. */
    private static Check readBack(String bootstrap, String topic, String prefix) {
        Map<String, String> contentById = new HashMap<>();
        Set<String> conflicting = new HashSet<>();
        Map<String, List<String>> typesByServer = new HashMap<>();
        long records = 0;
        try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrap)) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                parts.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (!r.key().startsWith(prefix)) {
                        continue; // the warm-up server
                    }
                    records++;
                    String id = header(r, "ce_id");
                    String content = header(r, "ce_time") + "|" + new String(r.value(), StandardCharsets.UTF_8);
                    String before = contentById.putIfAbsent(id, content);
                    if (before != null && !before.equals(content)) {
                        conflicting.add(id);
                    }
                    typesByServer
                            .computeIfAbsent(r.key(), k -> new ArrayList<>())
                            .add(header(r, "ce_type"));
                }
            }
        }
        List<String> expected = List.of("server-create-requested", "server-created", "node-registered", "node-ready");
        long outOfOrder = typesByServer.values().stream()
                .filter(types -> {
                    List<String> names = types.stream()
                            .distinct()
                            .map(t -> t.replace("dev.talosburst.node.", "").replace(".v1", ""))
                            .toList();
                    return !expected.subList(0, names.size()).equals(names);
                })
                .count();
        return new Check(records, contentById.size(), conflicting.size(), outOfOrder);
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String percentiles(long[] nanos) {
        if (nanos.length == 0) {
            return "no samples";
        }
        return String.format(
                "p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms (%,d samples)",
                percentile(nanos, 0.5) / 1e6,
                percentile(nanos, 0.99) / 1e6,
                percentile(nanos, 0.999) / 1e6,
                percentile(nanos, 1) / 1e6,
                nanos.length);
    }

    private static long percentile(long[] nanos, double q) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) (s.length * q))];
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    private static void waitUntil(Duration max, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("benchmark step did not finish within " + max);
            }
            Thread.sleep(5);
        }
    }

    private static long size(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The system clock plus an offset the benchmark moves forward: a long outage without waiting for it. */
    private static final class MovableClock extends Clock {
        private final AtomicLong offsetMillis = new AtomicLong();

        void advance(Duration d) {
            offsetMillis.addAndGet(d.toMillis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public long millis() {
            return System.currentTimeMillis() + offsetMillis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }
    }
}
