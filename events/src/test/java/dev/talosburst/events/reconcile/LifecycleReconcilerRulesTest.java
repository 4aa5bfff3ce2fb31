package dev.talosburst.events.reconcile;

import dev.talosburst.events.model.NodeEventData;
import dev.talosburst.events.model.NodeEventMapper;
import dev.talosburst.events.testing.EngineEvents;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent.HourlyPrice;
import dev.talosburst.provisioner.lifecycle.Transition;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

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
        LifecycleReconciler r = new LifecycleReconciler(EngineEvents.CLUSTER, emitted::add, (cluster, t) -> history.entrySet().stream()
                        .filter(e -> cluster.equals(e.getValue().clusterId()))
                        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)),
                Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(1));
        return r.reconcile(List.of(existing)).published().stream().map(e -> e.subject() + ":" + e.transition().eventName()).toList();
    }

    @Test
    void serversThatNeverGotCreatedOrFailedAreNotReportedDeleted() throws Exception {
        recorded(engine.serverUp("p-1", 1, T0).get(0)); // only create-requested, and gone now
        LifecycleEvent requested = engine.serverUp("p-2", 2, T0).get(0);
        recorded(requested);
        recorded(new LifecycleEvent(Transition.SERVER_CREATE_FAILED, EngineEvents.CLUSTER, "p", "p-2", "", T0, null,
                requested.server(), "resource_unavailable", Map.of("errorCode", "resource_unavailable")));
        assertThat(reconcile()).isEmpty();
    }

    @Test
    void otherClustersAndAlreadyDeletedServersAreLeftAlone() throws Exception {
        engine.serverUp("p-1", 1, T0).forEach(this::recorded);
        engine.serverDown("p-1", 1, T0, T0.plusSeconds(3600)).forEach(this::recorded);
        LifecycleEvent foreign = new LifecycleEvent(Transition.SERVER_CREATED, "other-cluster", "p", "q-1", "", T0, 9L,
                engine.facts("q-1", T0, T0, null, null, null), null, Map.of());
        recorded(foreign);
        assertThat(reconcile()).isEmpty();
    }

    @Test
    void aReapedServerThatVanishedKeepsItsRealDeletionTime() throws Exception {
        List<LifecycleEvent> up = engine.serverUp("p-3", 3, T0);
        recorded(up.get(0));
        recorded(up.get(1));
        Instant reapedAt = T0.plusSeconds(1800);
        recorded(new LifecycleEvent(Transition.SERVER_REAPED, EngineEvents.CLUSTER, "p", "p-3", "", reapedAt, 3L,
                engine.facts("p-3", T0, T0.plusSeconds(20), null, null, reapedAt), "never registered", Map.of()));
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
        LifecycleEvent.ServerFacts now = new LifecycleEvent.ServerFacts("p-4", "cx22", "fsn1", "amd64", 424242L, Map.of(),
                raised, T0, T0.plusSeconds(20), T0.plusSeconds(20), T0.plusSeconds(70), T0.plusSeconds(90), null);
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
}
