package dev.talosburst.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.talosburst.hcloudsim.ServerSnapshot;
import dev.talosburst.provisioner.pool.AutoscalingOverrides;
import dev.talosburst.provisioner.pool.ImageSelector;
import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.pool.Taint;
import dev.talosburst.talos.workerconfig.WorkerConfigUserData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine with the real Talos renderer on a talosctl-generated worker config. */
class TalosUserDataEngineTest {
    private final EngineFixture fx = new EngineFixture();
    private WorkerConfigUserData userData;

    @BeforeEach
    void loadFixture() {
        Path shared = Path.of(System.getProperty("talos-burst.shared-dir", "../../shared"));
        Path worker = shared.resolve("fixtures/talos/v1.13-base-worker.yaml");
        Path schemas = shared.resolve("contracts/talos-schema");
        Assumptions.assumeTrue(
                Files.isRegularFile(worker), "skipped: Talos fixture " + worker.toAbsolutePath() + " is missing");
        Assumptions.assumeTrue(
                Files.isDirectory(schemas), "skipped: Talos schemas " + schemas.toAbsolutePath() + " are missing");
        userData = WorkerConfigUserData.load(worker, Optional.empty(), Optional.of(schemas));
        // a 1.13 config needs a 1.13 image: a 1.11 one cannot read its KubeSpanConfig document
        fx.sim
                .catalogue()
                .addSnapshot(
                        "talos v1.13.9 amd64",
                        "x86",
                        java.time.Instant.parse("2026-11-20T09:00:00Z"),
                        Map.of("os", "talos", "version", "v1.13.9", "arch", "amd64"));
    }

    @AfterEach
    void close() {
        fx.close();
    }

    private static NodePool pool(String id, List<String> patches) {
        return new NodePool(
                id,
                "cx22",
                "fsn1",
                null,
                0,
                3,
                ImageSelector.talos("v1.13.9"),
                Map.of("example.com/tier", "burst"),
                List.of(new Taint("burst", "true", "NoSchedule")),
                Map.of(),
                List.of(),
                List.of(),
                null,
                true,
                true,
                AutoscalingOverrides.none(),
                patches,
                Duration.ofMinutes(15));
    }

    @Test
    void aScaledUpServerBootsTheClustersWorkerConfigNamedAfterItself() {
        NodeGroupEngine engine = new NodeGroupEngine(
                fx.settings(),
                List.of(pool("talos", List.of())),
                fx.client,
                userData,
                fx.sink,
                fx.nodes,
                fx.clock,
                fx.registry);
        fx.engines.add(engine);
        engine.start();

        engine.increaseSize("talos", 1);
        fx.awaitServers("talos", 1);

        ServerSnapshot server = fx.serversOf("talos").get(0);
        String stored = fx.sim.inspect().userData(server.id()).orElseThrow();
        assertThat(stored.length()).isLessThanOrEqualTo(32768);
        assertThat(stored)
                .contains("hostname: " + server.name())
                .contains("kind: KubeSpanConfig")
                .contains("talos-burst.dev/pool: talos")
                .contains("node.kubernetes.io/instance-type: cx22")
                .contains("registerWithTaints")
                .doesNotContain("persist:");
    }

    @Test
    void aPoolWhosePatchBreaksTheTalosSchemaFailsStartUp() {
        NodePool broken = pool("broken", List.of("machine:\n  kubelet:\n    notAKubeletField: true\n"));
        assertThatThrownBy(() -> new NodeGroupEngine(
                        fx.settings(), List.of(broken), fx.client, userData, fx.sink, fx.nodes, fx.clock))
                .isInstanceOfSatisfying(
                        PoolValidation.InvalidPoolsException.class,
                        e -> assertThat(e.problems()).singleElement().satisfies(p -> {
                            assertThat(p.poolId()).isEqualTo("broken");
                            assertThat(p.text())
                                    .startsWith("talosburst.pools.broken: ")
                                    .contains("notAKubeletField");
                        }));
        // nothing was created or even asked of Hetzner for it
        assertThat(fx.sim.inspect().requestCount("POST", "/servers")).isZero();
    }
}
