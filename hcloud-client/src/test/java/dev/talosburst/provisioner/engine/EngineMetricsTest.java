package dev.talosburst.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.hcloudsim.ServerSnapshot;
import dev.talosburst.provisioner.lifecycle.Transition;
import dev.talosburst.provisioner.pool.NodePool;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine's meters on the real engine and the simulator: present from start-up, then following a scale-up. */
class EngineMetricsTest {
    private final EngineFixture fx = new EngineFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void everyCounterOfEveryPoolExistsAtZeroBeforeAnythingHappens() {
        fx.engine(EngineFixture.pool("a", "cx22", "fsn1", 0, 3), EngineFixture.pool("b", "cax11", "fsn1", 0, 3));

        for (String pool : new String[] {"a", "b"}) {
            for (String errorClass : new String[] {"OUT_OF_RESOURCES", "OTHER"}) {
                assertThat(counter("talosburst.server.create.failures", "pool", pool, "class", errorClass)
                                .count())
                        .isZero();
            }
            for (String reason : ProvisioningMetrics.REAP_REASONS) {
                assertThat(counter("talosburst.servers.reaped", "pool", pool, "reason", reason, "dry_run", "false")
                                .count())
                        .isZero();
                assertThat(counter("talosburst.servers.reaped", "pool", pool, "reason", reason, "dry_run", "true")
                                .count())
                        .isZero();
            }
            for (Transition t : Transition.values()) {
                assertThat(counter("talosburst.lifecycle.transitions", "pool", pool, "transition", t.eventName())
                                .count())
                        .isZero();
            }
            for (String phase : ProvisioningMetrics.PHASES) {
                assertThat(fx.registry
                                .get("talosburst.node.provisioning")
                                .tags("pool", pool, "phase", phase)
                                .timer()
                                .count())
                        .isZero();
            }
            assertThat(counter("talosburst.out.of.resources.backoffs", "pool", pool)
                            .count())
                    .isZero();
            assertThat(counter("talosburst.node.providerid.mismatch", "pool", pool)
                            .count())
                    .isZero();
            for (String gauge :
                    new String[] {"target.size", "servers", "ready.nodes", "creations.in.flight", "cost.euros.per.hour"
                    }) {
                assertThat(gauge("talosburst.nodegroup." + gauge, pool))
                        .as(gauge)
                        .isZero();
            }
        }
        assertThat(fx.registry.get("talosburst.engine.leader").gauge().value()).isZero();
        // bounded cardinality: our meters carry only configuration-bounded labels, none naming a server
        for (Meter meter : fx.registry.getMeters()) {
            if (meter.getId().getName().startsWith("talosburst.")) {
                assertThat(meter.getId().getTags())
                        .extracting(io.micrometer.core.instrument.Tag::getKey)
                        .isSubsetOf(
                                "pool",
                                "phase",
                                "le",
                                "class",
                                "reason",
                                "dry_run",
                                "transition",
                                "endpoint",
                                "method",
                                "status");
            }
        }
    }

    @Test
    void aScaleUpMovesTargetServersReadyCostTransitionsAndPhases() {
        NodePool pool = EngineFixture.pool("cx22-fsn1", "cx22", "fsn1", 0, 5);
        NodeGroupEngine engine = fx.engine(pool);
        engine.start();
        assertThat(fx.registry.get("talosburst.engine.leader").gauge().value()).isEqualTo(1);

        engine.increaseSize("cx22-fsn1", 2);
        assertThat(gauge("talosburst.nodegroup.target.size", "cx22-fsn1")).isEqualTo(2);
        fx.awaitServers("cx22-fsn1", 2);
        await().untilAsserted(() -> {
            assertThat(gauge("talosburst.nodegroup.servers", "cx22-fsn1")).isEqualTo(2);
            assertThat(gauge("talosburst.nodegroup.creations.in.flight", "cx22-fsn1"))
                    .isZero();
        });
        BigDecimal net =
                fx.events(Transition.SERVER_CREATED).get(0).server().price().net();
        assertThat(gauge("talosburst.nodegroup.cost.euros.per.hour", "cx22-fsn1"))
                .isEqualTo(net.multiply(BigDecimal.valueOf(2)).doubleValue());
        assertThat(counter("talosburst.lifecycle.transitions", "pool", "cx22-fsn1", "transition", "server-created")
                        .count())
                .isEqualTo(2);
        assertThat(phase("server_created").count()).isEqualTo(2);

        ServerSnapshot server = fx.serversOf("cx22-fsn1").get(0);
        fx.clock.advance(Duration.ofSeconds(40));
        fx.nodes.register(
                server.name(),
                Map.of(Ownership.NODE_POOL_LABEL, "cx22-fsn1", Ownership.NODE_CLUSTER_LABEL, EngineFixture.CLUSTER));
        fx.clock.advance(Duration.ofSeconds(20));
        fx.nodes.setReady(server.name(), true);
        await().untilAsserted(() -> assertThat(gauge("talosburst.nodegroup.ready.nodes", "cx22-fsn1"))
                .isEqualTo(1));
        assertThat(phase("node_ready").count()).isEqualTo(1);
        assertThat(phase("node_ready").totalTime(java.util.concurrent.TimeUnit.SECONDS))
                .isGreaterThanOrEqualTo(60);
    }

    @Test
    void aStockOutCountsAnOutOfResourcesBackOffAndClassifiedFailures() {
        NodeGroupEngine engine = fx.engine(EngineFixture.pool("cx22-fsn1", "cx22", "fsn1", 0, 5));
        engine.start();
        fx.sim.faults().stockOut("cx22", "fsn1");

        engine.increaseSize("cx22-fsn1", 2);

        await().untilAsserted(() -> assertThat(
                        counter("talosburst.server.create.failures", "pool", "cx22-fsn1", "class", "OUT_OF_RESOURCES")
                                .count())
                .isEqualTo(2));
        assertThat(counter("talosburst.out.of.resources.backoffs", "pool", "cx22-fsn1")
                        .count())
                .isGreaterThanOrEqualTo(1);
        assertThat(counter("talosburst.server.create.failures", "pool", "cx22-fsn1", "class", "OTHER")
                        .count())
                .isZero();
    }

    private Timer phase(String phase) {
        return fx.registry
                .get("talosburst.node.provisioning")
                .tags("pool", "cx22-fsn1", "phase", phase)
                .timer();
    }

    private Counter counter(String name, String... tags) {
        return fx.registry.get(name).tags(tags).counter();
    }

    private double gauge(String name, String pool) {
        return fx.registry.get(name).tag("pool", pool).gauge().value();
    }
}
