package dev.talosburst.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.hcloudsim.ServerSnapshot;
import dev.talosburst.provisioner.pool.AutoscalingOverrides;
import dev.talosburst.provisioner.pool.ImageSelector;
import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.talos.workerconfig.TalosVersion;
import dev.talosburst.talos.workerconfig.WorkerConfigUserData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which Talos version a pool's worker config is rendered for, on the real engine: the documents give a range, the
 * {@code version} label of the snapshot the pool boots decides inside it, and a config the image cannot read stops
 * start-up. Configs of other versions are derived in memory from the shared talosctl fixtures.
 */
class TalosVersionEvidenceTest {
    private final EngineFixture fx = new EngineFixture();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        fx.close();
    }

    private static String fixture(String name) throws IOException {
        Path shared = Path.of(System.getProperty("talos-burst.shared-dir", "../../shared"));
        Path file = shared.resolve("fixtures/talos").resolve(name);
        Assumptions.assumeTrue(
                Files.isRegularFile(file), "skipped: Talos fixture " + file.toAbsolutePath() + " is missing");
        return Files.readString(file);
    }

    private WorkerConfigUserData userData(String yaml) throws IOException {
        Path file = Files.writeString(dir.resolve("worker.yaml"), yaml);
        return WorkerConfigUserData.load(file, Optional.empty(), Optional.empty());
    }

    private void snapshot(String version) {
        fx.sim
                .catalogue()
                .addSnapshot(
                        "talos " + version + " amd64",
                        "x86",
                        Instant.parse("2026-11-20T09:00:00Z"),
                        Map.of("os", "talos", "version", version, "arch", "amd64"));
    }

    private static NodePool pool(String id, String talosVersion, List<String> patches) {
        return new NodePool(
                id,
                "cx22",
                "fsn1",
                null,
                0,
                3,
                ImageSelector.talos(talosVersion),
                Map.of(),
                List.of(),
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

    private NodeGroupEngine engine(WorkerConfigUserData userData, NodePool... pools) {
        NodeGroupEngine engine = new NodeGroupEngine(
                fx.settings(), List.of(pools), fx.client, userData, fx.sink, fx.nodes, fx.clock, fx.registry);
        fx.engines.add(engine);
        engine.start();
        return engine;
    }

    /** About 45 KB of compressible, schema-valid settings: too large for Hetzner unless gzipped (Talos 1.9+). */
    private static String largePatch() {
        StringBuilder patch = new StringBuilder("machine:\n  sysctls:\n");
        for (int i = 0; i < 1000; i++) {
            patch.append("    net.example.key")
                    .append(i)
                    .append(": \"value-")
                    .append(i)
                    .append("\"\n");
        }
        return patch.toString();
    }

    @Test
    void the111FixtureBootingAV1116SnapshotIsRenderedFor111SoALargeConfigIsCompressed() throws IOException {
        WorkerConfigUserData userData = userData(fixture("v1.11-base-worker.yaml"));
        // the documents alone allow 1.8-1.11 (1.8 cannot read compressed user-data)
        assertThat(userData.renderer().talosVersion()).isEqualTo(TalosVersion.v1(8));
        assertThat(userData.renderer().config().versionCertain()).isFalse();

        NodeGroupEngine engine = engine(userData, pool("big", "v1.11.6", List.of(largePatch())));

        assertThat(engine.hetznerStatus().state()).isEqualTo(HetznerStatus.State.READY);
        assertThat(userData.rendererFor("big").talosVersion()).isEqualTo(TalosVersion.v1(11));
        engine.increaseSize("big", 1);
        fx.awaitServers("big", 1);
        ServerSnapshot server = fx.serversOf("big").get(0);
        String stored = fx.sim.inspect().userData(server.id()).orElseThrow();
        assertThat(stored.length()).isLessThanOrEqualTo(32768);
        assertThat(stored).as("base64(gzip(yaml)), which Talos 1.11 reads").matches("[A-Za-z0-9+/=]+");
    }

    @ParameterizedTest(name = "Talos {0}")
    @ValueSource(strings = {"v1.9.6", "v1.10.7"})
    void aConfigForAnOlderTalosMadeByANewerTalosctlTakesTheVersionOfTheSnapshotItBoots(String version)
            throws IOException {
        // talosctl 1.13 gen config --talos-version v1.9/v1.10: the 1.8-1.11 document shape, installer and kubelet of
        // 1.13
        String yaml = fixture("v1.11-base-worker.yaml")
                .replace(
                        "        wipe: false",
                        "        image: ghcr.io/siderolabs/installer:v1.13.9\n        wipe: false")
                .replace("kubelet:v1.28.0", "kubelet:v1.31.4");
        WorkerConfigUserData userData = userData(yaml);
        snapshot(version);

        NodeGroupEngine engine = engine(userData, pool("old", version, List.of()));

        assertThat(engine.hetznerStatus().state()).isEqualTo(HetznerStatus.State.READY);
        assertThat(userData.rendererFor("old").talosVersion()).isEqualTo(TalosVersion.parse(version));
        assertThat(userData.rendererFor("old").config().versionExplanation())
                .contains("pool old boots a Talos " + version);
    }

    @Test
    void aConfigShapedLike114WithoutAnInstallerTagTakesTheVersionOfANewerSnapshot() throws IOException {
        String yaml;
        try (InputStream in = getClass().getResourceAsStream("/talos/v1.14-worker.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // an installer pinned by digest: only the documents (1.14 or newer) and the snapshot tell the version
        yaml = yaml.replaceAll(
                "metal-installer/([0-9a-f]+):v1\\.14\\.0-rc\\.1", "metal-installer/$1@sha256:" + "0".repeat(64));
        WorkerConfigUserData userData = userData(yaml);
        assertThat(userData.renderer().config().versionCertain())
                .as("1.14 documents are also what 1.15 writes")
                .isFalse();
        snapshot("v1.15.2");

        NodeGroupEngine engine = engine(userData, pool("new", "v1.15.2", List.of()));

        assertThat(engine.hetznerStatus().state()).isEqualTo(HetznerStatus.State.READY);
        assertThat(userData.rendererFor("new").talosVersion()).isEqualTo(TalosVersion.v1(15));
    }

    @Test
    void aConfigTheBootedImageCannotReadStopsStartUpNamingThePoolsImage() throws IOException {
        WorkerConfigUserData userData = userData(fixture("v1.13-base-worker.yaml"));

        NodeGroupEngine engine = engine(userData, pool("mismatch", "v1.11.6", List.of()));

        assertThat(engine.hetznerStatus().state()).isEqualTo(HetznerStatus.State.CONFIGURATION_INVALID);
        assertThat(engine.hetznerStatus().startupProblems())
                .singleElement()
                .asString()
                .startsWith("talosburst.pools.mismatch.image: the pool boots a Talos v1.11.6 snapshot")
                .contains("needs Talos 1.13 or newer", "talosctl gen config --talos-version v1.11");
        assertThat(fx.sim.inspect().requestCount("POST", "/servers")).isZero();
    }
}
