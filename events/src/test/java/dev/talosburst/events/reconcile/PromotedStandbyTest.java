package dev.talosburst.events.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.events.publish.EventPublisherSettings;
import dev.talosburst.events.publish.KafkaEventSink;
import dev.talosburst.events.testing.EngineEvents;
import dev.talosburst.events.testing.TestBroker;
import dev.talosburst.events.testing.TopicReader;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent.ServerFacts;
import dev.talosburst.provisioner.lifecycle.Transition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12, point 1, across a failover: every replica runs a sink, and a standby started before the leader published
 * must not act on the history of its own start once promoted, nor write state records of its own while it stands by.
 * Real broker; the topic is read back by an independent consumer.
 */
class PromotedStandbyTest {

    private static final String CLUSTER = EngineEvents.CLUSTER;

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    private final EngineEvents engine = EngineEvents.cx22Fsn1("standby");
    private final Instant t0 = Instant.now().minusSeconds(3_600);
    private final List<KafkaEventSink> open = new ArrayList<>();

    @AfterEach
    void closeSinks() {
        open.forEach(s -> s.close(Duration.ZERO));
    }

    @Test
    void aPromotedStandbyReconcilesAgainstTheLeadersHistoryNotThatOfItsOwnStart() throws Exception {
        EventPublisherSettings settings = settings();
        KafkaEventSink leader = sink(settings);
        engine.serverUp("s-1", 1, t0).forEach(leader::emit);
        engine.serverUp("s-2", 2, t0).forEach(leader::emit);
        awaitRecorded(leader, settings, "s-2", Transition.NODE_READY);

        // ---- the standby starts now: its history has s-1 and s-2 up
        KafkaEventSink standby = sink(settings);
        standby.following();
        assertThat(standby.recordedServers(CLUSTER, Duration.ofSeconds(30))).containsKeys("s-1", "s-2");

        // ---- the leader goes on: s-2 is deleted (its life is over: a tombstone), s-3 comes up; then it is lost
        Instant deleted = t0.plusSeconds(600);
        engine.serverDown("s-2", 2, t0, deleted).forEach(leader::emit);
        engine.serverUp("s-3", 3, t0.plusSeconds(900)).forEach(leader::emit);
        awaitRecorded(leader, settings, "s-3", Transition.NODE_READY);
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        !leader.recordedServers(CLUSTER, Duration.ofSeconds(5)).containsKey("s-2"));
        leader.close(Duration.ZERO);

        // ---- the standby is promoted and reconciles what exists now: s-1 and s-3
        standby.leading();
        LifecycleReconciler reconciler =
                new LifecycleReconciler(CLUSTER, standby, standby, Clock.systemUTC(), Duration.ofSeconds(30));
        LifecycleReconciler.Result result =
                reconciler.reconcile(() -> List.of(running("s-1", 1, t0), running("s-3", 3, t0.plusSeconds(900))));

