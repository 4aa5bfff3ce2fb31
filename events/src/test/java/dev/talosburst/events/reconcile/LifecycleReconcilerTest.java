package dev.talosburst.events.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talosburst.events.model.EventIds;
import dev.talosburst.events.model.EventJson;
import dev.talosburst.events.publish.EventPublisherSettings;
import dev.talosburst.events.publish.KafkaEventSink;
import dev.talosburst.events.testing.DataSchema;
import dev.talosburst.events.testing.EngineEvents;
import dev.talosburst.events.testing.TestBroker;
import dev.talosburst.events.testing.TopicReader;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent.ServerFacts;
import dev.talosburst.provisioner.lifecycle.Transition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Crash recovery: a publisher rebuilt from scratch reconciles what exists against what Kafka already has. */
class LifecycleReconcilerTest {

    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    private static final Instant RESTART = Instant.parse("2026-11-20T14:00:00Z");
    private static final String TOMBSTONE = "<tombstone>";

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    @Test
    void afterAKillMissingTransitionsAppearExactlyOnce(@TempDir Path journal) throws Exception {
        String topic = "lifecycle-" + UUID.randomUUID();
        EventPublisherSettings settings = EventPublisherSettings.defaults(broker.bootstrapServers())
                .withTopic(topic)
                .withTopicLayout(3, (short) 1)
                .withDelivery(Duration.ofSeconds(3), Duration.ofMillis(200))
                .withJournal(journal);
        EngineEvents engine = EngineEvents.cx22Fsn1("rc");

        // First life: "rc-a" fully up, "rc-b" fully up, "rc-c" only create-requested (the process dies right
        // after Hetzner created it, before server-created was emitted).
        List<LifecycleEvent> a = engine.serverUp("rc-a", 11, T0);
        List<LifecycleEvent> b = engine.serverUp("rc-b", 12, T0);
        List<LifecycleEvent> c = engine.serverUp("rc-c", 13, T0.plusSeconds(600));
        try (KafkaEventSink first = new KafkaEventSink(settings, new SimpleMeterRegistry())) {
            first.start();
            a.forEach(first::emit);
            b.forEach(first::emit);
            first.emit(c.get(0));
            await().atMost(Duration.ofSeconds(30)).until(() -> first.pending() == 0);
            // Wait for the state records too: they are written after the events' acknowledgements.
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> stateRecords(topic).size() == 3);
        }

        // One more event emitted while Kafka is away, then the process is killed: it survives in the journal only.
        broker.stop();
        LifecycleEvent aNotReady = new LifecycleEvent(
                Transition.NODE_NOT_READY,
                EngineEvents.CLUSTER,
                "rc",
                "rc-a",
                "1",
                T0.plusSeconds(3000),
                11L,
                a.get(3).server(),
                "kubelet stopped posting status",
                Map.of());
        KafkaEventSink killed = new KafkaEventSink(settings, new SimpleMeterRegistry());
        killed.start();
        killed.emit(aNotReady);
        killed.close(Duration.ZERO);
        broker.start();

