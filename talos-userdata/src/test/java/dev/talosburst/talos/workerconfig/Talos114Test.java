package dev.talosburst.talos.workerconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.talosburst.provisioner.pool.Taint;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Talos 1.14 document model, on a 1.14-shaped config written for these tests (research §1.6). */
class Talos114Test {

    static String config114() {
        try (InputStream in = Talos114Test.class.getResourceAsStream("/talos/v1.14-worker.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static WorkerConfig config() {
        return WorkerConfig.parse(config114(), "v1.14-worker.yaml", Optional.empty());
    }

    private static NodeCustomization node(List<String> patches) {
        return new NodeCustomization(
                "edge",
                "edge-0001",
                Map.of("burst.example.com/pool", "edge"),
                List.of(Taint.parse("dedicated=edge:NoExecute")),
                patches);
    }

    @Test
    void detects114FromItsDocumentsAndInstallerTag() {
        WorkerConfig config = config();
        assertThat(config.talosVersion()).isEqualTo(TalosVersion.v1(14));
        assertThat(config.versionExplanation()).contains("installer image tag v1.14", "KubeNodeConfig");
    }

    @Test
    void placesEverySettingInItsOwnDocument() {
        WorkerConfigRenderer renderer = new WorkerConfigRenderer(config(), Optional.empty());
        Rendered out = Rendered.of(renderer.render(node(List.of())));

        assertThat(out.doc("KubeNodeConfig")
                        .path("labels")
                        .path("burst.example.com/pool")
                        .asText())
                .isEqualTo("edge");
        assertThat(out.doc("KubeNodeConfig").has("nodeIP")).isTrue();
        assertThat(out.doc("KubeletConfig")
                        .path("config")
                        .path("registerWithTaints")
                        .get(0)
                        .path("effect")
                        .asText())
                .isEqualTo("NoExecute");
        assertThat(out.text("KubeletConfig:image")).isEqualTo("ghcr.io/siderolabs/kubelet:v1.37.0-rc.0");
        assertThat(out.text("HostnameConfig:hostname")).isEqualTo("edge-0001");
        assertThat(out.text("HostnameConfig:auto")).isEqualTo("off");
        assertThat(out.at("KubeSpanConfig:enabled").booleanValue()).isTrue();
        assertThat(out.count("KubeSpanConfig")).isEqualTo(1);
        assertThat(out.doc("DiscoveryServiceConfig")).isNotNull();
        assertThat(out.doc("DiscoveryIdentityConfig")).isNotNull();
        // nothing leaked back into the deprecated v1alpha1 places (Talos 1.14 rejects both)
        assertThat(out.at("machine.nodeLabels")).isNull();
        assertThat(out.at("machine.kubelet")).isNull();
        assertThat(out.at("machine.network")).isNull();
        assertThat(out.at("cluster.discovery")).isNull();
        assertThat(out.v1alpha1().has("persist")).isFalse();
        // secrets unchanged
        Rendered in = Rendered.ofYaml(config114());
        for (String path : List.of(
                "machine.token",
                "machine.ca.crt",
                "cluster.token",
                "DiscoveryIdentityConfig:clusterID",
                "DiscoveryIdentityConfig:clusterSecret",
                "KubeClusterConfig:endpoint")) {
            assertThat(out.text(path)).as(path).isNotBlank().isEqualTo(in.text(path));
        }
        assertThat(out.doc("KubeAPIServerCAConfig").path("acceptedCAs").get(0).asText())
                .isEqualTo(in.doc("KubeAPIServerCAConfig")
                        .path("acceptedCAs")
                        .get(0)
                        .asText())
                .startsWith("-----BEGIN CERTIFICATE-----\n");
    }

    @Test
    void validatesAgainstThe114SchemaDespiteItsUnattendedInstallKindBug() {
        WorkerConfigRenderer renderer = new WorkerConfigRenderer(config(), Optional.of(SharedTalosFiles.schemas()));
        assertThat(renderer.schemaFile()).hasValue("v1.14.0-rc.1_config.schema.json");
        // without the kind alias, UnattendedInstallConfig would be reported here
        assertThat(renderer.acceptedSchemaFindings()).isEmpty();
        RenderedUserData data = renderer.render(node(List.of()));
        assertThat(data.schemaFile()).hasValue("v1.14.0-rc.1_config.schema.json");

        // and the schema really is applied to that document
        String badInstall = """
                apiVersion: v1alpha1
                kind: UnattendedInstallConfig
                installer:
                    imageRef: nope
                """;
        assertThatThrownBy(() -> renderer.render(node(List.of(badInstall))))
                .isInstanceOfSatisfying(WorkerConfigException.class, e -> {
                    assertThat(e.problem()).isEqualTo(WorkerConfigException.Problem.SCHEMA_VIOLATION);
                    assertThat(e.details())
                            .singleElement()
                            .asString()
                            .startsWith("document UnattendedInstallConfig, at installer:")
                            .contains("imageRef");
                });
    }

    @Test
    void refusesPatchesThatUseTheOldPlaces() {
        WorkerConfigRenderer renderer = new WorkerConfigRenderer(config(), Optional.empty());
        assertThatThrownBy(() -> renderer.render(node(List.of("machine:\n  nodeLabels:\n    a.example/b: c\n"))))
                .isInstanceOfSatisfying(WorkerConfigException.class, e -> {
                    assertThat(e.problem()).isEqualTo(WorkerConfigException.Problem.PATCH_CONFLICT);
                    assertThat(e.getMessage())
                            .contains("talosburst.pools.edge.talos-patches[0]", "machine.nodeLabels", "KubeNodeConfig");
                });
        assertThatThrownBy(() ->
                        renderer.render(node(List.of("machine:\n  kubelet:\n    extraConfig:\n      maxPods: 50\n"))))
                .hasMessageContaining("machine.kubelet")
                .hasMessageContaining("KubeletConfig");
        assertThatThrownBy(() -> renderer.render(node(
                        List.of("apiVersion: v1alpha1\nkind: KubeNodeConfig\ntaints:\n  a.example/b: NoSchedule\n"))))
                .hasMessageContaining("KubeNodeConfig.taints");
        assertThatThrownBy(() -> renderer.render(
                        node(List.of("apiVersion: v1alpha1\nkind: DiscoveryIdentityConfig\nclusterID: x\n"))))
                .hasMessageContaining("DiscoveryIdentityConfig");
    }

    @Test
    void poolPatchMergesIntoKubeletConfig() {
        WorkerConfigRenderer renderer = new WorkerConfigRenderer(config(), Optional.of(SharedTalosFiles.schemas()));
        String patch = """
                apiVersion: v1alpha1
                kind: KubeletConfig
                config:
                    maxPods: 50
                    registerWithTaints:
                        - key: burst.example.com/spot
                          effect: NoSchedule
                """;
        Rendered out = Rendered.of(renderer.render(node(List.of(patch))));
        assertThat(out.doc("KubeletConfig").path("config").path("maxPods").asInt())
                .isEqualTo(50);
        // lists append: the pool patch's taint first, then talos-burst's
        assertThat(out.doc("KubeletConfig").path("config").path("registerWithTaints"))
                .extracting(t -> t.get("key").asText())
                .containsExactly("burst.example.com/spot", "dedicated");
        assertThat(out.count("KubeletConfig")).isEqualTo(1);
    }
}