        assertThat(result.published())
                .as("with the history of its start it would close s-2 again (estimated) and announce s-3 anew")
                .isEmpty();
        Map<String, RecordedServer> recorded = standby.recordedServers(CLUSTER, Duration.ofSeconds(5));
        assertThat(recorded).containsKeys("s-1", "s-3").doesNotContainKey("s-2");
        await().atMost(Duration.ofSeconds(30)).until(() -> standby.pending() == 0);
        assertThat(idsWithTwoContents(settings.topic())).isEmpty();
    }

    @Test
    void aStandbyWritesNoStateRecordAndTheLeaderRecordsWhatAStandbyPublished() throws Exception {
        EventPublisherSettings settings = settings();

        // ---- a standby alone publishes an outcome of its own (a create answered after it lost the lead)
        KafkaEventSink lone = sink(settings);
        lone.following();
        engine.serverUp("late-1", 11, t0).forEach(lone::emit);
        await().atMost(Duration.ofSeconds(30)).until(() -> lone.pending() == 0);
        lone.close(Duration.ofSeconds(10)); // drains whatever it would write
        assertThat(stateKeys(settings.topic()))
                .as("state records written by a standby")
                .doesNotContain(CLUSTER + "/late-1");

        // ---- a leader starts, and another standby publishes while it runs
        KafkaEventSink leader = sink(settings);
        assertThat(leader.recordedServers(CLUSTER, Duration.ofSeconds(30)).get("late-1"))
                .as("from the event topic's tail at its start")
                .satisfies(r -> assertThat(r.transitions()).contains(Transition.NODE_READY));
        KafkaEventSink standby = sink(settings);
        standby.following();
        engine.serverUp("late-2", 12, t0).forEach(standby::emit);
        await().atMost(Duration.ofSeconds(30)).until(() -> standby.pending() == 0);

        // the leader follows the event topic: it learns late-2 and writes the state records of both
        awaitRecorded(leader, settings, "late-1", Transition.NODE_READY);
        awaitRecorded(leader, settings, "late-2", Transition.NODE_READY);

        // a promotion after the leader is lost finds both in the state topic, and reconciles nothing
        leader.close(Duration.ofSeconds(10));
        standby.leading();
        LifecycleReconciler reconciler =
                new LifecycleReconciler(CLUSTER, standby, standby, Clock.systemUTC(), Duration.ofSeconds(30));
        assertThat(reconciler
                        .reconcile(() -> List.of(running("late-1", 11, t0), running("late-2", 12, t0)))
                        .published())
                .isEmpty();
        assertThat(idsWithTwoContents(settings.topic())).isEmpty();
    }

    private KafkaEventSink sink(EventPublisherSettings settings) {
        KafkaEventSink sink = new KafkaEventSink(settings, new SimpleMeterRegistry(), Clock.systemUTC(), CLUSTER);
        open.add(sink);
        sink.start();
        return sink;
    }

    /** Waits until {@code sink} knows {@code t} of {@code server} and the state topic holds it. */
    private static void awaitRecorded(
            KafkaEventSink sink, EventPublisherSettings settings, String server, Transition t) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> sink.pending() == 0
                        && sink.recordedServers(CLUSTER, Duration.ofSeconds(5)).containsKey(server)
                        && sink.recordedServers(CLUSTER, Duration.ofSeconds(5))
                                .get(server)
                                .has(t)
                        && String.valueOf(latestState(settings.topic()).get(CLUSTER + "/" + server))
                                .contains(t.name()));
    }

    private ObservedServer running(String name, long id, Instant t) {
        ServerFacts f = engine.facts(name, t, EngineEvents.created(t), t.plusSeconds(70), t.plusSeconds(90), null);
        return new ObservedServer(name, id, engine.pool(), f, "running", true, true);
    }

    private static Map<String, String> latestState(String topic) {
        Map<String, String> out = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : TopicReader.readAll(broker.bootstrapServers(), topic + ".state")) {
            out.put(r.key(), r.value() == null ? null : new String(r.value(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return out;
    }

    private static Set<String> stateKeys(String topic) {
        Set<String> keys = new HashSet<>();
        TopicReader.readAll(broker.bootstrapServers(), topic + ".state").forEach(r -> keys.add(r.key()));
        return keys;
    }

    private static List<String> idsWithTwoContents(String topic) {
        Map<String, Set<String>> contentsById = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : TopicReader.readAll(broker.bootstrapServers(), topic)) {
            Map<String, String> h = TopicReader.headers(r);
            contentsById
                    .computeIfAbsent(h.get("ce_id"), k -> new HashSet<>())
                    .add(h + " " + Base64.getEncoder().encodeToString(r.value()));
        }
        return contentsById.entrySet().stream()
                .filter(e -> e.getValue().size() > 1)
                .map(Map.Entry::getKey)
                .toList();
    }

    private static EventPublisherSettings settings() {
        return EventPublisherSettings.defaults(broker.bootstrapServers())
                .withTopic("standby-" + UUID.randomUUID())
                .withTopicLayout(3, (short) 1)
                .withDelivery(Duration.ofSeconds(3), Duration.ofMillis(200));
    }
}
