package dev.talosburst.events.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talosburst.events.model.EventIds;
import dev.talosburst.events.model.EventJson;
import dev.talosburst.events.model.NodeEventMapper;
import dev.talosburst.events.testing.DataSchema;
import dev.talosburst.events.testing.EngineEvents;
import dev.talosburst.events.testing.TestBroker;
import dev.talosburst.events.testing.TopicReader;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.lifecycle.Transition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class KafkaEventSinkTest {

    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    private static EventPublisherSettings settings(String topic) {
        return EventPublisherSettings.defaults(broker.bootstrapServers())
                .withTopic(topic)
                .withTopicLayout(3, (short) 1)
                .withDelivery(Duration.ofSeconds(3), Duration.ofMillis(200));
    }

    private static String uniqueTopic() {
        return "lifecycle-" + UUID.randomUUID();
    }

    @Test
    void scaleUpOfThreeAndScaleDownOfOneProduceExactlyTheExpectedCloudEvents() throws IOException {
        String topic = uniqueTopic();
        EngineEvents engine = EngineEvents.cx22Fsn1("workers-fsn1");
        List<LifecycleEvent> emitted = new ArrayList<>();
        emitted.add(engine.scaleUp(1, 3, 3, T0));
        for (int i = 1; i <= 3; i++) {
            emitted.addAll(engine.serverUp("workers-fsn1-" + i, 1000 + i, T0.plusSeconds(i)));
        }
        Instant deleted = T0.plusSeconds(3 + 2 * 3600 + 600); // lived 2 h 10 min 20 s since creation
        emitted.add(engine.scaleDown(1, 1, 2, deleted.minusSeconds(30), "workers-fsn1-3"));
        emitted.addAll(engine.serverDown("workers-fsn1-3", 1003, T0.plusSeconds(3), deleted));

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (KafkaEventSink sink = new KafkaEventSink(settings(topic), registry)) {
            sink.start();
            emitted.forEach(sink::emit);
            await().atMost(Duration.ofSeconds(30)).until(() -> sink.pending() == 0);
            // the metrics of the last acknowledgement may be recorded just after it left the pending count
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            registry.get("talosburst.events.publish").timer().count() == emitted.size());
            assertThat(registry.get("talosburst.events.published")
                            .tag("type", "server-created")
                            .counter()
                            .count())
                    .isEqualTo(3);
            assertThat(registry.get("talosburst.events.published")
                            .tag("type", "server-deleted")
                            .counter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get("talosburst.events.publish").timer().count())
                    .isEqualTo(emitted.size());
            assertThat(registry.get("talosburst.events.pending").gauge().value())
                    .isZero();
            assertThat(sink.backlogHealthy()).isTrue();
        }

        List<ConsumerRecord<String, byte[]>> records = TopicReader.readAll(broker.bootstrapServers(), topic);
        assertThat(records).hasSize(16);
        Set<String> ids = new HashSet<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            Map<String, String> h = TopicReader.headers(r);
            assertThat(h)
                    .containsEntry("ce_specversion", "1.0")
                    .containsEntry("ce_source", "/talos-burst/lab-1")
                    .containsEntry("content-type", "application/json")
                    .containsEntry("ce_dataschema", NodeEventMapper.DATA_SCHEMA_V1)
                    .containsEntry("ce_subject", r.key());
            assertThat(h.get("ce_type")).matches("dev\\.talosburst\\.node\\.[a-z-]+\\.v1");
            assertThat(DataSchema.errors(r.value()))
                    .as("schema errors of %s", h.get("ce_type"))
                    .isEmpty();
            assertThat(ids.add(h.get("ce_id")))
                    .as("id %s unique", h.get("ce_id"))
                    .isTrue();
        }
        // Every emitted event is there exactly once, under its deterministic id, at its time.
        for (LifecycleEvent e : emitted) {
            ConsumerRecord<String, byte[]> r = records.stream()
                    .filter(x -> TopicReader.headers(x).get("ce_id").equals(EventIds.forIdentity(e.identity())))
                    .findFirst()
                    .orElseThrow();
            assertThat(r.key()).isEqualTo(e.subject());
            assertThat(TopicReader.headers(r))
                    .containsEntry("ce_time", e.at().toString())
                    .containsEntry(
                            "ce_type", "dev.talosburst.node." + e.transition().eventName() + ".v1");
        }
        assertThat(TopicReader.typesOf(records, "workers-fsn1"))
                .containsExactly(
                        "dev.talosburst.node.scale-up-requested.v1", "dev.talosburst.node.scale-down-requested.v1");
        assertThat(TopicReader.typesOf(records, "workers-fsn1-3"))
                .containsExactly(
                        "dev.talosburst.node.server-create-requested.v1", "dev.talosburst.node.server-created.v1",
                        "dev.talosburst.node.node-registered.v1", "dev.talosburst.node.node-ready.v1",
                        "dev.talosburst.node.server-deleted.v1", "dev.talosburst.node.node-removed.v1");
        assertThat(TopicReader.typesOf(records, "workers-fsn1-1")).hasSize(4);

        JsonNode scaleUp = data(records, "scale-up-requested");
        assertThat(scaleUp.at("/scale/delta").asInt()).isEqualTo(3);
        assertThat(scaleUp.at("/scale/newTarget").asInt()).isEqualTo(3);
        assertThat(scaleUp.at("/pool").asText()).isEqualTo("workers-fsn1");
        assertThat(scaleUp.at("/scale/previousTarget").asInt()).isZero();
        assertThat(scaleUp.has("server")).isFalse();
        JsonNode scaleDown = data(records, "scale-down-requested");
        assertThat(scaleDown.at("/scale/delta").asInt()).isEqualTo(1);
        assertThat(scaleDown.at("/scale/newTarget").asInt()).isEqualTo(2);
        assertThat(scaleDown.at("/details/servers").asText()).isEqualTo("workers-fsn1-3");

        JsonNode created = data(records, "server-created");
        assertThat(created.at("/server/type").asText()).isEqualTo("cx22");
        assertThat(created.at("/server/location").asText()).isEqualTo("fsn1");
        assertThat(created.at("/server/architecture").asText()).isEqualTo("amd64");
        assertThat(created.at("/server/price/hourlyGross").asText()).isEqualTo("0.007140");
        assertThat(created.at("/server/labels/managed-by").asText()).isEqualTo("talos-burst");

        // 2 h 10 min 20 s of life: three started hours at the creation-time price.
        JsonNode deletedData = data(records, "server-deleted");
        assertThat(deletedData.at("/server/id").asLong()).isEqualTo(1003);
        assertThat(deletedData.at("/server/providerId").asText()).isEqualTo("hcloud://1003");
        assertThat(deletedData.at("/billing/lifetimeSeconds").asLong()).isEqualTo(2 * 3600 + 600 - 20);
        assertThat(deletedData.at("/billing/billableHours").asLong()).isEqualTo(3);
        assertThat(deletedData.at("/billing/amountNet").asText()).isEqualTo("0.0180");
        assertThat(deletedData.at("/billing/amountGross").asText()).isEqualTo("0.021420");
        assertThat(deletedData.at("/billing/currency").asText()).isEqualTo("EUR");
    }

    @Test
    void brokerOutageMidSequenceLosesNothingAndKeepsPerServerOrder() {
        String topic = uniqueTopic();
        EngineEvents engine = EngineEvents.cx22Fsn1("burst");
        List<LifecycleEvent> before = new ArrayList<>();
        List<LifecycleEvent> during = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            List<LifecycleEvent> up = engine.serverUp("burst-" + i, 2000 + i, T0.plusSeconds(i));
            before.addAll(up.subList(0, 2));
            during.addAll(up.subList(2, 4));
        }
        during.addAll(engine.serverDown("burst-4", 2004, T0.plusSeconds(4), T0.plusSeconds(7200)));

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EventPublisherSettings s = settings(topic).withQueue(100, 5);
        try (KafkaEventSink sink = new KafkaEventSink(s, registry)) {
            sink.start();
            before.forEach(sink::emit);
            await().atMost(Duration.ofSeconds(30)).until(() -> sink.pending() == 0);

            broker.stop();
            during.forEach(sink::emit);
            // emit returned without waiting for the broker; the events wait and readiness says so.
            assertThat(sink.pending()).isEqualTo(during.size());
            assertThat(sink.backlogHealthy()).isFalse();
            // Longer than the delivery timeout (3 s): still waiting, nothing given up.
            await().during(Duration.ofSeconds(4))
                    .atMost(Duration.ofSeconds(6))
                    .until(() -> sink.pending() == during.size());
            assertThat(sink.pending()).isEqualTo(during.size());

            broker.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> sink.pending() == 0);
            assertThat(sink.backlogHealthy()).isTrue();
        }

        List<ConsumerRecord<String, byte[]>> records = TopicReader.readAll(broker.bootstrapServers(), topic);
        List<String> ids =
                records.stream().map(r -> TopicReader.headers(r).get("ce_id")).toList();
        assertThat(ids).doesNotHaveDuplicates().hasSize(before.size() + during.size());
        for (int i = 1; i <= 3; i++) {
            assertThat(TopicReader.typesOf(records, "burst-" + i))
                    .containsExactly(
                            "dev.talosburst.node.server-create-requested.v1", "dev.talosburst.node.server-created.v1",
                            "dev.talosburst.node.node-registered.v1", "dev.talosburst.node.node-ready.v1");
        }
        assertThat(TopicReader.typesOf(records, "burst-4"))
                .containsExactly(
                        "dev.talosburst.node.server-create-requested.v1", "dev.talosburst.node.server-created.v1",
                        "dev.talosburst.node.node-registered.v1", "dev.talosburst.node.node-ready.v1",
                        "dev.talosburst.node.server-deleted.v1", "dev.talosburst.node.node-removed.v1");
    }

    @Test
    void fullQueueSpillsToTheJournalAndStillDeliversEverythingInOrder(@TempDir Path journal) {
        String topic = uniqueTopic();
        EngineEvents engine = EngineEvents.cx22Fsn1("spill");
        List<LifecycleEvent> events = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            events.addAll(engine.serverUp("spill-" + i, 3000 + i, T0.plusSeconds(i)));
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // Capacity 3 in memory: 17 of the 20 events can only wait in the journal.
        EventPublisherSettings s = settings(topic).withQueue(3, 2).withJournal(journal);
        try (KafkaEventSink sink = new KafkaEventSink(s, registry)) {
            broker.stop();
            sink.start();
            events.forEach(sink::emit);
            assertThat(sink.pending()).isEqualTo(20);
            // the sender takes the handed-over events in while the broker is down: 3 in memory, 17 in the journal only
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(registry.get("talosburst.events.spilled")
                                    .counter()
                                    .count())
                            .isEqualTo(17));
            assertThat(sink.pending()).isEqualTo(20);
            broker.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> sink.pending() == 0);
        }
        List<ConsumerRecord<String, byte[]>> records = TopicReader.readAll(broker.bootstrapServers(), topic);
        assertThat(records).hasSize(20);
        for (int i = 1; i <= 5; i++) {
            assertThat(TopicReader.typesOf(records, "spill-" + i))
                    .containsExactly(
                            "dev.talosburst.node.server-create-requested.v1", "dev.talosburst.node.server-created.v1",
                            "dev.talosburst.node.node-registered.v1", "dev.talosburst.node.node-ready.v1");
        }
        assertThat(journal.resolve(EventJournal.FILE_NAME)).isEmptyFile();
    }

    @Test
    void withoutJournalAFullQueueRefusesAndCountsInsteadOfBlocking() {
        EngineEvents engine = EngineEvents.cx22Fsn1("tiny");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EventPublisherSettings s = EventPublisherSettings.defaults("127.0.0.1:" + TestBroker.freePort())
                .withTopic(uniqueTopic())
                .withQueue(2, 1)
                .withDelivery(Duration.ofSeconds(1), Duration.ofMillis(200));
        try (KafkaEventSink sink = new KafkaEventSink(s, registry)) {
            sink.start();
            engine.serverUp("tiny-1", 1, T0).forEach(sink::emit);
            assertThat(sink.pending()).isEqualTo(2);
            assertThat(registry.get("talosburst.events.dropped").counter().count())
                    .isEqualTo(2);
            assertThat(sink.backlogHealthy()).isFalse();
            sink.close(Duration.ZERO);
        }
    }

    @Test
    void aRecordKafkaRefusesIsKeptAndRetriedNeverDropped() {
        EngineEvents engine = EngineEvents.cx22Fsn1("refused");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // Every event is larger than this: the producer refuses each one with a non-retriable error.
        EventPublisherSettings s = settings(uniqueTopic()).withClientOverrides(Map.of("max.request.size", "200"));
        try (KafkaEventSink sink = new KafkaEventSink(s, registry)) {
            sink.start();
            engine.serverUp("refused-1", 1, T0).forEach(sink::emit);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> registry.get("talosburst.events.send.failures")
                                    .counter()
                                    .count()
                            >= 3);
            assertThat(sink.pending()).isEqualTo(4);
            assertThat(registry.get("talosburst.events.dropped").counter().count())
                    .isZero();
            assertThat(registry.find("talosburst.events.published").counters())
                    .isNotEmpty()
                    .allSatisfy(c -> assertThat(c.count()).isZero());
            sink.close(Duration.ZERO);
        }
    }

    @Test
    void journalOfAPreviousRunGoesBeforeEventsEmittedBeforeStart(@TempDir Path journal) throws IOException {
        EngineEvents engine = EngineEvents.cx22Fsn1("order");
        List<LifecycleEvent> up = engine.serverUp("order-1", 1, T0);
        EventPublisherSettings s = EventPublisherSettings.defaults("127.0.0.1:" + TestBroker.freePort())
                .withTopic(uniqueTopic())
                .withJournal(journal)
                .withDelivery(Duration.ofSeconds(1), Duration.ofMillis(200));
        KafkaEventSink previous = new KafkaEventSink(s, new SimpleMeterRegistry());
        previous.emit(up.get(0));
        previous.emit(up.get(1));
        previous.close(Duration.ZERO);

        KafkaEventSink next = new KafkaEventSink(s, new SimpleMeterRegistry());
        assertThat(next.pending()).isEqualTo(2);
        next.emit(up.get(2)); // the engine may emit before the sink is started
        next.close(Duration.ZERO);

        try (EventJournal j = EventJournal.open(journal, false)) {
            assertThat(j.unacknowledged(0, 10))
                    .extracting(e -> e.event().transition())
                    .containsExactly(
                            Transition.SERVER_CREATE_REQUESTED, Transition.SERVER_CREATED, Transition.NODE_REGISTERED);
        }
    }

    @Test
    void eventsFlowEvenWhenTheStateTopicIsMissing() throws Exception {
        String topic = uniqueTopic();
        try (org.apache.kafka.clients.admin.Admin admin =
                org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1)))
                    .all()
                    .get();
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (KafkaEventSink sink = new KafkaEventSink(settings(topic).withCreateTopics(false), registry)) {
            sink.start();
            EngineEvents.cx22Fsn1("nostate").serverUp("nostate-1", 1, T0).forEach(sink::emit);
            await().atMost(Duration.ofSeconds(30)).until(() -> sink.pending() == 0);
            // The missing state topic is counted (each attempt blocks on metadata, so they are spaced out), but
            // readiness holds until it has failed for stateUnhealthyAfter (5 min by default).
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> registry.find(StateWriteOutage.FAILURES_METRIC).counters().stream()
                                    .mapToDouble(io.micrometer.core.instrument.Counter::count)
                                    .sum()
                            >= 1);
            assertThat(registry.get("talosburst.events.state.pending").gauge().value())
                    .isPositive();
            assertThat(sink.backlogHealthy()).isTrue();
            sink.close(Duration.ZERO);
        }
        assertThat(TopicReader.typesOf(TopicReader.readAll(broker.bootstrapServers(), topic), "nostate-1"))
                .hasSize(4);
    }

    @Test
    void emitAfterCloseIsRefusedLoudly() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        KafkaEventSink sink = new KafkaEventSink(settings(uniqueTopic()), registry);
        sink.close(Duration.ZERO);
        sink.emit(EngineEvents.cx22Fsn1("late").scaleUp(1, 1, 1, T0));
        assertThat(registry.get("talosburst.events.dropped").counter().count()).isEqualTo(1);
        assertThat(sink.pending()).isZero();
    }

    private static JsonNode data(List<ConsumerRecord<String, byte[]>> records, String event) throws IOException {
        for (ConsumerRecord<String, byte[]> r : records) {
            JsonNode n = EventJson.mapper().readTree(r.value());
            if (n.get("event").asText().equals(event)) {
                return n;
            }
        }
        throw new AssertionError("no " + event + " event in " + records.size() + " records");
    }
}
