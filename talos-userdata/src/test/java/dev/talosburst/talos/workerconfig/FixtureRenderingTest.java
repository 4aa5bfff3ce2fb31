package dev.talosburst.talos.workerconfig;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talosburst.provisioner.pool.Taint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every worker config talosctl generated (shared fixtures) renders to a valid config for its Talos version. */
class FixtureRenderingTest {

    private static final Map<String, String> LABELS = Map.of(
            "burst.example.com/pool",
            "gpu",
            "node.kubernetes.io/instance-type",
            "cx22",
            "topology.kubernetes.io/zone",
            "hel1");
    private static final List<Taint> TAINTS =
            List.of(Taint.parse("dedicated=gpu:NoSchedule"), Taint.parse("burst.example.com/spot:PreferNoSchedule"));
    private static final List<String> SECRET_PATHS = List.of(
            "machine.token",
            "machine.ca.crt",
            "cluster.token",
            "cluster.secret",
            "cluster.id",
            "cluster.ca.crt",
            "cluster.controlPlane.endpoint");

    static Stream<Path> fixtures() {
        return SharedTalosFiles.workerConfigs().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void rendersSchemaValidConfigWithTheNodeSettings(Path fixture) throws Exception {
        TalosVersion version = SharedTalosFiles.versionOf(fixture);
        WorkerConfig config = WorkerConfig.load(fixture, Optional.of(version));
        WorkerConfigRenderer renderer = new WorkerConfigRenderer(config, Optional.of(SharedTalosFiles.schemas()));

        RenderedUserData data = renderer.render(new NodeCustomization("gpu", "gpu-7f3k2", LABELS, TAINTS, List.of()));

        assertThat(data.compressed()).isFalse();
        assertThat(data.byteSize()).isEqualTo(data.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        assertThat(data.schemaFile()).hasValueSatisfying(f -> assertThat(f).startsWith("v" + version + "."));
        Rendered out = Rendered.of(data);
        Rendered in = Rendered.ofYaml(Files.readString(fixture));

        // secrets and endpoint survive unchanged
        for (String path : SECRET_PATHS) {
            assertThat(out.text(path)).as(path).isNotBlank().isEqualTo(in.text(path));
        }
        assertThat(out.v1alpha1().has("persist")).isFalse();
        assertThat(out.at("machine.nodeTaints")).isNull();

        // labels and taints where this version reads them
        LABELS.forEach((k, v) -> assertThat(out.v1alpha1()
                        .path("machine")
                        .path("nodeLabels")
                        .path(k)
                        .asText())
                .as(k)
                .isEqualTo(v));
        JsonNode taints = out.at("machine.kubelet.extraConfig.registerWithTaints");
        assertThat(taints).hasSize(2);
        assertThat(taints.get(0).path("key").asText()).isEqualTo("dedicated");
        assertThat(taints.get(0).path("value").asText()).isEqualTo("gpu");
        assertThat(taints.get(0).path("effect").asText()).isEqualTo("NoSchedule");
        assertThat(taints.get(1).has("value")).isFalse();
        assertThat(taints.get(1).path("effect").asText()).isEqualTo("PreferNoSchedule");

        // hostname, KubeSpan (never in both places), discovery
        if (version.atLeast(12)) {
            assertThat(out.text("HostnameConfig:hostname")).isEqualTo("gpu-7f3k2");
            assertThat(out.text("HostnameConfig:auto")).isEqualTo("off");
            assertThat(out.count("HostnameConfig")).isEqualTo(1);
            assertThat(out.at("machine.network.hostname")).isNull();
        } else {
            assertThat(out.text("machine.network.hostname")).isEqualTo("gpu-7f3k2");
        }
        if (version.atLeast(13)) {
            assertThat(out.at("KubeSpanConfig:enabled").booleanValue()).isTrue();
            assertThat(out.count("KubeSpanConfig")).isEqualTo(1);
            assertThat(out.at("machine.network")).isNull();
        } else {
            assertThat(out.at("machine.network.kubespan.enabled").booleanValue())
                    .isTrue();
            assertThat(out.doc("KubeSpanConfig")).isNull();
        }
        assertThat(out.at("cluster.discovery.enabled").booleanValue()).isTrue();

        // every other document of the input is still there, in order
        assertThat(out.documents.stream().map(d -> DocumentId.of(d).label()).toList())
                .containsSubsequence(config.documentLabels());

        // independent schema check of the parsed-back output: nothing beyond what the input itself had
        TalosSchemas schemas = new TalosSchemas(SharedTalosFiles.schemas());
        List<String> findings = schemas.validate(version, out.documents).orElseThrow();
        assertThat(findings).isSubsetOf(renderer.acceptedSchemaFindings());
        if (fixture.getFileName().toString().contains("-base-")) {
            assertThat(findings)
                    .as("a default talosctl config must render schema-clean")
                    .isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void detectsTheVersionFromTheDocuments(Path fixture) {
        TalosVersion named = SharedTalosFiles.versionOf(fixture);
        WorkerConfig config = WorkerConfig.load(fixture);
        if (named.equals(TalosVersion.v1(11))) {
            // 1.8-1.11 write the same single document; the fixtures pin kubelet v1.28, so only a range is known
            assertThat(config.talosVersion()).isEqualTo(TalosVersion.v1(8));
            assertThat(config.versionExplanation()).contains("1.8–1.11", "set talos-version");
        } else {
            assertThat(config.talosVersion()).isEqualTo(named);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void acceptedFindingsAreOnlyDeprecatedFieldsTalosctlWrote(Path fixture) {
        WorkerConfig config = WorkerConfig.load(fixture, Optional.of(SharedTalosFiles.versionOf(fixture)));
        WorkerConfigRenderer renderer = new WorkerConfigRenderer(config, Optional.of(SharedTalosFiles.schemas()));
        if (fixture.getFileName().toString().contains("-base-")) {
            assertThat(renderer.acceptedSchemaFindings()).isEmpty();
        } else {
            // e.g. machine.install.extraKernelArgs: still accepted by Talos 1.12/1.13, no longer in their schemas
            assertThat(renderer.acceptedSchemaFindings())
                    .allSatisfy(f -> assertThat(f).startsWith("document v1alpha1, at machine.install"));
        }
    }
}
