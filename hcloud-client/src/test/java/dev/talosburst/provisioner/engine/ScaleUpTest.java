package dev.talosburst.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.hcloudsim.ServerSnapshot;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.lifecycle.Transition;
import dev.talosburst.provisioner.nodegroup.InstanceView;
import dev.talosburst.provisioner.pool.NodePool;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScaleUpTest {
    private final EngineFixture fx = new EngineFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void scaleUpOfOneCreatesALabelledServerInTheBackgroundAndReportsItsLife() {
        NodePool pool = EngineFixture.pool("cx22-fsn1", "cx22", "fsn1", 0, 5);
        NodeGroupEngine engine = fx.engine(pool);
        engine.start();

        engine.increaseSize("cx22-fsn1", 1);

        // the target moves at once, before any server exists
        assertThat(engine.targetSize("cx22-fsn1")).isEqualTo(1);
        fx.awaitServers("cx22-fsn1", 1);
        ServerSnapshot server = fx.serversOf("cx22-fsn1").get(0);
        assertThat(server.name()).matches(Pattern.compile("cx22-fsn1-[a-z][a-z0-9]{7}"));
        assertThat(server.labels())
                .containsEntry(Ownership.CLUSTER, EngineFixture.CLUSTER)
                .containsEntry(Ownership.POOL, "cx22-fsn1")
                .containsEntry(Ownership.MANAGED_BY, "talos-burst")
                .containsEntry("team", "platform");
        assertThat(server.serverType()).isEqualTo("cx22");
        assertThat(server.location()).isEqualTo("fsn1");
        assertThat(fx.sim.inspect().userData(server.id()))
                .get()
                .asString()
                .contains("worker " + server.name())
                .contains("talos-burst.dev/pool=cx22-fsn1")
                .contains("node.kubernetes.io/instance-type=cx22")
                .contains("burst=true:NoSchedule");
        // the newest amd64 Talos snapshot matching the pool's selector
        assertThat(server.imageId()).isNotNull();

        await().untilAsserted(() -> assertThat(engine.instances("cx22-fsn1"))
                .singleElement()
                .satisfies(i -> assertThat(i.id()).isEqualTo("hcloud://" + server.id())));
        assertThat(engine.instances("cx22-fsn1").get(0).state()).isEqualTo(InstanceView.State.CREATING);

        // the simulator boots it in a few (virtual) seconds; the next resync sees it running
        fx.clock.advance(Duration.ofMinutes(1));
        engine.tick();
        assertThat(engine.instances("cx22-fsn1").get(0).state()).isEqualTo(InstanceView.State.RUNNING);
        assertThat(engine.targetSize("cx22-fsn1")).isEqualTo(1);
        // create-requested -> running, measured once, on the virtual clock (the resync after one minute saw it running)
        io.micrometer.core.instrument.Timer running = fx.registry
                .find("talosburst.node.provisioning")
                .tags("pool", "cx22-fsn1", "phase", "server_running")
                .timer();
        assertThat(running).isNotNull();
        assertThat(running.count()).isEqualTo(1);
        assertThat(running.totalTime(java.util.concurrent.TimeUnit.SECONDS)).isBetween(1.0, 60.0);
        fx.clock.advance(Duration.ofMinutes(1));
        engine.tick();
        assertThat(running.count()).isEqualTo(1);

        assertThat(fx.events.stream().map(LifecycleEvent::transition))
                .containsSubsequence(
                        Transition.SCALE_UP_REQUESTED, Transition.SERVER_CREATE_REQUESTED, Transition.SERVER_CREATED);
        LifecycleEvent created = fx.events(Transition.SERVER_CREATED).get(0);
        assertThat(created.serverId()).isEqualTo(server.id());
        assertThat(created.server().price()).isNotNull();
        assertThat(created.server().price().gross())
                .isGreaterThan(created.server().price().net());
        assertThat(created.server().architecture()).isEqualTo("amd64");
    }

    @Test
    void hundredSlotsStayWithinTheBudgetAndDoNotStarveAnotherPool() {
        NodePool big = EngineFixture.pool("big", "cx22", "fsn1", 0, 100);
        NodePool small = EngineFixture.pool("small", "cax11", "fsn1", 0, 3);
        // a client bucket far smaller than the scale-up: it must wait (virtually) instead of earning 429s
        NodeGroupEngine engine = fx.engine(fx.settings(), fx.clientWith(s -> s.withBudgetCapacity(30)), big, small);
        engine.start();

        engine.increaseSize("big", 100);
        engine.increaseSize("small", 1);
        assertThat(engine.targetSize("big")).isEqualTo(100);

        fx.awaitServers("small", 1);
        fx.awaitServers("big", 100);
        List<ServerSnapshot> bigServers = fx.serversOf("big");
        Set<String> names =
                new HashSet<>(bigServers.stream().map(ServerSnapshot::name).toList());
        assertThat(names).hasSize(100);
        assertThat(fx.sim.inspect().requestCount("POST", "/servers")).isEqualTo(101);
        assertThat(fx.sim.inspect().requests()).noneMatch(r -> r.status() == 429);
        // round-robin across pools: the small pool's server came early, not after the big pool's 100
        // (the exact position depends on how many creates were already in flight; CreateQueueTest pins the order)
        long smallId = fx.serversOf("small").get(0).id();
        assertThat(bigServers.stream().filter(s -> s.id() < smallId).count()).isLessThan(50);
        // the arm pool got the arm snapshot
        ServerSnapshot arm = fx.serversOf("small").get(0);
        ServerSnapshot amd = bigServers.stream()
                .min(Comparator.comparing(ServerSnapshot::id))
                .orElseThrow();
        assertThat(arm.imageId()).isNotEqualTo(amd.imageId());
    }

    @Test
    void stockOutIsReportedAsOutOfResourcesAndFurtherSlotsFailFast() {
        NodePool pool = EngineFixture.pool("cx22-fsn1", "cx22", "fsn1", 0, 5);
        NodeGroupEngine engine = fx.engine(pool);
        engine.start();
        fx.sim.faults().stockOut("cx22", "fsn1");

        engine.increaseSize("cx22-fsn1", 3);

        await().untilAsserted(() -> assertThat(engine.instances("cx22-fsn1"))
                .hasSize(3)
                .allSatisfy(i -> assertThat(i.error()).isPresent()));
        for (InstanceView instance : engine.instances("cx22-fsn1")) {
            assertThat(instance.state()).isEqualTo(InstanceView.State.CREATING);
            assertThat(instance.error().get().errorClass()).isEqualTo(InstanceView.ErrorClass.OUT_OF_RESOURCES);
            assertThat(instance.error().get().code()).isEqualTo("resource_unavailable");
        }
        // at most the creates already in flight spent a request; once one failed, the rest fail from memory
        int posts = fx.sim.inspect().requestCount("POST", "/servers");
        assertThat(posts).isBetween(1, 3);
        assertThat(fx.servers()).isEmpty();
        assertThat(fx.events(Transition.SERVER_CREATE_FAILED))
                .hasSize(3)
                .allSatisfy(e -> assertThat(e.details()).containsEntry("errorClass", "1"));
        engine.increaseSize("cx22-fsn1", 2);
        await().until(() -> engine.instances("cx22-fsn1").stream()
                        .filter(i -> i.error().isPresent())
                        .count()
                == 5);
        assertThat(fx.sim.inspect().requestCount("POST", "/servers")).isEqualTo(posts);

        // CA backs off and deletes the failed instances: the target drops, nothing is deleted in Hetzner
        assertThat(engine.targetSize("cx22-fsn1")).isEqualTo(5);
        engine.deleteNodes(
                "cx22-fsn1",
                engine.instances("cx22-fsn1").stream()
                        .map(i -> dev.talosburst.provisioner.nodegroup.NodeRef.of(i.id(), i.id()))
                        .toList());
        assertThat(engine.targetSize("cx22-fsn1")).isZero();

        // after the remembered window the type is tried again
        fx.sim.faults().restock("cx22", "fsn1");
        fx.clock.advance(Duration.ofMinutes(6));
        engine.increaseSize("cx22-fsn1", 1);
        fx.awaitServers("cx22-fsn1", 1);
    }

    @Test
    void quotaIsReportedAsOutOfResources() {
        NodePool pool = EngineFixture.pool("cx22-fsn1", "cx22", "fsn1", 0, 5);
        NodeGroupEngine engine = fx.engine(pool);
        engine.start();
        fx.sim.faults().serverQuota(2);

        engine.increaseSize("cx22-fsn1", 3);

        fx.awaitServers("cx22-fsn1", 2);
        await().untilAsserted(() -> assertThat(engine.instances("cx22-fsn1"))
                .filteredOn(i -> i.error().isPresent())
                .singleElement()
                .satisfies(i -> {
                    assertThat(i.error().get().code()).isEqualTo("resource_limit_exceeded");
                    assertThat(i.error().get().errorClass()).isEqualTo(InstanceView.ErrorClass.OUT_OF_RESOURCES);
                }));
        assertThat(engine.targetSize("cx22-fsn1")).isEqualTo(3);
    }

    @Test
    void aLostCreateResponseStillYieldsExactlyOneServer() {
        NodePool pool = EngineFixture.pool("cx22-fsn1", "cx22", "fsn1", 0, 5);
        NodeGroupEngine engine = fx.engine(pool);
        engine.start();
        fx.sim.faults().loseResponses("POST", "/servers", 1);

        engine.increaseSize("cx22-fsn1", 1);

        await().untilAsserted(() -> assertThat(engine.instances("cx22-fsn1"))
                .singleElement()
                .satisfies(i -> assertThat(i.id()).startsWith("hcloud://")));
        fx.clock.advance(Duration.ofMinutes(2));
        engine.tick();
        assertThat(fx.servers()).hasSize(1);
        assertThat(engine.instances("cx22-fsn1").get(0).id())
                .isEqualTo("hcloud://" + fx.servers().get(0).id());
        assertThat(fx.events(Transition.SERVER_CREATED)).hasSize(1);
        assertThat(fx.events(Transition.SERVER_CREATE_FAILED)).isEmpty();
    }

    @Test
    void aMissingSnapshotStopsStartUpWithAnActionableMessage() {
        NodePool pool = new NodePool(
                "cx22-fsn1",
                "cx22",
                "fsn1",
                null,
                0,
                5,
                dev.talosburst.provisioner.pool.ImageSelector.talos("v9.9.9"),
                null,
                null,
                null,
                null,
                null,
                null,
                true,
                true,
                null,
                null,
                null);
        NodeGroupEngine engine = fx.engine(pool);
        engine.start();

        // found when the catalogue is loaded, not at the first scale-up
        assertThat(engine.hetznerStatus().state()).isEqualTo(HetznerStatus.State.CONFIGURATION_INVALID);
        assertThat(engine.hetznerStatus().startupProblems())
                .singleElement()
                .asString()
                .startsWith("talosburst.pools.cx22-fsn1.image:")
                .contains("os=talos,version=v9.9.9")
                .contains("snapshot");
        assertThat(engine.isLeader()).isFalse();
        assertThat(fx.sim.inspect().requestCount("POST", "/servers")).isZero();
        assertThat(fx.sim.inspect().requestCount("GET", "/servers"))
                .as("no server list before the pools fit")
                .isZero();
    }
}
