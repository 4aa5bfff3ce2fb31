package dev.talosburst.events.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.events.model.EventJson;
import dev.talosburst.events.testing.EngineEvents;
import dev.talosburst.events.testing.TestBroker;
import dev.talosburst.events.testing.TopicReader;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.testing.CapturedLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A state topic that keeps refusing writes: bounded retries, loud but rate-limited logs, a metric and readiness. */
class StateWriteOutageTest {

    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    private static final Duration BASE = Duration.ofMillis(200);

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    @Test
    void backoffDoublesFromTheBaseUpToTheCap() {
        assertThat(List.of(1, 2, 3, 4, 5, 6, 100, Integer.MAX_VALUE))
                .map(n -> StateWriteOutage.backoffMillis(200, 2_000, n))
                .containsExactly(200L, 400L, 800L, 1_600L, 2_000L, 2_000L, 2_000L, 2_000L);
        assertThat(StateWriteOutage.backoffMillis(1_000, 60_000, 7)).isEqualTo(60_000L);
    }

    @Test
    void aStateTopicRefusingWritesIsRetriedWithBackoffReportedAndCaughtUpWhenItAcceptsThemAgain(@TempDir Path journal)
            throws Exception {
        String topic = "state-outage-" + UUID.randomUUID();
        String stateTopic = topic + ".state";
        // The state topic refuses every record (larger than it accepts), the way a missing Write ACL would.
        broker.createStateTopicRefusingRecords(stateTopic, 1);
        EventPublisherSettings settings = EventPublisherSettings.defaults(broker.bootstrapServers())
                .withTopic(topic)
                .withTopicLayout(1, (short) 1)
                .withDelivery(Duration.ofSeconds(2), BASE)
                .withJournal(journal)
                .withStateRetry(Duration.ofSeconds(2), Duration.ofSeconds(30))
                .withClientOverrides(Map.of("interceptor.classes", SendCounter.class.getName()));
        ManualClock clock = new ManualClock(T0);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<LifecycleEvent> up = EngineEvents.cx22Fsn1("so").serverUp("so-1", 41, T0);
        CapturedLog log = CapturedLog.of(KafkaEventSink.class);
        KafkaEventSink sink = new KafkaEventSink(settings, registry, clock);
        try {
            sink.start();
            sink.emit(up.get(0));
            sink.emit(up.get(1));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> TopicReader.readAll(broker.bootstrapServers(), topic)
                                    .size()
                            == 2);
            await().atMost(Duration.ofSeconds(30)).until(() -> failures(registry) == 1);

            // The clock stands still: no retry is due, so none happens however long we wait (before: one per ~100 ms).
            Thread.sleep(1_500);
            assertThat(SendCounter.sends(stateTopic)).isEqualTo(1);
            assertThat(failures(registry)).isEqualTo(1);
            assertThat(registry.find(StateWriteOutage.FAILURES_METRIC)
                            .tag("error", "RecordTooLargeException")
                            .counter())
                    .isNotNull();
            assertThat(log.at(Level.WARNING))
                    .singleElement()
                    .satisfies(w -> assertThat(w)
                            .contains(stateTopic, RecordTooLargeException.class.getName(), "retried with backoff")
                            .doesNotContain("so-1", "0.0060", "transitions"));
            assertThat(registry.get("talosburst.events.state.pending").gauge().value())
                    .isEqualTo(1.0);
            assertThat(sink.backlogHealthy()).isTrue();

            // Exponential: the 2nd attempt 200 ms after the 1st failure, the 3rd 400 ms after the 2nd.
            clock.advance(BASE);
            await().atMost(Duration.ofSeconds(10)).until(() -> failures(registry) == 2);
            clock.advance(BASE);
            Thread.sleep(700);
            assertThat(SendCounter.sends(stateTopic)).isEqualTo(2);
            clock.advance(BASE);
            await().atMost(Duration.ofSeconds(10)).until(() -> failures(registry) == 3);

            // Events keep flowing meanwhile, and their acknowledgement does not bypass the state record's backoff.
            sink.emit(up.get(2));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> TopicReader.readAll(broker.bootstrapServers(), topic)
                                    .size()
                            == 3);
            Thread.sleep(300);
            assertThat(SendCounter.sends(stateTopic)).isEqualTo(3);
            assertThat(sink.pending()).isZero();

