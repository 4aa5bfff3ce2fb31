package dev.talosburst.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.hcloudsim.ServerSnapshot;
import dev.talosburst.provisioner.cloud.ImageQuery;
import dev.talosburst.provisioner.cloud.ServerSpec;
import dev.talosburst.provisioner.directory.InMemoryNodeDirectory;
import dev.talosburst.provisioner.lifecycle.Transition;
import dev.talosburst.provisioner.pool.NodePool;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReaperTest {
    private final EngineFixture fx = new EngineFixture();
    private final NodePool pool = EngineFixture.pool("workers", "cx22", "fsn1", 0, 5);

    @AfterEach
    void close() {
        fx.close();
    }

    private ServerSnapshot oneServer(NodeGroupEngine engine) {
        engine.increaseSize("workers", 1);
        fx.awaitServers("workers", 1);
        await().until(() -> engine.instances("workers").get(0).id().startsWith("hcloud://"));
        return fx.serversOf("workers").get(0);
    }

    @Test
    void aServerThatNeverRegistersIsReapedAfterTheMaxProvisionTime() {
        NodeGroupEngine engine = fx.engine(pool);
        engine.start();
        ServerSnapshot server = oneServer(engine);

        fx.clock.advance(Duration.ofMinutes(14));
        engine.tick();
        assertThat(fx.sim.inspect().server(server.id()))
                .get()
                .extracting(ServerSnapshot::status)
                .isNotEqualTo("deleting");

        fx.clock.advance(Duration.ofMinutes(2));
        engine.tick();
        await().until(() -> fx.sim
                .inspect()
                .server(server.id())
                .map(s -> s.status().equals("deleting"))
                .orElse(true));
        assertThat(fx.events(Transition.SERVER_REAPED)).singleElement().satisfies(e -> {
            assertThat(e.subject()).isEqualTo(server.name());
            assertThat(e.reason()).contains("did not register as a Kubernetes Node within 15m");
        });
        await().until(() -> fx.events(Transition.SERVER_DELETED).size() == 1);
        assertThat(engine.reaperFindings())
                .singleElement()
                .satisfies(f -> assertThat(f.dryRun()).isFalse());
        assertThat(engine.targetSize("workers")).isZero();
    }

    @Test
    void aRegisteredServerIsNotReaped() {
        NodeGroupEngine engine = fx.engine(pool);
        engine.start();
        ServerSnapshot server = oneServer(engine);
        fx.nodes.register(server.name(), Map.of(Ownership.NODE_POOL_LABEL, "workers"));

        fx.clock.advance(Duration.ofMinutes(30));
        engine.tick();

        assertThat(fx.sim.inspect().server(server.id()))
                .get()
                .extracting(ServerSnapshot::status)
                .isEqualTo("running");
        assertThat(fx.events(Transition.SERVER_REAPED)).isEmpty();
    }

    @Test
    void dryRunOnlyReports() {
        EngineSettings settings = fx.settings().withReaper(new EngineSettings.ReaperSettings(true, true, null));
        NodeGroupEngine engine = fx.engine(settings, fx.client, pool);
        engine.start();
        ServerSnapshot server = oneServer(engine);

        fx.clock.advance(Duration.ofMinutes(20));
        engine.tick();

        assertThat(engine.reaperFindings()).singleElement().satisfies(f -> {
            assertThat(f.dryRun()).isTrue();
            assertThat(f.serverName()).isEqualTo(server.name());
        });
        assertThat(fx.sim.inspect().requestCount("DELETE", "/servers")).isZero();
        assertThat(fx.events(Transition.SERVER_REAPED)).isEmpty();
        assertThat(fx.sim.inspect().server(server.id())).isPresent();
    }

    @Test
    void serversOfUnknownPoolsAndStuckServersAreReapedButForeignServersNeverAre() {
        Ownership ours = new Ownership(EngineFixture.CLUSTER);
        long orphan = createdElsewhere("gone-pool-abc12345", ours.labelsFor("gone-pool", Map.of()), true);
        long stuckOff = createdElsewhere("workers-offabcdef", ours.labelsFor("workers", Map.of()), false);
        long foreign = createdElsewhere("workers-notours01", Map.of(Ownership.POOL, "workers"), true);
        long otherCluster = createdElsewhere(
                "workers-othercl01", new Ownership("another-cluster").labelsFor("workers", Map.of()), true);

        NodeGroupEngine engine = fx.engine(pool);
        engine.start();
        await().until(() -> fx.sim
                .inspect()
                .server(orphan)
                .map(s -> s.status().equals("deleting"))
                .orElse(true));
        assertThat(fx.events(Transition.SERVER_REAPED))
                .anySatisfy(e -> assertThat(e.reason()).contains("'gone-pool' is not configured"));

        // powered off (start_after_create=false) and never started: stuck
        fx.nodes.register("workers-offabcdef", Map.of(Ownership.NODE_POOL_LABEL, "workers"));
        fx.clock.advance(Duration.ofMinutes(1));
        engine.tick(); // initializing -> off
        fx.clock.advance(Duration.ofMinutes(9));
        engine.tick();
        assertThat(fx.sim.inspect().server(stuckOff))
                .get()
                .extracting(ServerSnapshot::status)
                .isEqualTo("off");
        fx.clock.advance(Duration.ofMinutes(2));
        engine.tick();
        await().until(() -> fx.sim
                .inspect()
                .server(stuckOff)
                .map(s -> s.status().equals("deleting"))
                .orElse(true));
        assertThat(fx.events(Transition.SERVER_REAPED))
                .anySatisfy(e -> assertThat(e.reason()).contains("stuck in status 'off'"));

        fx.clock.advance(Duration.ofHours(2));
        engine.tick();
        engine.tick();
        assertThat(fx.sim.inspect().server(foreign))
                .get()
                .extracting(ServerSnapshot::status)
                .isEqualTo("running");
        assertThat(fx.sim.inspect().server(otherCluster))
                .get()
                .extracting(ServerSnapshot::status)
                .isEqualTo("running");
    }

    @Test
    void anOrphanNodeOfOursIsRemovedButForeignNodesStay() {
        NodeGroupEngine engine = fx.engine(pool);
        engine.start();
        fx.nodes.register(
                "workers-vanished",
                Map.of(Ownership.NODE_POOL_LABEL, "workers", Ownership.NODE_CLUSTER_LABEL, EngineFixture.CLUSTER));
        fx.nodes.register("control-plane-1", Map.of());
        fx.nodes.register("workers-lookalike", Map.of());
        // another talos-burst installation with the same pool names in the same cluster
        fx.nodes.register(
                "workers-neighbour",
                Map.of(Ownership.NODE_POOL_LABEL, "workers", Ownership.NODE_CLUSTER_LABEL, "other-cluster"));

        fx.clock.advance(Duration.ofMinutes(2));
        engine.tick();

        assertThat(fx.nodes.byName("workers-vanished")).isEmpty();
        assertThat(fx.nodes.byName("control-plane-1")).isPresent();
        assertThat(fx.nodes.byName("workers-lookalike")).isPresent();
        assertThat(fx.nodes.byName("workers-neighbour")).isPresent();
    }

    @Test
    void aServerOfAnUnconfiguredPoolWithARegisteredNodeGetsAGracePeriodBeforeItIsReaped() {
        Ownership ours = new Ownership(EngineFixture.CLUSTER);
        long renamed = createdElsewhere("oldpool-abcdefgh", ours.labelsFor("oldpool", Map.of()), true);
        // its Node runs pods: a pool renamed by mistake must not take them down at once
        fx.nodes.register(
                "oldpool-abcdefgh",
                Map.of(Ownership.NODE_POOL_LABEL, "oldpool", Ownership.NODE_CLUSTER_LABEL, EngineFixture.CLUSTER));

        NodeGroupEngine engine = fx.engine(pool);
        engine.start();
        fx.clock.advance(Duration.ofMinutes(5));
        engine.tick();
        assertThat(fx.sim.inspect().server(renamed))
                .get()
                .extracting(ServerSnapshot::status)
                .isEqualTo("running");
        assertThat(fx.events(Transition.SERVER_REAPED)).isEmpty();

        fx.clock.advance(Duration.ofMinutes(6));
        engine.tick();
        await().until(() -> fx.sim
                .inspect()
                .server(renamed)
                .map(s -> s.status().equals("deleting"))
                .orElse(true));
        assertThat(fx.events(Transition.SERVER_REAPED))
                .singleElement()
                .satisfies(e -> assertThat(e.reason()).contains("'oldpool' is not configured"));
    }

    @Test
    void withoutAWatchedClusterNothingIsReapedForNotRegisteringButStuckAndUnconfiguredServersStillAre() {
        Ownership ours = new Ownership(EngineFixture.CLUSTER);
        long orphan = createdElsewhere("gone-pool-abc12345", ours.labelsFor("gone-pool", Map.of()), true);
        long stuckOff = createdElsewhere("workers-offabcdef", ours.labelsFor("workers", Map.of()), false);
        // talosburst.kubernetes.enabled=false: kubelets register in a cluster nobody here watches
        InMemoryNodeDirectory unwatched = InMemoryNodeDirectory.unobserved(fx.clock);
        NodeGroupEngine engine = fx.engine(
                fx.settings(),
                fx.client,
                unwatched,
                EngineFixture.pool("workers", "cx22", "fsn1", 0, 5, Duration.ofMinutes(2)));
        engine.start();
        engine.increaseSize("workers", 1);
        fx.awaitServers("workers", 2);
        ServerSnapshot server = fx.serversOf("workers").stream()
                .filter(s -> s.id() != stuckOff)
                .findFirst()
                .orElseThrow();
        await().until(() -> engine.instances("workers").stream().allMatch(i -> i.id().startsWith("hcloud://")));
        assertThat(fx.sim.inspect().server(orphan))
                .get()
                .extracting(ServerSnapshot::status)
                .isNotEqualTo("deleting");

        for (int minute = 1; minute <= 12; minute++) {
            fx.clock.advance(Duration.ofMinutes(1));
            engine.tick();
        }
        await().until(() -> fx.sim
                .inspect()
                .server(stuckOff)
                .map(s -> s.status().equals("deleting"))
                .orElse(true));
        await().until(() -> fx.sim
                .inspect()
                .server(orphan)
                .map(s -> s.status().equals("deleting"))
                .orElse(true));
        assertThat(fx.events(Transition.SERVER_REAPED))
                .extracting(e -> e.reason())
                .anySatisfy(r -> assertThat(r).contains("stuck in status 'off'"))
                .anySatisfy(r -> assertThat(r).contains("'gone-pool' is not configured"))
                .noneSatisfy(r -> assertThat(r).contains("did not register"));

        fx.clock.advance(Duration.ofHours(2));
        engine.tick();
        assertThat(fx.sim.inspect().server(server.id()))
                .get()
                .extracting(ServerSnapshot::status)
                .isEqualTo("running");
        assertThat(engine.reaperFindings())
                .extracting(ServerReaper.Finding::serverName)
                .doesNotContain(server.name());
        assertThat(engine.targetSize("workers")).isEqualTo(1);
    }

    /** A cx22 in fsn1 from the Talos snapshot, created straight on Hetzner (not by the engine) with {@code labels}. */
    private long createdElsewhere(String name, Map<String, String> labels, boolean started) {
        String image = Long.toString(
                fx.client.images(ImageQuery.snapshots("os=talos", "x86")).get(0).id());
        return fx.client
                .createServer(new ServerSpec(
                        name, "cx22", "fsn1", image, null, labels, List.of(), List.of(), null, true, true, started))
                .server()
                .id();
    }
}
