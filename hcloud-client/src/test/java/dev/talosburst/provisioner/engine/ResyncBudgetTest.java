package dev.talosburst.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.provisioner.cloud.ImageQuery;
import dev.talosburst.provisioner.cloud.ServerSpec;
import dev.talosburst.provisioner.pool.NodePool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Counts the Hetzner calls of an idle cluster: the budget argument of the whole design. */
class ResyncBudgetTest {
    private final EngineFixture fx = new EngineFixture(b -> b.rateLimit(100_000, 100));

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void anIdleClusterOf200ServersIn10PoolsCostsAtMostOneListPassPerInterval() {
        Ownership ours = new Ownership(EngineFixture.CLUSTER);
        String image = Long.toString(
                fx.client.images(ImageQuery.snapshots("os=talos", "x86")).get(0).id());
        List<NodePool> pools = new ArrayList<>();
        for (int p = 0; p < 10; p++) {
            String id = "pool" + p;
            pools.add(EngineFixture.pool(id, "cx22", "fsn1", 0, 50));
            for (int s = 0; s < 20; s++) {
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
        fx.clock.advance(
                Duration.ofSeconds(10)); // idle: the servers run (servers still booting are polled, which costs more)
        NodeGroupEngine engine = fx.engine(pools.toArray(NodePool[]::new));
        engine.start();
        for (NodePool pool : pools) {
            assertThat(engine.targetSize(pool.id())).isEqualTo(20);
            // registered nodes: an idle, healthy cluster
            engine.instances(pool.id()).forEach(i -> {});
        }
        fx.servers()
                .forEach(s -> fx.nodes.register(
                        s.name(), Map.of(Ownership.NODE_POOL_LABEL, s.labels().get(Ownership.POOL))));
        fx.sim.inspect().resetRequestLog();

        // ten intervals of CA's 10 s loop: Refresh, then the read RPCs of every group
        int intervals = 10;
        for (int loop = 0; loop < intervals * 6; loop++) {
            fx.clock.advance(Duration.ofSeconds(10));
            engine.refresh();
            for (NodePool pool : pools) {
                engine.targetSize(pool.id());
                engine.instances(pool.id());
            }
            engine.tick();
        }

        int lists = fx.sim.inspect().requestCount("GET", "/servers");
        int all = fx.sim.inspect().requestCount();
        int onePass = (int) Math.ceil(200 / 50.0);
        System.out.printf(
                "idle cluster, 200 servers in 10 pools, %d resync intervals: %d requests (%d server-list pages; budget %d = %d per interval)%n",
                intervals, all, lists, intervals * onePass, onePass);
        assertThat(lists).isLessThanOrEqualTo(intervals * onePass);
        assertThat(lists).isGreaterThanOrEqualTo((intervals - 1) * onePass);
        assertThat(all).isEqualTo(lists);
    }
}
