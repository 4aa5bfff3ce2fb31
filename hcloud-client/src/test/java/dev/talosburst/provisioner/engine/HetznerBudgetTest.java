package dev.talosburst.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.hcloudsim.RecordedRequest;
import dev.talosburst.provisioner.cloud.ImageQuery;
import dev.talosburst.provisioner.cloud.ServerSpec;
import dev.talosburst.provisioner.nodegroup.InstanceView;
import dev.talosburst.provisioner.pool.NodePool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The steady-state Hetzner budget: full lists stretched with the fleet so they spend at most half of this process's share
 * of the project's budget, and servers being created followed cheaply (no full list) until they run.
 */
class HetznerBudgetTest {
    private final EngineFixture fx = new EngineFixture(b -> b.rateLimit(100_000, 100));

    @AfterEach
    void close() {
        fx.close();
    }

    private List<NodePool> seed(int pools, int perPool) {
        Ownership ours = new Ownership(EngineFixture.CLUSTER);
        String image = Long.toString(
                fx.client.images(ImageQuery.snapshots("os=talos", "x86")).get(0).id());
        List<NodePool> result = new ArrayList<>();
        for (int p = 0; p < pools; p++) {
            String id = "pool" + p;
            result.add(EngineFixture.pool(id, "cx22", "fsn1", 0, 500));
            for (int s = 0; s < perPool; s++) {
                fx.client.createServer(new ServerSpec(
                        id + "-srv" + String.format("%05d", s),
                        "cx22",
                        "fsn1",
                        image,
                        null,
                        ours.labelsFor(id, Map.of()),
                        List.of(),
                        List.of(),
                        null,
                        true,
                        true,
                        true));
            }
        }
        return result;
    }

    @Test
    void fullListsOfALargeFleetAreStretchedToHalfOfTheShare() {
        // a project budget of 360/h with a 50 % share: 180/h for us, at most 90/h for lists of 4 pages = 22.5 lists an
        // hour
        List<NodePool> pools = seed(4, 50);
        EngineSettings settings = fx.settings().withBudget(360, 0.5, Duration.ofSeconds(2));
        assertThat(settings.fullListInterval(200)).isEqualTo(Duration.ofSeconds(160));
        NodeGroupEngine engine = fx.engine(settings, fx.client, pools.toArray(NodePool[]::new));
        engine.start();
        // an idle, healthy cluster: every server registered as a Node
        fx.servers()
                .forEach(s -> fx.nodes.register(
                        s.name(), Map.of(Ownership.NODE_POOL_LABEL, s.labels().get(Ownership.POOL))));
        fx.sim.inspect().resetRequestLog();

        for (int loop = 0; loop < 360; loop++) { // one hour of CA's 10 s loop
            fx.clock.advance(Duration.ofSeconds(10));
            engine.refresh();
            pools.forEach(p -> engine.instances(p.id()));
            engine.tick();
        }

        int all = fx.sim.inspect().requestCount();
        // at most 90 for the lists, plus one in-flight poll and one catch-up list for the servers still booting at
        // start
        assertThat(all)
                .as("requests in one idle hour")
                .isLessThanOrEqualTo(90 + 1 + 4)
                .isGreaterThanOrEqualTo(21 * 4);
        // the in-tree provider lists every 60 s: 60 lists of 4 pages an hour
        assertThat(all).isLessThanOrEqualTo(60 * 4 / 2);
    }

    @Test
    void aCreatedServerIsReportedRunningWithinAPollWithoutAFullList() {
        List<NodePool> pools = seed(2, 60);
        fx.clock.advance(Duration.ofSeconds(10)); // the seeded servers run
        NodeGroupEngine engine = fx.engine(
                fx.settings().withResyncInterval(Duration.ofMinutes(10)), fx.client, pools.toArray(NodePool[]::new));
        engine.start();
        fx.sim.inspect().resetRequestLog();

        engine.increaseSize("pool0", 1);
        fx.awaitServers("pool0", 61);
        org.awaitility.Awaitility.await()
                .until(() -> engine.instances("pool0").stream()
                                .filter(i -> i.id().startsWith("hcloud://"))
                                .count()
                        == 61);
        // the simulator boots it in 2 s + 3 s of its clock; then one poll interval at most
        for (int i = 0; i < 4; i++) {
            fx.clock.advance(Duration.ofSeconds(2));
            engine.tick();
        }
        assertThat(engine.instances("pool0"))
                .allSatisfy(i -> assertThat(i.state()).isEqualTo(InstanceView.State.RUNNING));

        List<RecordedRequest> lists = fx.sim.inspect().requests().stream()
                .filter(r -> r.method().equals("GET") && r.path().endsWith("/servers"))
                .toList();
        assertThat(lists).isNotEmpty().allSatisfy(r -> assertThat(r.query()).contains("status="));
        long gets = fx.sim.inspect().requests().stream()
                .filter(r -> r.method().equals("GET") && r.path().matches(".*/servers/\\d+"))
                .count();
        assertThat(gets).isEqualTo(1);
    }

    @Test
    void aBurstOf100ServersStaysWithinHetznersRateLimit() {
        // Hetzner's own limit (3600, 1/s) on the simulator; the client spends at most half of it
        try (EngineFixture limited = new EngineFixture(b -> b.rateLimit(3600, 1))) {
            List<NodePool> pools = List.of(EngineFixture.pool("burst", "cx22", "fsn1", 0, 200));
            NodeGroupEngine engine = limited.engine(
                    limited.settings(),
                    limited.clientWith(c -> c.withBudgetShare(0.5)),
                    pools.toArray(NodePool[]::new));
            engine.start();

            engine.increaseSize("burst", 100);
            limited.awaitServers("burst", 100);
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> engine.instances("burst").stream()
                                    .filter(i -> i.id().startsWith("hcloud://"))
                                    .count()
                            == 100);
            for (int i = 0; i < 5; i++) {
                limited.clock.advance(Duration.ofSeconds(2));
                engine.tick();
            }
            engine.tick(); // the full list the poll asked for when all 100 left "starting" at once

            assertThat(engine.instances("burst"))
                    .hasSize(100)
                    .allSatisfy(i -> assertThat(i.state()).isEqualTo(InstanceView.State.RUNNING));
            assertThat(limited.sim.inspect().requests())
                    .noneSatisfy(r -> assertThat(r.status()).isEqualTo(429));
            // 100 creates, a few polls and lists; never a GET per server
            assertThat(limited.sim.inspect().requestCount()).isLessThan(100 + 30);
        }
    }
}
