package dev.talosburst.events.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.events.model.NodeEventMapper;
import dev.talosburst.events.reconcile.RecordedServer;
import dev.talosburst.events.testing.EngineEvents;
import dev.talosburst.events.testing.TestBroker;
import dev.talosburst.events.testing.TopicReader;
import dev.talosburst.hcloudsim.SettableClock;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.lifecycle.Transition;
import dev.talosburst.provisioner.testing.CapturedLog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The event topic's tail read at start ({@link EventTail}, {@link TailCheckpoints}) with a real broker: a start reads
 * only what follows the checkpoints, folds only its own cluster's events, records them, and without a checkpoint reads
 * back no further than {@link EventTail#WITHOUT_CHECKPOINT}.
 */
class EventTailTest {

    private static final String CLUSTER = EngineEvents.CLUSTER;

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    private final EngineEvents engine = EngineEvents.cx22Fsn1("tail");
    private final Instant t0 = Instant.now().minusSeconds(600);

    @Test
    void aStartFoldsOnlyItsClustersEventsAfterTheCheckpoints() throws Exception {
        String topic = "tail-" + UUID.randomUUID();
        EventPublisherSettings settings = settings(topic);

        // ---- A publishes t-1 and records it: state records and checkpoints at the end of every partition
        try (KafkaEventSink a = new KafkaEventSink(settings, new SimpleMeterRegistry(), Clock.systemUTC(), CLUSTER)) {
            a.start();
            engine.serverUp("t-1", 1, t0).forEach(a::emit);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(checkpoints(topic)).isEqualTo(ends(topic)));
        }
        // ---- then, in Kafka without any state record: t-2 of this cluster (its process lost before the state write)
        // and o-1 of another cluster sharing the topic
        List<LifecycleEvent> t2 = engine.serverUp("t-2", 2, t0);
        List<LifecycleEvent> o1 = engine.serverUp("o-1", 3, t0).stream()
                .map(e -> ofCluster(e, "other-cluster"))
                .toList();
        publishRaw(topic, settings, t2);
        publishRaw(topic, settings, o1);

        try (CapturedLog log = CapturedLog.of(KafkaEventSink.class.getName(), Level.FINE);
                KafkaEventSink b =
                        new KafkaEventSink(settings, new SimpleMeterRegistry(), Clock.systemUTC(), CLUSTER)) {
            b.start();
            Map<String, RecordedServer> recorded = b.recordedServers(CLUSTER, Duration.ofSeconds(30));
            assertThat(recorded.get("t-1").transitions())
                    .as("t-1, from its state record")
                    .contains(Transition.NODE_READY);
            assertThat(recorded.get("t-2").transitions())
                    .as("t-2, from the tail")
                    .containsExactlyInAnyOrder(
                            Transition.SERVER_CREATE_REQUESTED,
                            Transition.SERVER_CREATED,
                            Transition.NODE_REGISTERED,
                            Transition.NODE_READY);
            assertThat(b.recordedServers("other-cluster", Duration.ofSeconds(5)))
                    .isEmpty();
            assertThat(log.at(Level.FINE))
                    .as("only t-2's events follow the checkpoints and are this cluster's")
                    .anySatisfy(l -> assertThat(l).contains("and 4 events after the checkpoints of " + topic));

            // B records what it folded (t-2), never another cluster's servers, and moves the checkpoints on
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Map<String, String> state = state(topic);
                assertThat(state.get(CLUSTER + "/t-2")).contains("NODE_READY");
                assertThat(state.keySet()).noneMatch(k -> k.startsWith("other-cluster/"));
                assertThat(checkpoints(topic)).isEqualTo(ends(topic));
            });
        }
    }

    @Test
    void withoutACheckpointTheTailGoesBackSevenDaysOnly() throws Exception {
        // a start 8 days after n-1's events: they are older than the bound (and the checkpoints it writes say so)
        SettableClock later = new SettableClock(Instant.now().plus(Duration.ofDays(8)));
        try (KafkaEventSink c =
                new KafkaEventSink(topicWithoutCheckpoints(), new SimpleMeterRegistry(), later, CLUSTER)) {
            c.start();
            assertThat(c.recordedServers(CLUSTER, Duration.ofSeconds(30))).doesNotContainKey("n-1");
        }
        // a start now, on the same history: within the bound
        try (KafkaEventSink d =
                new KafkaEventSink(topicWithoutCheckpoints(), new SimpleMeterRegistry(), Clock.systemUTC(), CLUSTER)) {
            d.start();
            assertThat(d.recordedServers(CLUSTER, Duration.ofSeconds(30))
                            .get("n-1")
                            .transitions())
                    .contains(Transition.SERVER_CREATED, Transition.NODE_READY);
        }
    }

    @Test
    void aStartWritesNoStateRecordForEventsTheStateTopicAlreadyReflects() throws Exception {
        EventPublisherSettings settings = settings("tail-" + UUID.randomUUID());
        try (KafkaEventSink old = new KafkaEventSink(settings, new SimpleMeterRegistry())) {
            old.start(); // a version without checkpoints: state records only
            engine.serverUp("r-1", 5, t0).forEach(old::emit);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> old.pending() == 0
                            && String.valueOf(state(settings.topic()).get(CLUSTER + "/r-1"))
                                    .contains("NODE_READY"));
        }
        long before = stateRecords(settings.topic(), CLUSTER + "/r-1");
        try (KafkaEventSink next =
                new KafkaEventSink(settings, new SimpleMeterRegistry(), Clock.systemUTC(), CLUSTER)) {
            next.start(); // reads r-1's four events in the tail (no checkpoint yet): all reflected already
            assertThat(next.recordedServers(CLUSTER, Duration.ofSeconds(30))
                            .get("r-1")
                            .transitions())
                    .contains(Transition.NODE_READY);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(
                            () -> assertThat(checkpoints(settings.topic())).isEqualTo(ends(settings.topic())));
        }
        assertThat(stateRecords(settings.topic(), CLUSTER + "/r-1"))
                .as("state records of r-1")
                .isEqualTo(before);
    }

    private static long stateRecords(String topic, String key) {
        return TopicReader.readAll(broker.bootstrapServers(), topic + ".state").stream()
                .filter(r -> key.equals(r.key()))
                .count();
    }

    /** A new topic holding n-1's events and no checkpoint (written by a version without them, say). */
    private EventPublisherSettings topicWithoutCheckpoints() throws Exception {
        EventPublisherSettings settings = settings("tail-" + UUID.randomUUID());
        try (KafkaEventSink creator = new KafkaEventSink(settings, new SimpleMeterRegistry())) {
            creator.start(); // creates the topics; no cluster id: no checkpoints
            creator.recordedServers(CLUSTER, Duration.ofSeconds(30));
        }
        publishRaw(settings.topic(), settings, engine.serverUp("n-1", 4, t0));
        return settings;
    }

    private static EventPublisherSettings settings(String topic) {
        return EventPublisherSettings.defaults(broker.bootstrapServers())
                .withTopic(topic)
                .withTopicLayout(3, (short) 1)
                .withDelivery(Duration.ofSeconds(3), Duration.ofMillis(200));
    }

    private static LifecycleEvent ofCluster(LifecycleEvent e, String clusterId) {
        return new LifecycleEvent(
                e.transition(),
                clusterId,
                e.pool(),
                e.subject(),
                e.occurrence(),
                e.at(),
                e.serverId(),
                e.server(),
                e.reason(),
                e.details());
    }

    /** Events written straight to the topic, as the sink would, with no state record. */
    private static void publishRaw(String topic, EventPublisherSettings settings, List<LifecycleEvent> events)
            throws Exception {
        NodeEventMapper mapper = new NodeEventMapper(settings.dataSchema());
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
            for (LifecycleEvent e : events) {
                p.send(KafkaClients.toRecord(topic, mapper.toCloudEvent(e))).get();
            }
        }
    }

    private static Map<String, String> state(String topic) {
        Map<String, String> state = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : TopicReader.readAll(broker.bootstrapServers(), topic + ".state")) {
            state.put(r.key(), r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8));
        }
        return state;
    }

    /** This cluster's checkpoints in the state topic: partition → offset. */
    private static Map<Integer, Long> checkpoints(String topic) {
        Map<Integer, Long> out = new HashMap<>();
        state(topic).forEach((k, v) -> {
            if (k.startsWith(CLUSTER + TailCheckpoints.KEY_MARKER) && v != null) {
                TailCheckpoints.Checkpoint c = dev.talosburst.events.model.EventJson.read(
                        v.getBytes(StandardCharsets.UTF_8), TailCheckpoints.Checkpoint.class);
                assertThat(c.topic()).isEqualTo(topic);
                out.put(c.partition(), c.offset());
            }
        });
        return out;
    }

    /** The event topic's end offset per partition (0 for an empty one). */
    private static Map<Integer, Long> ends(String topic) {
        Map<Integer, Long> out = new HashMap<>(Map.of(0, 0L, 1, 0L, 2, 0L));
        for (ConsumerRecord<String, byte[]> r : TopicReader.readAll(broker.bootstrapServers(), topic)) {
            out.merge(r.partition(), r.offset() + 1, Math::max);
        }
        return out;
    }
}
