package dev.talosburst.events.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.talosburst.events.model.NodeEventData;
import dev.talosburst.events.model.NodeEventMapper;
import dev.talosburst.events.testing.EngineEvents;
import dev.talosburst.hcloudsim.SettableClock;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent.HourlyPrice;
import dev.talosburst.provisioner.lifecycle.Transition;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The reconciler's decisions, against a history built from the same events the sink would record. */
class LifecycleReconcilerRulesTest {

    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    private static final Instant NOW = Instant.parse("2026-11-20T18:00:00Z");
    private final EngineEvents engine = EngineEvents.cx22Fsn1("p");
    private final Map<String, RecordedServer> history = new HashMap<>();
    private final List<LifecycleEvent> emitted = new ArrayList<>();

    private void recorded(LifecycleEvent e) {
        NodeEventData data = NodeEventMapper.toData(e);
        history.put(e.subject(), RecordedServer.after(history.get(e.subject()), e.subject(), e.transition(), data));
    }

    private List<String> reconcile(ObservedServer... existing) throws Exception {
        return names(
                reconciler(this::historyOf, Clock.fixed(NOW, ZoneOffset.UTC)).reconcile(List.of(existing)));
    }

    /** A snapshot of the history, as the sink hands it out. */
    private Map<String, RecordedServer> historyOf(String cluster, Duration timeout) {
        return history.entrySet().stream()
                .filter(e -> cluster.equals(e.getValue().clusterId()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private LifecycleReconciler reconciler(ServerEventHistory h, Clock clock) {
        return new LifecycleReconciler(EngineEvents.CLUSTER, emitted::add, h, clock, Duration.ofSeconds(1));
    }

    private static List<String> names(LifecycleReconciler.Result result) {
        return result.published().stream()
                .map(e -> e.subject() + ":" + e.transition().eventName())
                .toList();
    }

    @Test
    void serversThatNeverGotCreatedOrFailedAreNotReportedDeleted() throws Exception {
        recorded(engine.serverUp("p-1", 1, T0).get(0)); // only create-requested, and gone now
        LifecycleEvent requested = engine.serverUp("p-2", 2, T0).get(0);
        recorded(requested);
        recorded(new LifecycleEvent(
                Transition.SERVER_CREATE_FAILED,
                EngineEvents.CLUSTER,
                "p",
                "p-2",
                "",
                T0,
                null,
                requested.server(),
                "resource_unavailable",
                Map.of("errorCode", "resource_unavailable")));
        assertThat(reconcile()).isEmpty();
    }

    @Test
    void otherClustersAndAlreadyDeletedServersAreLeftAlone() throws Exception {
        engine.serverUp("p-1", 1, T0).forEach(this::recorded);
        engine.serverDown("p-1", 1, T0, T0.plusSeconds(3600)).forEach(this::recorded);
        LifecycleEvent foreign = new LifecycleEvent(
                Transition.SERVER_CREATED,
                "other-cluster",
                "p",
                "q-1",
                "",
                T0,
                9L,
                engine.facts("q-1", T0, T0, null, null, null),
                null,
                Map.of());
        recorded(foreign);
        assertThat(reconcile()).isEmpty();
    }

    @Test
    void aReapedServerThatVanishedKeepsItsRealDeletionTime() throws Exception {
        List<LifecycleEvent> up = engine.serverUp("p-3", 3, T0);
        recorded(up.get(0));
        recorded(up.get(1));
        Instant reapedAt = T0.plusSeconds(1800);
        recorded(new LifecycleEvent(
                Transition.SERVER_REAPED,
                EngineEvents.CLUSTER,
                "p",
                "p-3",
                "",
                reapedAt,
                3L,
                engine.facts("p-3", T0, T0.plusSeconds(20), null, null, reapedAt),
                "never registered",
                Map.of()));
        assertThat(reconcile()).containsExactly("p-3:server-deleted");
        LifecycleEvent deleted = emitted.get(0);
        assertThat(deleted.at()).isEqualTo(reapedAt);
        assertThat(deleted.server().deletedAt()).isEqualTo(reapedAt);
        assertThat(deleted.details()).doesNotContainKey("deletedAtEstimated");
    }

    @Test
    void anExistingServerKeepsThePriceCapturedAtCreation() throws Exception {
        List<LifecycleEvent> up = engine.serverUp("p-4", 4, T0);
        recorded(up.get(0));
        recorded(up.get(1));
        HourlyPrice raised = new HourlyPrice(new BigDecimal("0.0099"), new BigDecimal("0.011781"), "EUR");
        LifecycleEvent.ServerFacts now = new LifecycleEvent.ServerFacts(
                "p-4",
                "cx22",
                "fsn1",
                "amd64",
                424242L,
                Map.of(),
                raised,
                T0,
                T0.plusSeconds(20),
                T0.plusSeconds(20),
                T0.plusSeconds(70),
                T0.plusSeconds(90),
                null);
        assertThat(reconcile(new ObservedServer("p-4", 4, "p", now, "running", true, true)))
                .containsExactly("p-4:node-registered", "p-4:node-ready");
        assertThat(emitted).allSatisfy(e -> assertThat(e.server().price()).isEqualTo(EngineEvents.CX22_FSN1));
        assertThat(emitted.get(0).at()).isEqualTo(T0.plusSeconds(70));
    }

    @Test
    void aServerUnknownToHistoryIsCreatedThenRegisteredInOrder() throws Exception {
        LifecycleEvent.ServerFacts f = engine.facts("p-5", null, T0, null, null, null);
        assertThat(reconcile(new ObservedServer("p-5", 5, "p", f, "initializing", false, false)))
                .containsExactly("p-5:server-created");
        assertThat(emitted.get(0).at()).isEqualTo(T0);
        assertThat(emitted.get(0).identity()).isEqualTo("lab-1/p-5/server-created");
    }

    @Test
    void aServerGivenUpButFoundCreatedLaterIsClosedWhenItVanishes() throws Exception {
        // The create answers were lost until the engine gave up (server-create-failed), yet Hetzner had created the
        // server; the engine later discovered it (server-created) and it joined. It was then deleted while
        // talos-burst was down: without server-deleted, billing would run forever.
        recorded(engine.serverUp("p-6", 6, T0).get(0));
        Instant gaveUp = T0.plusSeconds(900);
        recorded(new LifecycleEvent(
                Transition.SERVER_CREATE_FAILED,
                EngineEvents.CLUSTER,
                "p",
                "p-6",
                "",
                gaveUp,
                null,
                engine.facts("p-6", T0, null, null, null, null),
                "gave up after PT15M: timeout",
                Map.of("errorCode", "timeout", "errorClass", "99")));
        // Discovered a minute later (created = Hetzner's time), then it registered and turned Ready.
        Instant created = EngineEvents.created(T0);
        Instant registered = gaveUp.plusSeconds(120);
        Instant ready = gaveUp.plusSeconds(150);
        recorded(engine.server(
                Transition.SERVER_CREATED,
                "p-6",
                6L,
                engine.facts("p-6", T0, created, null, null, null),
                gaveUp.plusSeconds(60)));
        recorded(engine.server(
                Transition.NODE_REGISTERED,
                "p-6",
                6L,
                engine.facts("p-6", T0, created, registered, null, null),
                registered));
        recorded(engine.server(
                Transition.NODE_READY, "p-6", 6L, engine.facts("p-6", T0, created, registered, ready, null), ready));
        assertThat(history.get("p-6").has(Transition.SERVER_CREATE_FAILED)).isTrue();

        assertThat(reconcile()).containsExactly("p-6:server-deleted", "p-6:node-removed");
        LifecycleEvent deleted = emitted.get(0);
        assertThat(deleted.identity()).isEqualTo("lab-1/p-6/server-deleted");
        assertThat(deleted.serverId()).isEqualTo(6L);
        assertThat(deleted.server().createdAt()).isEqualTo(created);
        assertThat(deleted.server().deletedAt()).isEqualTo(NOW);
        assertThat(deleted.server().price()).isEqualTo(EngineEvents.CX22_FSN1);
        assertThat(deleted.details())
                .containsEntry("deletedAtEstimated", "true")
                .containsEntry("lastSeenAt", ready.toString());
    }

    @Test
    void aServerCreatedBetweenTheHistoryReadAndTheListingIsNeverReportedDeleted() throws Exception {
        // The engine creates p-8 right after whichever of the two reads the reconciler does first: its
        // server-created enters the history, and the server enters Hetzner's listing.
        List<ObservedServer> hetzner = new ArrayList<>();
        LifecycleEvent engineCreated = engine.serverUp("p-8", 8, T0).get(1);
        AtomicBoolean createdYet = new AtomicBoolean();
        Runnable engineCreatesOnce = () -> {
            if (createdYet.compareAndSet(false, true)) {
                recorded(engineCreated);
                hetzner.add(new ObservedServer("p-8", 8, "p", engineCreated.server(), "initializing", false, false));
            }
        };
        ServerEventHistory readThenCreate = (cluster, timeout) -> {
            Map<String, RecordedServer> snapshot = historyOf(cluster, timeout);
            engineCreatesOnce.run();
            return snapshot;
        };
        LifecycleReconciler reconciler = reconciler(readThenCreate, Clock.fixed(NOW, ZoneOffset.UTC));

        List<String> published = names(reconciler.reconcile(() -> {
            List<ObservedServer> listing = List.copyOf(hetzner);
            engineCreatesOnce.run();
            return listing;
        }));

        // Listing read after the history: p-8 is listed but not yet in the history read. At worst its
        // server-created again, with the engine's identity (the sink suppresses it, consumers drop it).
        assertThat(published).containsExactly("p-8:server-created");
        assertThat(emitted.get(0).identity()).isEqualTo(engineCreated.identity());
    }

    @Test
    void aVanishedServersDeletionTimeIsNotBeforeTheListingThatFoundItMissing() throws Exception {
        engine.serverUp("p-9", 9, T0).subList(0, 2).forEach(this::recorded);
        Instant listedAt = NOW.plusSeconds(42);
        SettableClock clock = new SettableClock(NOW);
        LifecycleReconciler reconciler = reconciler(this::historyOf, clock);
        assertThat(names(reconciler.reconcile(() -> {
                    clock.set(listedAt); // listing Hetzner takes a while; p-9 may have existed until it answered
                    return List.of();
                })))
                .containsExactly("p-9:server-deleted");
        assertThat(emitted.get(0).server().deletedAt()).isEqualTo(listedAt);
    }

    @Test
    void aNullListingIsRefusedWithAClearMessage() {
        LifecycleReconciler reconciler = reconciler(this::historyOf, Clock.fixed(NOW, ZoneOffset.UTC));
        assertThatNullPointerException()
                .isThrownBy(() -> reconciler.reconcile(() -> null))
                .withMessageContaining("complete list of this cluster's servers");
        assertThat(emitted).isEmpty();
    }
}
