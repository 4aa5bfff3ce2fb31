package dev.talosburst.events.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.events.model.EventIds;
import dev.talosburst.events.publish.EventPublisherSettings;
import dev.talosburst.events.publish.KafkaEventSink;
import dev.talosburst.events.testing.DataSchema;
import dev.talosburst.events.testing.TestBroker;
import dev.talosburst.events.testing.TopicReader;
import dev.talosburst.hcloud.client.ApiToken;
import dev.talosburst.hcloud.client.HcloudClient;
import dev.talosburst.hcloud.client.HcloudSettings;
import dev.talosburst.hcloudsim.HcloudSimulator;
import dev.talosburst.hcloudsim.ServerSnapshot;
import dev.talosburst.hcloudsim.SettableClock;
import dev.talosburst.hcloudsim.SimulatorOptions;
import dev.talosburst.provisioner.directory.InMemoryNodeDirectory;
import dev.talosburst.provisioner.engine.EngineSettings;
import dev.talosburst.provisioner.engine.NodeGroupEngine;
import dev.talosburst.provisioner.engine.ServerView;
import dev.talosburst.provisioner.lifecycle.EventSink;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.lifecycle.Transition;
import dev.talosburst.provisioner.pool.AutoscalingOverrides;
import dev.talosburst.provisioner.pool.ImageSelector;
import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.userdata.UserDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, point 1: an event id always denotes the same content. The real engine and sink are restarted (the new
 * process learns, with later times, facts the old one published: its servers, their Nodes) while the broker is down
 * and comes back; an independent consumer then finds no id with two contents, the adoptions as transitions of their
 * own, and the suppression counter equal to the re-emissions that were not sent.
 */
class OneIdOneContentTest {

    private static final String CLUSTER = "one-id-lab";
    private static final String POOL = "burst";

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    private final SettableClock clock = new SettableClock(Instant.parse("2026-11-26T10:00:00Z"));
    private final HcloudSimulator hetzner =
            HcloudSimulator.start(SimulatorOptions.builder().clock(clock).build());
    private final HcloudClient client = new HcloudClient(
            HcloudSettings.defaults(ApiToken.of(hetzner.token()))
                    .withEndpoint(hetzner.endpoint())
                    .withRetries(2, Duration.ofSeconds(1), Duration.ofSeconds(2))
                    .withRequestTimeout(Duration.ofSeconds(5)),
            new SimpleMeterRegistry(),
            clock,
            clock::advance);
    /** Kubernetes: outlives the talos-burst processes, as the cluster does. */
    private final InMemoryNodeDirectory nodes = new InMemoryNodeDirectory(clock);

