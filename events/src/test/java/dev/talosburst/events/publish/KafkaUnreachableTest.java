package dev.talosburst.events.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.events.testing.EngineEvents;
import dev.talosburst.events.testing.TestBroker;
import dev.talosburst.events.testing.TopicReader;
import dev.talosburst.hcloudsim.SettableClock;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.testing.CapturedLog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A publisher whose broker goes away, idle or with events flowing: one WARN naming the bootstrap servers and then one a
 * minute whichever path notices (connectivity check, failed sends, failed state writes), readiness lost after
 * {@code unreachableAfter} (on the injected clock), one INFO at the first answer, nothing lost.
 */
class KafkaUnreachableTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    @Test
    void anIdlePublisherNoticesTheBrokerIsGoneWarnsOnceAMinuteAndRecovers() throws Exception {
        SettableClock clock = new SettableClock(Instant.parse("2026-11-20T10:00:00Z"));
        EventPublisherSettings settings = EventPublisherSettings.defaults(broker.bootstrapServers())
                .withTopic("unreachable-" + UUID.randomUUID())
                .withTopicLayout(1, (short) 1)
                .withDelivery(Duration.ofSeconds(2), Duration.ofMillis(200))
                .withUnreachableAfter(Duration.ofSeconds(30));
        String warning =
                "cannot reach Kafka at " + broker.bootstrapServers() + " (talosburst.events.bootstrap-servers)";
        try (CapturedLog log = CapturedLog.of(KafkaEventSink.class);
                KafkaEventSink sink = new KafkaEventSink(settings, new SimpleMeterRegistry(), clock)) {
            sink.start();
            sink.recordedServers("any", Duration.ofSeconds(60)); // set up: topics created, state read back

            // idle and healthy: after a third of unreachableAfter without traffic, a check gets an answer
            clock.advance(Duration.ofSeconds(11));
            await().atMost(Duration.ofSeconds(20)).until(() -> sink.kafkaSilentSeconds() == 0);
            assertThat(sink.kafkaReachable()).isTrue();

            broker.stop();
            clock.advance(Duration.ofSeconds(11));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !log.at(Level.WARNING).isEmpty());
            assertThat(log.at(Level.WARNING))
                    .singleElement()
                    .asString()
                    .startsWith(warning)
                    .contains("goes DOWN after PT30S");
            assertThat(sink.backlogHealthy())
                    .as("11 s without an answer, 30 s allowed")
                    .isTrue();

            clock.advance(Duration.ofSeconds(20));
            assertThat(sink.kafkaReachable()).isFalse();
            assertThat(sink.backlogHealthy()).isFalse();
            assertThat(log.at(Level.WARNING)).hasSize(1);

            // a minute into the outage, the next failed check warns again, once
            clock.advance(Duration.ofSeconds(61));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> log.at(Level.WARNING).size() == 2);
            assertThat(log.at(Level.WARNING).get(1))
                    .startsWith("still cannot reach Kafka at " + broker.bootstrapServers());

            broker.start();
            await().atMost(Duration.ofSeconds(60)).until(sink::kafkaReachable);
            assertThat(sink.backlogHealthy()).isTrue();
            assertThat(log.at(Level.INFO))
                    .filteredOn(m -> m.startsWith("Kafka at " + broker.bootstrapServers() + " answers again"))
                    .hasSize(1);
            assertThat(log.at(Level.WARNING)).hasSize(2);
        }
    }

    @Test
    void aBacklogWaitingForTheBrokerIsVisibleInMetricsAndDrainsInOrderWhenItIsBack() throws Exception {
        SettableClock clock = new SettableClock(Instant.parse("2026-11-20T10:00:00Z"));
        String topic = "backlog-" + UUID.randomUUID();
        EventPublisherSettings settings = EventPublisherSettings.defaults(broker.bootstrapServers())
                .withTopic(topic)
                .withTopicLayout(1, (short) 1)
                .withDelivery(Duration.ofSeconds(2), Duration.ofMillis(200))
                .withUnreachableAfter(Duration.ofSeconds(30));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EngineEvents engine = EngineEvents.cx22Fsn1("pool-a");
        List<LifecycleEvent> events = engine.serverUp("pool-a-b1", 101, clock.instant());
        try (KafkaEventSink sink = new KafkaEventSink(settings, registry, clock)) {
            sink.start();
            sink.recordedServers("any", Duration.ofSeconds(60));
            assertThat(registry.get("talosburst.events.backlog.oldest").gauge().value())
                    .isZero();

            broker.stop();
            events.forEach(sink::emit);
            clock.advance(Duration.ofSeconds(90));
            assertThat(registry.get("talosburst.events.pending").gauge().value())
                    .isEqualTo(events.size());
            assertThat(registry.get("talosburst.events.backlog.oldest").gauge().value())
                    .isEqualTo(90.0);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> registry.get("talosburst.events.kafka.silent")
                                    .gauge()
                                    .value()
                            >= 90);

            broker.start();
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                clock.advance(Duration.ofSeconds(1)); // retries wait on the injected clock
                return sink.pending() == 0;
            });
            assertThat(registry.get("talosburst.events.backlog.oldest").gauge().value())
                    .isZero();
            assertThat(registry.get("talosburst.events.kafka.silent").gauge().value())
                    .isLessThan(5);
        }
        assertThat(TopicReader.typesOf(TopicReader.readAll(broker.bootstrapServers(), topic), "pool-a-b1"))
                .containsExactlyElementsOf(events.stream()
                        .map(e -> "dev.talosburst.node." + e.transition().eventName() + ".v1")
                        .toList());
    }

    @Test
    // a safety net: a hang anywhere fails the test rather than the whole run
    @org.junit.jupiter.api.Timeout(
            value = 4,
            unit = java.util.concurrent.TimeUnit.MINUTES,
            threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void withEventsFlowingThroughAnOutageItWarnsOnceAndThenOnceAMinuteNamingTheBootstrapServers() throws Exception {
        SettableClock clock = new SettableClock(Instant.parse("2026-11-20T10:00:00Z"));
        String topic = "flowing-" + UUID.randomUUID();
        EventPublisherSettings settings = EventPublisherSettings.defaults(broker.bootstrapServers())
                .withTopic(topic)
                .withTopicLayout(1, (short) 1)
                .withDelivery(Duration.ofSeconds(2), Duration.ofMillis(200))
                .withUnreachableAfter(Duration.ofSeconds(30));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EngineEvents engine = EngineEvents.cx22Fsn1("pool-a");
        Map<String, List<LifecycleEvent>> emitted = new LinkedHashMap<>();
        String bootstrap = broker.bootstrapServers();
        try (CapturedLog log = CapturedLog.of(KafkaEventSink.class);
                KafkaEventSink sink = new KafkaEventSink(settings, registry, clock)) {
            sink.start();
            sink.recordedServers("any", Duration.ofSeconds(60));
            List<LifecycleEvent> before = engine.serverUp("pool-a-b0", 100, clock.instant());
            emitted.put("pool-a-b0", before);
            before.forEach(sink::emit);
            await().atMost(Duration.ofSeconds(30)).until(() -> sink.pending() == 0);

            broker.stop();
            // 15 steps on the injected clock (10 s, then every 20 s up to 290 s into the outage), each emitting a
            // server's events and waiting until an attempt failed at that time: failed sends, state writes and
            // connectivity checks (due every 10 s on the clock) all report the same outage. Not a send failure each
            // time: an event producer that holds the topic's metadata keeps the events and fails nothing while the
            // broker is away, so without the clock moving nothing need fail at all.
            for (int step = 0; step < 15; step++) {
                clock.advance(Duration.ofSeconds(step == 0 ? 10 : 20));
                String server = "pool-a-b" + (step + 1);
                List<LifecycleEvent> events = engine.serverUp(server, 101 + step, clock.instant());
                emitted.put(server, events);
                long failuresBefore = sink.contactFailures();
                events.forEach(sink::emit);
                await().atMost(Duration.ofSeconds(30)).until(() -> sink.contactFailures() > failuresBefore);
            }
            assertThat(sink.kafkaReachable()).isFalse();

            // 10 s, then 70, 130, 190 and 250 s: one a minute, all naming the bootstrap servers and the option
            List<String> warnings = log.at(Level.WARNING);
            assertThat(warnings).hasSize(5);
            assertThat(warnings.get(0))
                    .startsWith("cannot reach Kafka at " + bootstrap + " (talosburst.events.bootstrap-servers)");
            assertThat(warnings.subList(1, 5))
                    .allSatisfy(w -> assertThat(w)
                            .startsWith("still cannot reach Kafka at " + bootstrap
                                    + " (talosburst.events.bootstrap-servers)"));

            broker.start();
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                clock.advance(Duration.ofMillis(50)); // retries wait on the injected clock; less than a minute in all
                return sink.pending() == 0 && sink.kafkaReachable();
            });
            assertThat(log.at(Level.WARNING)).hasSize(5);
            assertThat(log.at(Level.INFO))
                    .filteredOn(m -> m.contains("Kafka") && m.contains("again"))
                    .singleElement()
                    .asString()
                    .startsWith("Kafka at " + bootstrap + " answers again, after ");
        }
        List<ConsumerRecord<String, byte[]>> records = TopicReader.readAll(broker.bootstrapServers(), topic);
        assertThat(records)
                .hasSize(emitted.values().stream().mapToInt(List::size).sum());
        emitted.forEach((server, events) -> assertThat(TopicReader.typesOf(records, server))
                .as(server)
                .containsExactlyElementsOf(events.stream()
                        .map(e -> "dev.talosburst.node." + e.transition().eventName() + ".v1")
                        .toList()));
    }
}