        // While down: rc-b was deleted in Hetzner; rc-c finished booting and its Node registered and turned Ready.
        ServerFacts cNow = engine.facts(
                "rc-c", T0.plusSeconds(600), T0.plusSeconds(620), T0.plusSeconds(700), T0.plusSeconds(720), null);
        ServerFacts aNow = a.get(3).server();
        List<ObservedServer> existing = List.of(
                new ObservedServer("rc-a", 11, "rc", aNow, "running", true, true),
                new ObservedServer("rc-c", 13, "rc", cNow, "running", true, true));

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LifecycleReconciler.Result result;
        try (KafkaEventSink second = new KafkaEventSink(settings, registry)) {
            second.start();
            LifecycleReconciler reconciler = new LifecycleReconciler(
                    EngineEvents.CLUSTER, second, second, Clock.fixed(RESTART, ZoneOffset.UTC), Duration.ofSeconds(30));
            result = reconciler.reconcile(existing);
            await().atMost(Duration.ofSeconds(30)).until(() -> second.pending() == 0);

            // A second reconcile (e.g. the next periodic one) finds nothing missing.
            // rc-b's life is complete: its state record is replaced by a tombstone (compaction forgets it).
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> stateRecords(topic).size() == 3
                            && TOMBSTONE.equals(stateRecords(topic).get("lab-1/rc-b")));
            assertThat(second.recordedServers(EngineEvents.CLUSTER, Duration.ofSeconds(1)))
                    .containsOnlyKeys("rc-a", "rc-c");
        }
        assertThat(result.published())
                .extracting(e -> e.subject() + ":" + e.transition().eventName())
                .containsExactlyInAnyOrder(
                        "rc-c:server-created",
                        "rc-c:node-registered",
                        "rc-c:node-ready",
                        "rc-b:server-deleted",
                        "rc-b:node-removed");

        List<ConsumerRecord<String, byte[]>> records = TopicReader.readAll(broker.bootstrapServers(), topic);
        Map<String, Long> perId = records.stream()
                .collect(Collectors.groupingBy(r -> TopicReader.headers(r).get("ce_id"), Collectors.counting()));
        assertThat(perId.values()).allMatch(n -> n == 1L);
        assertThat(records).hasSize(4 + 4 + 1 + 1 + 3 + 2);
        assertThat(perId).containsKey(EventIds.forIdentity(aNotReady.identity()));
        assertThat(TopicReader.typesOf(records, "rc-c"))
                .containsExactly(
                        "dev.talosburst.node.server-create-requested.v1", "dev.talosburst.node.server-created.v1",
                        "dev.talosburst.node.node-registered.v1", "dev.talosburst.node.node-ready.v1");
        assertThat(TopicReader.typesOf(records, "rc-b"))
                .endsWith("dev.talosburst.node.server-deleted.v1", "dev.talosburst.node.node-removed.v1");
        // The reconciled server-created has the id the engine would have used: a late engine re-emit is a duplicate.
        LifecycleEvent engineCreated = c.get(1);
        assertThat(perId).containsKey(EventIds.forIdentity(engineCreated.identity()));

        Map<String, JsonNode> byType = records.stream()
                .filter(r -> "rc-b".equals(r.key()))
                .collect(Collectors.toMap(
                        r -> TopicReader.headers(r).get("ce_type"), LifecycleReconcilerTest::json, (x, y) -> x));
        JsonNode deleted = byType.get("dev.talosburst.node.server-deleted.v1");
        assertThat(deleted.at("/server/phases/deletedAt").asText()).isEqualTo(RESTART.toString());
        assertThat(deleted.at("/details/deletedAtEstimated").asText()).isEqualTo("true");
        assertThat(deleted.at("/details/lastSeenAt").asText())
                .isEqualTo(b.get(3).at().toString());
        assertThat(deleted.at("/server/price/hourlyNet").asText()).isEqualTo("0.0060");
        // created T0+20s, "deleted" at 14:00 = 3 h 59 min 40 s: 4 started hours.
        assertThat(deleted.at("/billing/billableHours").asLong()).isEqualTo(4);
        for (ConsumerRecord<String, byte[]> r : records) {
            assertThat(DataSchema.errors(r.value())).isEmpty();
        }

        // Third life: nothing missing any more, nothing published; the engine adopting rc-c again (same
        // server-created identity) is not even re-sent.
        SimpleMeterRegistry thirdRegistry = new SimpleMeterRegistry();
        try (KafkaEventSink third = new KafkaEventSink(settings, thirdRegistry)) {
            third.start();
            LifecycleReconciler again = new LifecycleReconciler(
                    EngineEvents.CLUSTER,
                    third,
                    third,
                    Clock.fixed(RESTART.plusSeconds(60), ZoneOffset.UTC),
                    Duration.ofSeconds(30));
            assertThat(again.reconcile(existing).published()).isEmpty();
            third.emit(engineCreated);
            assertThat(thirdRegistry
                            .get("talosburst.events.duplicates.suppressed")
                            .counter()
                            .count())
                    .isEqualTo(1);
            assertThat(third.pending()).isZero();
        }
        assertThat(TopicReader.readAll(broker.bootstrapServers(), topic)).hasSize(records.size());
    }

    @Test
    void anAcknowledgedEventWhoseStateRecordNeverLandedIsStillKnownAfterACrash(@TempDir Path journal) throws Exception {
        String topic = "lifecycle-" + UUID.randomUUID();
        // The state topic refuses its records (too large for it): events are acknowledged, their state records are
        // not. The same window exists, briefly, after every acknowledgement.
        broker.createStateTopicRefusingRecords(topic + ".state", 1);
        EventPublisherSettings settings = EventPublisherSettings.defaults(broker.bootstrapServers())
                .withTopic(topic)
                .withTopicLayout(1, (short) 1)
                .withDelivery(Duration.ofSeconds(2), Duration.ofMillis(200))
                .withJournal(journal);
        EngineEvents engine = EngineEvents.cx22Fsn1("gap");
        List<LifecycleEvent> up = engine.serverUp("gap-1", 31, T0).subList(0, 2); // create-requested, created
        KafkaEventSink first = new KafkaEventSink(settings, new SimpleMeterRegistry());
        first.start();
        up.forEach(first::emit);
        await().atMost(Duration.ofSeconds(30)).until(() -> first.pending() == 0);
        first.close(Duration.ZERO); // killed before any state record could be written
        assertThat(TopicReader.readAll(broker.bootstrapServers(), topic + ".state"))
                .isEmpty();
        assertThat(TopicReader.readAll(broker.bootstrapServers(), topic)).hasSize(2);

        // The state topic is writable again; gap-1 was deleted while talos-burst was down.
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.incrementalAlterConfigs(Map.of(
                            new ConfigResource(ConfigResource.Type.TOPIC, topic + ".state"),
                            List.of(new AlterConfigOp(
                                    new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, ""),
                                    AlterConfigOp.OpType.DELETE))))
                    .all()
                    .get();
        }
        try (KafkaEventSink second = new KafkaEventSink(settings, new SimpleMeterRegistry())) {
            second.start();
            assertThat(second.recordedServers(EngineEvents.CLUSTER, Duration.ofSeconds(30)))
                    .containsKey("gap-1");
            LifecycleReconciler reconciler = new LifecycleReconciler(
                    EngineEvents.CLUSTER, second, second, Clock.fixed(RESTART, ZoneOffset.UTC), Duration.ofSeconds(30));
            assertThat(reconciler.reconcile(List.of()).published())
                    .extracting(e -> e.subject() + ":" + e.transition().eventName())
                    .containsExactly("gap-1:server-deleted");
            await().atMost(Duration.ofSeconds(30)).until(() -> second.pending() == 0);
            // Its life is complete now: the state record written late is a tombstone, and the journal is emptied.
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> TOMBSTONE.equals(stateRecords(topic).get("lab-1/gap-1")));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Files.size(journal.resolve("node-lifecycle-events.journal")) == 0);
        }
        // Nothing acknowledged before the crash was sent again.
        assertThat(TopicReader.typesOf(TopicReader.readAll(broker.bootstrapServers(), topic), "gap-1"))
                .containsExactly(
                        "dev.talosburst.node.server-create-requested.v1",
                        "dev.talosburst.node.server-created.v1",
                        "dev.talosburst.node.server-deleted.v1");
    }

    @Test
    void clustersSharingTheTopicsKeepTheirOwnServerState() throws Exception {
        String topic = "lifecycle-" + UUID.randomUUID();
        EventPublisherSettings settings = EventPublisherSettings.defaults(broker.bootstrapServers())
                .withTopic(topic)
                .withTopicLayout(1, (short) 1)
                .withDelivery(Duration.ofSeconds(3), Duration.ofMillis(200));
        EngineEvents engine = EngineEvents.cx22Fsn1("shared");
        LifecycleEvent mine = engine.serverUp("shared-1", 101, T0).get(1);
        LifecycleEvent theirs = new LifecycleEvent(
                Transition.SERVER_CREATED, "lab-2", "shared", "shared-1", "", T0, 202L, mine.server(), null, Map.of());
        try (KafkaEventSink first = new KafkaEventSink(settings, new SimpleMeterRegistry())) {
            first.start();
            first.emit(mine);
            first.emit(theirs);
            await().atMost(Duration.ofSeconds(30)).until(() -> first.pending() == 0);
        }
        try (KafkaEventSink second = new KafkaEventSink(settings, new SimpleMeterRegistry())) {
            second.start();
            assertThat(second.recordedServers("lab-1", Duration.ofSeconds(30))
                            .get("shared-1")
                            .serverId())
                    .isEqualTo(101L);
            assertThat(second.recordedServers("lab-2", Duration.ofSeconds(30))
                            .get("shared-1")
                            .serverId())
                    .isEqualTo(202L);
            assertThat(second.recordedServers("lab-3", Duration.ofSeconds(30))).isEmpty();
        }
    }

    @Test
    void aServerCreatedWhileReconcilingIsPublishedCreatedOnceAndNeverDeleted() throws Exception {
        String topic = "lifecycle-" + UUID.randomUUID();
        EventPublisherSettings settings = EventPublisherSettings.defaults(broker.bootstrapServers())
                .withTopic(topic)
                .withTopicLayout(1, (short) 1)
                .withDelivery(Duration.ofSeconds(3), Duration.ofMillis(200));
        EngineEvents engine = EngineEvents.cx22Fsn1("race");
        List<LifecycleEvent> up = engine.serverUp("race-1", 41, T0);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (KafkaEventSink sink = new KafkaEventSink(settings, registry)) {
            sink.start();
            LifecycleReconciler reconciler = new LifecycleReconciler(
                    EngineEvents.CLUSTER, sink, sink, Clock.fixed(RESTART, ZoneOffset.UTC), Duration.ofSeconds(30));
            // The engine, running, creates race-1 between the reconciler's history read and its listing.
            LifecycleReconciler.Result result = reconciler.reconcile(() -> {
                up.subList(0, 2).forEach(sink::emit);
                return List.of(
                        new ObservedServer("race-1", 41, "race", up.get(1).server(), "initializing", false, false));
            });
            // Not in the history it read: the reconciler emits server-created too, under the engine's identity.
            assertThat(result.published())
                    .extracting(e -> e.subject() + ":" + e.transition().eventName())
                    .containsExactly("race-1:server-created");
            assertThat(result.published().get(0).identity()).isEqualTo(up.get(1).identity());
            await().atMost(Duration.ofSeconds(30)).until(() -> sink.pending() == 0);
            // emit hands over without the sender's lock: a twin still in the hand-over is suppressed when taken in
            assertThat(registry.get("talosburst.events.duplicates.suppressed")
                            .counter()
                            .count())
                    .isEqualTo(1);
            // The next periodic reconcile sees it recorded and listed: nothing to do.
            assertThat(reconciler
                            .reconcile(() -> List.of(new ObservedServer(
                                    "race-1", 41, "race", up.get(1).server(), "running", false, false)))
                            .published())
                    .isEmpty();
        }
        assertThat(TopicReader.typesOf(TopicReader.readAll(broker.bootstrapServers(), topic), "race-1"))
                .containsExactly(
                        "dev.talosburst.node.server-create-requested.v1", "dev.talosburst.node.server-created.v1");
    }

    private static JsonNode json(ConsumerRecord<String, byte[]> r) {
        try {
            return EventJson.mapper().readTree(r.value());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Latest state record per server name, as JSON text. */
    private static Map<String, String> stateRecords(String topic) {
        return TopicReader.readAll(broker.bootstrapServers(), topic + ".state").stream()
                .collect(Collectors.toMap(
                        ConsumerRecord::key, r -> r.value() == null ? TOMBSTONE : new String(r.value()), (x, y) -> y));
    }
}