    private final List<AutoCloseable> open = new ArrayList<>();
    private boolean brokerStopped;

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        hetzner.close();
        if (brokerStopped) {
            broker.start(); // shared by the class
        }
    }

    @Test
    void aRestartedServiceThatLearnsPublishedFactsAgainNeverSendsAnIdWithOtherContent(@TempDir Path journal)
            throws Exception {
        String topic = "lifecycle-" + UUID.randomUUID();
        EventPublisherSettings settings = EventPublisherSettings.defaults(broker.bootstrapServers())
                .withTopic(topic)
                .withTopicLayout(3, (short) 1)
                .withDelivery(Duration.ofSeconds(3), Duration.ofMillis(200))
                .withJournal(journal);

        // ---- process A: two servers whose Nodes register and turn Ready; everything published and recorded.
        KafkaEventSink sinkA = new KafkaEventSink(settings, new SimpleMeterRegistry());
        sinkA.start();
        NodeGroupEngine engineA = engine(sinkA);
        engineA.start();
        engineA.increaseSize(POOL, 2);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> serverNames().size() == 2
                        && engineA.instances(POOL).stream().allMatch(i -> i.id().startsWith("hcloud://")));
        for (String name : serverNames()) {
            nodes.register(name, Map.of());
            clock.advance(Duration.ofSeconds(20));
            nodes.setReady(name, true);
        }
        Set<String> names = serverNames();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> sinkA.pending() == 0
                        && stateKeys(topic).size() == 2
                        && recordedTransitions(sinkA).values().stream()
                                .allMatch(t -> t.contains(Transition.NODE_READY)));
        engineA.close();
        sinkA.close(Duration.ZERO); // the kill
        Set<String> idsBefore = ids(TopicReader.readAll(broker.bootstrapServers(), topic));
        assertThat(idsBefore).hasSize(1 + 2 * 4); // scale-up; per server create-requested, created, registered, ready

        // ---- the broker goes away; process B starts meanwhile, later, and cannot read what A published.
        broker.stop();
        brokerStopped = true;
        clock.advance(Duration.ofMinutes(5));
        SimpleMeterRegistry metricsB = new SimpleMeterRegistry();
        KafkaEventSink sinkB = new KafkaEventSink(settings, metricsB);
        open.add(sinkB);
        List<LifecycleEvent> emittedToB = new CopyOnWriteArrayList<>();
        EventSink recording = e -> {
            emittedToB.add(e);
            sinkB.emit(e);
        };
        NodeGroupEngine engineB = engine(recording);
        engineB.start(); // adopts both servers
        sinkB.start();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> engineB.isSynced() && engineB.servers().size() == 2);
        clock.advance(Duration.ofSeconds(30));
        for (String name : names) {
            nodes.setReady(
                    name, true); // the informer's first word about each Node: B learns registration and Ready anew
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> emittedToB.stream()
                                .filter(e -> e.transition() == Transition.NODE_READY)
                                .count()
                        == 2);

        // ---- the broker is back; B reads the history, delivers, reconciles.
        broker.start();
        brokerStopped = false;
        LifecycleReconciler reconciler = new LifecycleReconciler(CLUSTER, sinkB, sinkB, clock, Duration.ofSeconds(60));
        LifecycleReconciler.Result reconciled = reconciler.reconcile(() -> observed(engineB));
        await().atMost(Duration.ofSeconds(60)).until(() -> sinkB.pending() == 0);

        // ---- an independent consumer
        List<ConsumerRecord<String, byte[]>> raw = TopicReader.readAll(broker.bootstrapServers(), topic);
        Map<String, Set<String>> contentsById = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : raw) {
            Map<String, String> h = TopicReader.headers(r);
            assertThat(DataSchema.errors(r.value()))
                    .as("schema of %s", h.get("ce_type"))
                    .isEmpty();
            contentsById
                    .computeIfAbsent(h.get("ce_id"), k -> new HashSet<>())
                    .add(h + " " + r.key() + " " + Base64.getEncoder().encodeToString(r.value()));
        }
        assertThat(contentsById.entrySet().stream()
                        .filter(e -> e.getValue().size() > 1)
                        .map(Map.Entry::getKey)
                        .toList())
                .as("ids with two contents")
                .isEmpty();
        assertThat(raw).as("no record sent twice").hasSize(contentsById.size());

        // The adoptions are facts of their own (new ids, B's time); everything else B learned again was not sent.
        assertThat(reconciled.published()).isEmpty();
        List<ConsumerRecord<String, byte[]>> adopted = raw.stream()
                .filter(r -> "dev.talosburst.node.server-adopted.v1"
                        .equals(TopicReader.headers(r).get("ce_type")))
                .toList();
        assertThat(adopted).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(names);
        assertThat(ids(raw)).containsAll(idsBefore).hasSize(idsBefore.size() + 2);

        List<String> reEmitted = emittedToB.stream()
                .map(e -> EventIds.forIdentity(e.identity()))
                .filter(idsBefore::contains)
                .toList();
        assertThat(reEmitted)
                .as("B learned each Node's registration and Ready again")
                .hasSize(4);
        assertThat(metricsB.get("talosburst.events.duplicates.suppressed")
                        .counter()
                        .count())
                .as("talosburst_events_duplicates_suppressed_total")
                .isEqualTo(reEmitted.size());
    }

    /**
     * Issue 12: an event Kafka acknowledged whose state record never landed (the state topic refuses records, as after a
     * loss of the process between the ack and the state write), then another replica with an EMPTY journal (a new pod)
     * takes over the same servers: it folds the event topic's tail, so the reconciler publishes nothing again and the
     * engine's re-learned facts are suppressed, never sent with other content.
     */
    @Test
    void anotherReplicaWithAnEmptyJournalKnowsEventsWhoseStateRecordsNeverLanded(
            @TempDir Path journalA, @TempDir Path journalB) throws Exception {
        String topic = "lifecycle-" + UUID.randomUUID();
        // every state record and checkpoint is larger than the topic accepts: none lands
        broker.createStateTopicRefusingRecords(topic + ".state", 3);
        EventPublisherSettings settings = EventPublisherSettings.defaults(broker.bootstrapServers())
                .withTopic(topic)
                .withTopicLayout(3, (short) 1)
                .withDelivery(Duration.ofSeconds(3), Duration.ofMillis(200))
                .withJournal(journalA);

        // ---- replica A: two servers whose Nodes register and turn Ready; every event acknowledged, no state record.
        SimpleMeterRegistry metricsA = new SimpleMeterRegistry();
        KafkaEventSink sinkA = new KafkaEventSink(settings, metricsA, Clock.systemUTC(), CLUSTER);
        sinkA.start();
        NodeGroupEngine engineA = engine(sinkA);
        engineA.start();
        engineA.increaseSize(POOL, 2);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> serverNames().size() == 2
                        && engineA.instances(POOL).stream().allMatch(i -> i.id().startsWith("hcloud://")));
        for (String name : serverNames()) {
            nodes.register(name, Map.of());
            clock.advance(Duration.ofSeconds(20));
            nodes.setReady(name, true);
        }
        Set<String> names = serverNames();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> sinkA.pending() == 0
                        && TopicReader.readAll(broker.bootstrapServers(), topic).size() == 1 + 2 * 4);
        await().atMost(Duration.ofSeconds(30))
                // registered with its error tag on the first failure: absent until then
                .until(() -> metricsA.find("talosburst.events.state.write.failures").counters().stream()
                                .mapToDouble(c -> c.count())
                                .sum()
                        > 0);
        engineA.close();
        sinkA.close(Duration.ZERO); // the pod is lost; its journal (an emptyDir) with it
        open.remove(engineA);
        assertThat(TopicReader.readAll(broker.bootstrapServers(), topic + ".state"))
                .as("state records that landed")
                .isEmpty();
        List<ConsumerRecord<String, byte[]>> before = TopicReader.readAll(broker.bootstrapServers(), topic);
        Set<String> idsBefore = ids(before);
        assertThat(idsBefore).hasSize(1 + 2 * 4); // scale-up; per server create-requested, created, registered, ready

        // ---- the state topic accepts records again; replica B starts later with an empty journal.
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
        clock.advance(Duration.ofMinutes(5));
        SimpleMeterRegistry metricsB = new SimpleMeterRegistry();
        KafkaEventSink sinkB = new KafkaEventSink(settings.withJournal(journalB), metricsB, Clock.systemUTC(), CLUSTER);
        open.add(sinkB);
        List<LifecycleEvent> emittedToB = new CopyOnWriteArrayList<>();
        EventSink recording = e -> {
            emittedToB.add(e);
            sinkB.emit(e);
        };
        NodeGroupEngine engineB = engine(recording);
        engineB.start(); // adopts both servers
        sinkB.start();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> engineB.isSynced() && engineB.servers().size() == 2);
        clock.advance(Duration.ofSeconds(30));
        for (String name : names) {
            nodes.setReady(name, true); // B learns registration and Ready anew, with later times
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> emittedToB.stream()
                                .filter(e -> e.transition() == Transition.NODE_READY)
                                .count()
                        == 2);
        LifecycleReconciler.Result reconciled = new LifecycleReconciler(
                        CLUSTER, sinkB, sinkB, clock, Duration.ofSeconds(60))
                .reconcile(() -> observed(engineB));
        await().atMost(Duration.ofSeconds(60)).until(() -> sinkB.pending() == 0);

        // ---- an independent consumer
        List<ConsumerRecord<String, byte[]>> raw = TopicReader.readAll(broker.bootstrapServers(), topic);
        Map<String, Set<String>> contentsById = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : raw) {
            Map<String, String> h = TopicReader.headers(r);
            contentsById
                    .computeIfAbsent(h.get("ce_id"), k -> new HashSet<>())
                    .add(h + " " + r.key() + " " + Base64.getEncoder().encodeToString(r.value()));
        }
        assertThat(contentsById.entrySet().stream()
                        .filter(e -> e.getValue().size() > 1)
                        .map(Map.Entry::getKey)
                        .toList())
                .as("ids with two contents")
                .isEmpty();
        assertThat(reconciled.published())
                .as("published again by the reconciler")
                .isEmpty();
        assertThat(ids(raw)).containsAll(idsBefore).hasSize(idsBefore.size() + 2); // + B's two adoptions
        List<String> reEmitted = emittedToB.stream()
                .map(e -> EventIds.forIdentity(e.identity()))
                .filter(idsBefore::contains)
                .toList();
        assertThat(reEmitted)
                .as("B learned each Node's registration and Ready again")
                .hasSize(4);
        assertThat(metricsB.get("talosburst.events.duplicates.suppressed")
                        .counter()
                        .count())
                .as("talosburst_events_duplicates_suppressed_total")
                .isEqualTo(reEmitted.size());

        // ---- B recorded what it folded, and checkpoints the event topic at its end: the next start reads no tail
        Map<Integer, Long> ends = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : raw) {
            ends.merge(r.partition(), r.offset() + 1, Math::max);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, String> state = new HashMap<>();
            for (ConsumerRecord<String, byte[]> r : TopicReader.readAll(broker.bootstrapServers(), topic + ".state")) {
                state.put(r.key(), r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8));
            }
            for (String name : names) {
                assertThat(state.get(CLUSTER + "/" + name))
                        .as("state record of %s", name)
                        .contains("SERVER_CREATED", "NODE_REGISTERED", "NODE_READY");
            }
            for (int p = 0; p < 3; p++) {
                assertThat(state.get(CLUSTER + "/#checkpoint/" + p))
                        .as("checkpoint of partition %d", p)
                        .contains(
                                "\"topic\":\"" + topic + "\"",
                                "\"partition\":" + p,
                                "\"offset\":" + ends.getOrDefault(p, 0L));
            }
        });
    }

    private NodeGroupEngine engine(EventSink sink) {
        NodePool pool = new NodePool(
                POOL,
                "cx22",
                "fsn1",
                null,
                0,
                5,
                ImageSelector.talos("v1.11.6"),
                Map.of(),
                List.of(),
                Map.of(),
                List.of(),
                List.of(),
                null,
                true,
                true,
                AutoscalingOverrides.none(),
                List.of(),
                Duration.ofMinutes(15));
        UserDataSource userData = (p, name, labels, taints) -> "version: v1alpha1\n# worker " + name + "\n";
        EngineSettings settings = EngineSettings.defaults(CLUSTER)
                .withTickInterval(Duration.ofHours(1))
                .withResyncInterval(Duration.ofMinutes(1));
        NodeGroupEngine engine = new NodeGroupEngine(
                settings, List.of(pool), client, userData, sink, nodes, clock, new SimpleMeterRegistry());
        open.add(0, engine); // engines close before their sinks
        return engine;
    }

    private static List<ObservedServer> observed(NodeGroupEngine engine) {
        List<ServerView> servers = engine.servers();
        return servers.stream()
                .map(s -> new ObservedServer(
                        s.name(),
                        s.serverId(),
                        s.pool(),
                        s.facts(),
                        s.status(),
                        s.nodeRegistered() || s.nodeReady(),
                        s.nodeReady()))
                .toList();
    }

    private Set<String> serverNames() {
        return hetzner.inspect().servers().stream().map(ServerSnapshot::name).collect(Collectors.toSet());
    }

    private static Map<String, Set<Transition>> recordedTransitions(KafkaEventSink sink) throws Exception {
        return sink.recordedServers(CLUSTER, Duration.ofSeconds(10)).values().stream()
                .collect(Collectors.toMap(RecordedServer::name, RecordedServer::transitions));
    }

    private static Set<String> stateKeys(String topic) {
        return TopicReader.readAll(broker.bootstrapServers(), topic + ".state").stream()
                .filter(r -> r.value() != null)
                .map(ConsumerRecord::key)
                .collect(Collectors.toSet());
    }

    private static Set<String> ids(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(r -> TopicReader.headers(r).get("ce_id")).collect(Collectors.toSet());
    }
}
