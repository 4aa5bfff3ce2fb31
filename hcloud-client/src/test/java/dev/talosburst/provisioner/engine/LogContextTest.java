package dev.talosburst.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.hcloudsim.ServerSnapshot;
import dev.talosburst.provisioner.nodegroup.NodeRef;
import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.testing.CapturedLog;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Lines logged by the engine's per-server work carry pool, server and action as MDC fields operators filter on. */
class LogContextTest {
    private final EngineFixture fx = new EngineFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void createAndDeleteLinesCarryPoolServerAndAction() {
        NodePool pool = EngineFixture.pool("workers", "cx22", "fsn1", 0, 3);
        try (CapturedLog log = CapturedLog.of("dev.talosburst")) {
            NodeGroupEngine engine = fx.engine(pool);
            engine.start();
            engine.increaseSize("workers", 1);
            fx.awaitServers("workers", 1);
            ServerSnapshot server = fx.serversOf("workers").get(0);
            await().until(() -> !log.contextOf("server " + server.name() + " (id " + server.id() + ") created")
                    .isEmpty());
            assertThat(log.contextOf("server " + server.name() + " (id " + server.id() + ") created"))
                    .singleElement()
                    .isEqualTo(Map.of("pool", "workers", "server", server.name(), "action", "create"));

            engine.deleteNodes("workers", List.of(NodeRef.of("hcloud://" + server.id(), server.name())));
            String deleted = "server " + server.name() + " (id " + server.id() + ") of pool workers deleted";
            await().until(() -> !log.contextOf(deleted).isEmpty());
            assertThat(log.contextOf(deleted))
                    .singleElement()
                    .isEqualTo(Map.of("pool", "workers", "server", server.name(), "action", "delete"));
            // the caller's thread keeps no fields of the work it handed off
            assertThat(org.jboss.logging.MDC.getMap()).doesNotContainKeys("pool", "server", "action");
        }
    }

    @Test
    void reaperLinesCarryPoolServerAndAction() {
        NodePool pool = EngineFixture.pool("workers", "cx22", "fsn1", 0, 3);
        try (CapturedLog log = CapturedLog.of("dev.talosburst")) {
            NodeGroupEngine engine = fx.engine(pool);
            engine.start();
            engine.increaseSize("workers", 1);
            fx.awaitServers("workers", 1);
            ServerSnapshot server = fx.serversOf("workers").get(0);
            await().until(() -> engine.instances("workers").get(0).id().startsWith("hcloud://"));

            // never registers as a Node: reaped once the pool's max provision time (15m) has passed
            fx.clock.advance(java.time.Duration.ofMinutes(16));
            engine.tick();
            String reaping = "reaper: deleting server " + server.name() + " (id " + server.id() + ") of pool workers";
            await().until(() -> !log.contextOf(reaping).isEmpty());
            assertThat(log.contextOf(reaping))
                    .singleElement()
                    .isEqualTo(Map.of("pool", "workers", "server", server.name(), "action", "reap"));
        }
    }
}