            // A minute later: one more attempt (the wait is capped), a second WARN, and readiness is lost.
            clock.advance(Duration.ofSeconds(61));
            await().atMost(Duration.ofSeconds(10)).until(() -> failures(registry) == 4);
            Thread.sleep(700);
            assertThat(SendCounter.sends(stateTopic)).isEqualTo(4);
            assertThat(log.at(Level.WARNING))
                    .hasSize(2)
                    .last()
                    .asString()
                    .contains("still cannot write", "4 failed attempts");
            assertThat(sink.backlogHealthy()).isFalse();
            assertThat(registry.get("talosburst.events.state.failing").gauge().value())
                    .isGreaterThanOrEqualTo(61.0);
            assertThat(Files.size(journal.resolve("node-lifecycle-events.journal")))
                    .isPositive();

            // The topic accepts writes again: the next attempt (at most the 2 s cap later) writes the latest state.
            try (Admin admin = admin()) {
                admin.incrementalAlterConfigs(Map.of(
                                new ConfigResource(ConfigResource.Type.TOPIC, stateTopic),
                                List.of(new AlterConfigOp(
                                        new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, ""),
                                        AlterConfigOp.OpType.DELETE))))
                        .all()
                        .get();
            }
            clock.advance(Duration.ofSeconds(2));
            // The broker applies the new limit asynchronously: an attempt may still fail, then the next one is let
            // through.
            AtomicLong seenFailures = new AtomicLong(4);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                if (failures(registry) > seenFailures.get()) {
                    seenFailures.set((long) failures(registry));
                    clock.advance(Duration.ofSeconds(2));
                }
                return TopicReader.readAll(broker.bootstrapServers(), stateTopic)
                                .size()
                        == 1;
            });
            ConsumerRecord<String, byte[]> state =
                    TopicReader.readAll(broker.bootstrapServers(), stateTopic).get(0);
            assertThat(state.key()).isEqualTo(EngineEvents.CLUSTER + "/so-1");
            assertThat(EventJson.read(state.value(), dev.talosburst.events.reconcile.RecordedServer.class)
                            .transitions())
                    .hasSize(3);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> log.at(Level.INFO).stream().anyMatch(m -> m.contains("again")));
            assertThat(log.at(Level.INFO))
                    .filteredOn(m -> m.contains("again"))
                    .singleElement()
                    .asString()
                    .contains(stateTopic, (long) failures(registry) + " failed attempts");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Files.size(journal.resolve("node-lifecycle-events.journal")) == 0);
            assertThat(sink.backlogHealthy()).isTrue();
            assertThat(registry.get("talosburst.events.state.pending").gauge().value())
                    .isZero();
            assertThat(registry.get("talosburst.events.state.failing").gauge().value())
                    .isZero();
            assertThat(log.at(Level.WARNING)).hasSize(2);
            assertThat(TopicReader.readAll(broker.bootstrapServers(), topic)).hasSize(3);
        } finally {
            sink.close(Duration.ZERO);
            log.close();
        }
    }

    private static double failures(SimpleMeterRegistry registry) {
        return registry.find(StateWriteOutage.FAILURES_METRIC).counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    /** A clock that moves only when told to. */
    private static final class ManualClock extends Clock {
        private final AtomicLong millis;

        ManualClock(Instant start) {
            millis = new AtomicLong(start.toEpochMilli());
        }

        void advance(Duration d) {
            millis.addAndGet(d.toMillis());
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
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }

    /** Counts records handed to the producer per topic (the sink's clients load it from {@code interceptor.classes}). */
    public static final class SendCounter
            implements ProducerInterceptor<String, byte[]>, ConsumerInterceptor<String, byte[]> {
        private static final Map<String, AtomicInteger> SENDS = new ConcurrentHashMap<>();

        static int sends(String topic) {
            AtomicInteger n = SENDS.get(topic);
            return n == null ? 0 : n.get();
        }

        @Override
        public ProducerRecord<String, byte[]> onSend(ProducerRecord<String, byte[]> record) {
            SENDS.computeIfAbsent(record.topic(), t -> new AtomicInteger()).incrementAndGet();
            return record;
        }

        @Override
        public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

        @Override
        public ConsumerRecords<String, byte[]> onConsume(ConsumerRecords<String, byte[]> records) {
            return records;
        }

        @Override
        public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

        @Override
        public void close() {}

        @Override
        public void configure(Map<String, ?> configs) {}
    }
}
