package dev.talosburst.events.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talosburst.events.ledger.BillingLedger;
import dev.talosburst.events.model.EventJson;
import dev.talosburst.events.model.NodeCloudEvent;
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
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 6 end to end with the real provisioning engine: the process is killed between Hetzner's answer to a
 * create and the {@code server-created} emit, and a server is deleted while it is down. A rebuilt engine and
 * sink on the same journal plus the reconciler must make every missing event appear once (by {@code ce_id}).
 */
class EngineCrashRecoveryTest {

    private static final String CLUSTER = "crash-lab";
    private static final String POOL = "burst";
    private static final String CREATED = "dev.talosburst.node.server-created.v1";
    private static final String DELETED = "dev.talosburst.node.server-deleted.v1";

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    private final SettableClock clock = new SettableClock(Instant.parse("2026-11-26T10:00:00Z"));
    /** Hetzner: outlives every talos-burst process of the test. */
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
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        hetzner.close();
    }

    /**
     * @param engineFirst the restarted engine adopts its servers before the sink has read the state topic back, or after;
     *                    either way each adoption is a {@code server-adopted} of its own and no id reaches the topic twice
     */
    @ParameterizedTest(name = "engine adopts before the history is read: {0}")
    @ValueSource(booleans = {true, false})
    void aCreateLostInACrashAndADeletionWhileDownAppearOnceAfterRestart(boolean engineFirst, @TempDir Path journal)
            throws Exception {
        String topic = "lifecycle-" + UUID.randomUUID();
        EventPublisherSettings settings = EventPublisherSettings.defaults(broker.bootstrapServers())
                .withTopic(topic)
                .withTopicLayout(3, (short) 1)
                .withDelivery(Duration.ofSeconds(3), Duration.ofMillis(200))
                .withJournal(journal);

        // ---- process A: the third server-created never reaches the sink (the process dies right after Hetzner
        // answered).
        KafkaEventSink sinkA = new KafkaEventSink(settings, new SimpleMeterRegistry());
        sinkA.start();
        AtomicReference<String> victim = new AtomicReference<>();
        AtomicInteger createdPassed = new AtomicInteger();
        List<LifecycleEvent> swallowed = new CopyOnWriteArrayList<>();
        EventSink dying = e -> {
            synchronized (victim) {
                if (e.transition() == Transition.SERVER_CREATED && victim.get() == null && createdPassed.get() == 2) {
                    victim.set(e.subject());
                }
                if (e.subject().equals(victim.get())) {
                    swallowed.add(e); // from here on the process is dead for this server: nothing of it is emitted
                    return;
                }
                if (e.transition() == Transition.SERVER_CREATED) {
                    createdPassed.incrementAndGet();
                }
            }
            sinkA.emit(e);
        };
        NodeGroupEngine engineA = engine(dying);
        engineA.start();
        engineA.increaseSize(POOL, 3);
        await().atMost(Duration.ofSeconds(30)).until(() -> swallowed.size() == 1 && createdPassed.get() == 2);
        await().atMost(Duration.ofSeconds(30)).until(() -> sinkA.pending() == 0);
        String x = victim.get();
        Map<String, Long> ids = serverIds();
        assertThat(ids).hasSize(3).containsKey(x);
        List<String> survivors =
                ids.keySet().stream().filter(n -> !n.equals(x)).sorted().toList();
        String y = survivors.get(0); // deleted while talos-burst is down
        String z = survivors.get(1); // simply survives
        // What A published reached Kafka's state topic before the kill (the reconciler's memory of y).
        await().atMost(Duration.ofSeconds(30))
                .until(() -> stateKeys(topic).containsAll(Set.of(CLUSTER + "/" + y, CLUSTER + "/" + z)));
        engineA.close();
        sinkA.close(Duration.ZERO); // the kill: nothing drained, nothing flushed beyond what the client already sent

        // ---- while down: y is deleted in Hetzner by someone else.
        Instant lastSeenY = clock.instant();
        client.deleteServer(ids.get(y));
        clock.advance(Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> !serverIds().containsKey(y));
        clock.advance(Duration.ofMinutes(2)); // well within the pool's 15 min to register: the engine reaps nothing

        // ---- process B, rebuilt from scratch on the same journal.
        KafkaEventSink sinkB = new KafkaEventSink(settings, new SimpleMeterRegistry());
        open.add(sinkB);
        NodeGroupEngine engineB = engine(sinkB);
        if (engineFirst) {
            engineB.start();
            sinkB.start();
        } else {
            sinkB.start();
            sinkB.recordedServers(CLUSTER, Duration.ofSeconds(30)); // waits until the state topic is read back
            engineB.start();
        }
        LifecycleReconciler reconciler = new LifecycleReconciler(CLUSTER, sinkB, sinkB, clock, Duration.ofSeconds(30));
        Instant reconciledAt = clock.instant();
        LifecycleReconciler.Result first = reconciler.reconcile(() -> observed(engineB));
        await().atMost(Duration.ofSeconds(30)).until(() -> sinkB.pending() == 0);
        LifecycleReconciler.Result second = reconciler.reconcile(() -> observed(engineB));

        assertThat(first.published())
                .extracting(e -> e.subject() + ":" + e.transition().eventName())
                .containsExactly(x + ":server-created", y + ":server-deleted"); // the adoption of x is not its creation
        assertThat(second.published()).isEmpty();

        // ---- what a consumer sees
        List<ConsumerRecord<String, byte[]>> raw = TopicReader.readAll(broker.bootstrapServers(), topic);
        for (ConsumerRecord<String, byte[]> r : raw) {
            assertThat(DataSchema.errors(r.value()))
                    .as("schema of %s", TopicReader.headers(r).get("ce_type"))
                    .isEmpty();
        }
        Map<String, ConsumerRecord<String, byte[]>> byId = new LinkedHashMap<>();
        raw.forEach(
                r -> byId.putIfAbsent(TopicReader.headers(r).get("ce_id"), r)); // a consumer keeps the first of each id
        // No raw duplicates whichever came first: B's adoptions of x and z are server-adopted events with ids of their
        // own.
        int expectedDuplicates = 0;
        assertThat(raw).hasSize(byId.size() + expectedDuplicates);
        assertThat(byId)
                .hasSize(3 + 3 + 1 + 1
                        + 2); // 3 create-requested, 3 server-created, scale-up, y's server-deleted, 2 adopted
        assertThat(typesOf(raw, x)).containsOnlyOnce("dev.talosburst.node.server-adopted.v1");
        // x's server-created comes from the reconciler, after B adopted x: the held adoption lets it pass, so the topic
        // tells x's life in order
        assertThat(typesOf(raw, x))
                .containsExactly(
                        "dev.talosburst.node.server-create-requested.v1",
                        "dev.talosburst.node.server-created.v1",
                        "dev.talosburst.node.server-adopted.v1");
        assertThat(typesOf(raw, z)).containsOnlyOnce("dev.talosburst.node.server-adopted.v1");
        assertThat(typesOf(raw, y)).doesNotContain("dev.talosburst.node.server-adopted.v1");

        List<ConsumerRecord<String, byte[]>> unique = new ArrayList<>(byId.values());
        for (String server : List.of(x, y, z)) {
            assertThat(typesOf(unique, server))
                    .as(server)
                    .containsOnlyOnce("dev.talosburst.node.server-create-requested.v1", CREATED);
        }
        assertThat(count(unique, CREATED)).isEqualTo(3);
        assertThat(count(unique, DELETED)).isEqualTo(1);
        assertThat(typesOf(unique, y)).endsWith(DELETED);
        assertThat(typesOf(unique, x)).doesNotContain(DELETED);
        assertThat(typesOf(unique, z)).doesNotContain(DELETED);

        JsonNode xCreated = json(find(unique, x, CREATED));
        assertThat(xCreated.at("/server/id").asLong()).isEqualTo(ids.get(x));
        assertThat(xCreated.at("/server/phases/createdAt").asText())
                .isEqualTo(swallowed.get(0).server().createdAt().toString());
        assertThat(new BigDecimal(xCreated.at("/server/price/hourlyNet").asText()))
                .isEqualByComparingTo("0.0060"); // cx22 in fsn1
        assertThat(new BigDecimal(xCreated.at("/server/price/monthlyNet").asText()))
                .isEqualByComparingTo("3.79"); // captured at the request
        assertThat(new BigDecimal(json(find(unique, x, "dev.talosburst.node.server-create-requested.v1"))
                        .at("/server/price/monthlyNet")
                        .asText()))
                .isEqualByComparingTo("3.79"); // filled by the creating engine
        JsonNode yDeleted = json(find(unique, y, DELETED));
        assertThat(yDeleted.at("/details/deletedAtEstimated").asText()).isEqualTo("true");
        assertThat(yDeleted.at("/server/phases/deletedAt").asText()).isEqualTo(reconciledAt.toString());
        // lastSeenAt = the last event recorded of y (its server-created from process A): the lower bound of the
        // deletion.
        assertThat(yDeleted.at("/details/lastSeenAt").asText())
                .isEqualTo(json(find(unique, y, CREATED)).at("/occurredAt").asText());
        assertThat(Instant.parse(yDeleted.at("/details/lastSeenAt").asText())).isBeforeOrEqualTo(lastSeenY);
        assertThat(yDeleted.at("/server/id").asLong()).isEqualTo(ids.get(y));

        // Billing over the raw topic is unaffected by the duplicate: it is counted and dropped.
        BillingLedger ledger = new BillingLedger();
        raw.forEach(r -> ledger.accept(NodeCloudEvent.fromHeaders(TopicReader.headers(r), r.value())));
        assertThat(ledger.duplicatesDropped()).isEqualTo(expectedDuplicates);
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
                settings,
                List.of(pool),
                client,
                userData,
                sink,
                new InMemoryNodeDirectory(clock),
                clock,
                new SimpleMeterRegistry());
        open.add(0, engine); // engines close before their sinks
        return engine;
    }

    /** As the app maps the engine's complete server list (LifecycleEventPublishing). */
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

    private Map<String, Long> serverIds() {
        return hetzner.inspect().servers().stream().collect(Collectors.toMap(ServerSnapshot::name, ServerSnapshot::id));
    }

    private static Set<String> stateKeys(String topic) {
        return TopicReader.readAll(broker.bootstrapServers(), topic + ".state").stream()
                .filter(r -> r.value() != null)
                .map(ConsumerRecord::key)
                .collect(Collectors.toSet());
    }

    private static List<String> typesOf(List<ConsumerRecord<String, byte[]>> records, String server) {
        return TopicReader.typesOf(records, server);
    }

    private static long count(List<ConsumerRecord<String, byte[]>> records, String type) {
        return records.stream()
                .filter(r -> type.equals(TopicReader.headers(r).get("ce_type")))
                .count();
    }

    private static ConsumerRecord<String, byte[]> find(
            List<ConsumerRecord<String, byte[]>> records, String server, String type) {
        return records.stream()
                .filter(r -> server.equals(r.key())
                        && type.equals(TopicReader.headers(r).get("ce_type")))
                .findFirst()
                .orElseThrow();
    }

    private static JsonNode json(ConsumerRecord<String, byte[]> r) {
        try {
            return EventJson.mapper().readTree(r.value());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
