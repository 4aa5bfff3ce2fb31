package dev.talosburst.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.hcloudsim.ServerSnapshot;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.lifecycle.Transition;
import dev.talosburst.provisioner.nodegroup.NodeRef;
import dev.talosburst.provisioner.pool.NodePool;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every lifecycle event reaches the sink after the view lock is released: a real sink may fsync its journal, and CA's
 * RPCs wait on that lock. The fixture's sink records any event emitted under it (and fails every engine test on close);
 * this test drives every transition there is through the engine and checks the record is empty.
 */
class EventsOutsideViewLockTest {
    private final EngineFixture fx = new EngineFixture();
    private final NodePool workers = EngineFixture.pool("workers", "cx22", "fsn1", 0, 10);
    private final NodePool arm = EngineFixture.pool("arm", "cax11", "fsn1", 0, 10);

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void theCheckSeesAnEventEmittedWhileAViewLockIsHeld() {
        FleetView view = new FleetView(List.of(workers));
        LifecycleEvent event = new LifecycleEvent(
                Transition.SCALE_UP_REQUESTED,
                EngineFixture.CLUSTER,
                "workers",
                "workers",
                "1",
                fx.clock.instant(),
                null,
                null,
                null,
                Map.of());

        fx.sink.emit(event);
        assertThat(fx.emittedUnderViewLock).isEmpty();
        synchronized (view) {
            fx.sink.emit(event);
        }
        assertThat(fx.emittedUnderViewLock).singleElement().asString().contains("scale-up-requested");
        fx.emittedUnderViewLock.clear(); // this test put it there on purpose
    }

    @Test
    void everyTransitionOfAServersLifeIsHandedToTheSinkAfterTheViewLockIsReleased() {
        NodeGroupEngine first = fx.engine(workers, arm);
        first.start();
        List<ServerSnapshot> two = scaleUp(first, 2);
        ServerSnapshot registered = two.get(0);
        ServerSnapshot neverRegistered = two.get(1);

        // registration, initialization, liveness, then CA's scale-down of that server and its Node
        fx.nodes.register(registered.name(), Map.of(Ownership.NODE_POOL_LABEL, "workers"));
        fx.nodes.setReady(registered.name(), true);
        fx.nodes.setReady(registered.name(), false);
        fx.nodes.setReady(registered.name(), true);
        first.deleteNodes("workers", List.of(NodeRef.of("hcloud://" + registered.id(), registered.name())));
        await().until(() -> !fx.events(Transition.NODE_REMOVED).isEmpty());

        // a stock-out fails a creation
        fx.sim.faults().stockOut("cax11", "fsn1");
        first.increaseSize("arm", 1);
        await().until(() -> !fx.events(Transition.SERVER_CREATE_FAILED).isEmpty());

        // the server that never registers is reaped
        fx.clock.advance(Duration.ofMinutes(16));
        first.tick();
        await().until(() -> fx.events(Transition.SERVER_DELETED).size() == 2);

        // a restart adopts what exists; a server deleted outside talos-burst is noticed by the next full list
        ServerSnapshot adopted = scaleUp(first, 1).get(0);
        fx.nodes.register(adopted.name(), Map.of(Ownership.NODE_POOL_LABEL, "workers"));
        first.close();
        NodeGroupEngine second = fx.engine(workers, arm);
        second.start();
        assertThat(fx.events(Transition.SERVER_ADOPTED))
                .anySatisfy(e -> assertThat(e.subject()).isEqualTo(adopted.name()));
        fx.client.deleteServer(adopted.id());
        fx.clock.advance(Duration.ofHours(1)); // past the simulator's deleting phase and the full-list interval
        assertThat(fx.sim.inspect().server(adopted.id())).isEmpty();
        second.tick();
        await().until(() -> fx.events(Transition.SERVER_DELETED).size() == 3);

        Set<Transition> seen =
                fx.events.stream().map(LifecycleEvent::transition).collect(Collectors.toSet());
        assertThat(seen).containsAll(EnumSet.allOf(Transition.class));
        assertThat(fx.emittedUnderViewLock).isEmpty();
    }

    private List<ServerSnapshot> scaleUp(NodeGroupEngine engine, int count) {
        Set<Long> before =
                fx.serversOf("workers").stream().map(ServerSnapshot::id).collect(Collectors.toSet());
        engine.increaseSize("workers", count);
        await().until(() -> added(before).size() == count);
        await().until(() -> engine.instances("workers").stream().allMatch(i -> i.id().startsWith("hcloud://")));
        return added(before);
    }

    private List<ServerSnapshot> added(Set<Long> before) {
        return fx.serversOf("workers").stream()
                .filter(s -> !before.contains(s.id()))
                .toList();
    }
}
