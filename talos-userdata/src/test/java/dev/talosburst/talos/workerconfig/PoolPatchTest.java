package dev.talosburst.talos.workerconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.pool.Taint;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Pool patches on real talosctl configs: what merges, what conflicts, and start-up checks of pools. */
class PoolPatchTest {

    private static WorkerConfigRenderer renderer(String minor, boolean withSchemas) {
        Path fixture = SharedTalosFiles.fixtures().resolve("v" + minor + "-base-worker.yaml");
        WorkerConfig config = WorkerConfig.load(fixture, Optional.of(TalosVersion.parse(minor)));
        return new WorkerConfigRenderer(
                config, withSchemas ? Optional.of(SharedTalosFiles.schemas()) : Optional.empty());
    }

    private static NodeCustomization node(String... patches) {
        return new NodeCustomization(
                "gpu",
                "gpu-1",
                Map.of("burst.example.com/pool", "gpu"),
                List.of(Taint.parse("dedicated=gpu:NoSchedule")),
                List.of(patches));
    }

    private static WorkerConfigException failure(WorkerConfigRenderer renderer, NodeCustomization node) {
        try {
            renderer.render(node);
        } catch (WorkerConfigException e) {
            return e;
        }
        throw new AssertionError("expected the render to fail");
    }

    @Test
    void multiDocumentPoolPatchMergesIntoA113Config() {
        String patch = """
                machine:
                  sysctls:
                    vm.max_map_count: "262144"
                  kubelet:
                    extraConfig:
                      registerWithTaints:
                        - key: burst.example.com/gpu
                          effect: NoSchedule
                ---
                apiVersion: v1alpha1
                kind: KubeSpanConfig
                mtu: 1380
                ---
                apiVersion: v1alpha1
                kind: RegistryMirrorConfig
                name: docker.io
                endpoints:
                  - url: https://mirror.example
                """;
        Rendered out = Rendered.of(renderer("1.13", true).render(node(patch)));
        assertThat(out.v1alpha1()
                        .path("machine")
                        .path("sysctls")
                        .path("vm.max_map_count")
                        .asText())
                .isEqualTo("262144");
        assertThat(out.at("machine.kubelet.extraConfig.registerWithTaints"))
                .extracting(t -> t.path("key").asText())
                .containsExactly("burst.example.com/gpu", "dedicated");
        assertThat(out.count("KubeSpanConfig")).isEqualTo(1);
        assertThat(out.at("KubeSpanConfig:mtu").asInt()).isEqualTo(1380);
        assertThat(out.at("KubeSpanConfig:enabled").booleanValue()).isTrue();
        assertThat(out.doc("RegistryMirrorConfig")).isNotNull();
    }

    @Test
    void hostnameInAPatchConflictsOnEveryVersion() {
        for (String minor : List.of("1.6", "1.11", "1.12", "1.13")) {
            WorkerConfigException e =
                    failure(renderer(minor, false), node("machine:\n  network:\n    hostname: fixed\n"));
            assertThat(e.problem()).isEqualTo(WorkerConfigException.Problem.PATCH_CONFLICT);
            assertThat(e.getMessage()).contains("talosburst.pools.gpu.talos-patches[0]", "machine.network.hostname");
        }
        assertThat(failure(renderer("1.12", false), node("apiVersion: v1alpha1\nkind: HostnameConfig\nauto: stable\n"))
                        .getMessage())
                .contains("talos-patches[0]", "HostnameConfig");
        assertThat(failure(
                                renderer("1.13", false),
                                node("machine:\n  sysctls:\n    a: b\n", "machine:\n  network:\n    hostname: x\n"))
                        .getMessage())
                .contains("on Talos 1.13", "HostnameConfig.hostname", "talos-patches[1]");
    }

    @Test
    void kubeSpanMustStayOnAndInTheVersionsPlace() {
        assertThat(failure(renderer("1.13", false), node("machine:\n  network:\n    kubespan:\n      enabled: true\n"))
                        .getMessage())
                .contains("machine.network.kubespan", "KubeSpanConfig document");
        assertThat(failure(renderer("1.12", false), node("apiVersion: v1alpha1\nkind: KubeSpanConfig\nenabled: true\n"))
                        .getMessage())
                .contains("KubeSpanConfig", "Talos 1.12", "machine.network.kubespan");
        assertThat(failure(renderer("1.11", false), node("machine:\n  network:\n    kubespan:\n      enabled: false\n"))
                        .getMessage())
                .contains("turns KubeSpan off");
        assertThat(failure(
                                renderer("1.13", false),
                                node("apiVersion: v1alpha1\nkind: KubeSpanConfig\n$patch: delete\n"))
                        .getMessage())
                .contains("turns KubeSpan off");
        assertThat(failure(renderer("1.6", false), node("cluster:\n  discovery:\n    enabled: false\n"))
                        .getMessage())
                .contains("discovery");
    }

    @Test
    void refusesNodeTaintsJoinIdentityAndContradictingLabels() {
        assertThat(failure(renderer("1.13", false), node("machine:\n  nodeTaints:\n    a: b:NoSchedule\n"))
                        .getMessage())
                .contains("machine.nodeTaints", "registerWithTaints");
        assertThat(failure(renderer("1.13", false), node("cluster:\n  token: abcdef.0123456789abcdef\n"))
                        .getMessage())
                .contains("cluster.token", "join identity");
        assertThat(failure(renderer("1.6", false), node("machine:\n  nodeLabels:\n    burst.example.com/pool: cpu\n"))
                        .getMessage())
                .contains("burst.example.com/pool", "'cpu'", "'gpu'");
        assertThat(failure(renderer("1.13", false), node("machine:\n  type: controlplane\n"))
                        .getMessage())
                .contains("machine.type");
    }

    @Test
    void unparsablePatchesNameThePatchAndThePosition() {
        WorkerConfigException e = failure(renderer("1.13", false), node("machine:\n  sysctls: [\n"));
        assertThat(e.problem()).isEqualTo(WorkerConfigException.Problem.INVALID_PATCH);
        assertThat(e.getMessage()).contains("talosburst.pools.gpu.talos-patches[0] is not valid YAML at line");
        assertThat(failure(renderer("1.13", false), node("- op: add\n  path: /machine/x\n  value: 1\n"))
                        .getMessage())
                .contains("RFC 6902");
        assertThat(failure(renderer("1.13", false), node("  ")).getMessage()).contains("talos-patches[0] is empty");
        assertThat(failure(renderer("1.13", false), node("kind: KubeSpanConfig\nmtu: 1400\n"))
                        .getMessage())
                .contains("talos-patches[0]", "KubeSpanConfig document without apiVersion");
    }

    @Test
    void checkPoolFailsAtStartUpWithTheSchemaPath() {
        WorkerConfigRenderer renderer = renderer("1.13", true);
        assertThatThrownBy(() -> renderer.checkPool(
                        "gpu",
                        Map.of(),
                        List.of(),
                        List.of(
                                "machine:\n  sysctls:\n    a: b\n",
                                "machine:\n  kubelet:\n    registerWithFQDN: maybe\n")))
                .isInstanceOfSatisfying(WorkerConfigException.class, e -> {
                    assertThat(e.problem()).isEqualTo(WorkerConfigException.Problem.SCHEMA_VIOLATION);
                    assertThat(e.getMessage())
                            .contains("pool 'gpu'", "Talos 1.13 JSON Schema", "v1.13.9_config.schema.json");
                    assertThat(e.details())
                            .singleElement()
                            .asString()
                            .contains("document v1alpha1, at machine.kubelet.registerWithFQDN", "boolean");
                });
        // a field only older versions know is a schema error too (machine.network is gone in the 1.13 schema)
        assertThatThrownBy(() -> renderer.checkPool(
                        "gpu", Map.of(), List.of(), List.of("machine:\n  network:\n    nameservers: [1.1.1.1]\n")))
                .isInstanceOfSatisfying(
                        WorkerConfigException.class,
                        e -> assertThat(e.details())
                                .anySatisfy(d -> assertThat(d).contains("at machine", "'network'")));
    }

    @Test
    void checkPoolRefusesLabelsAKubeletMayNotSet() {
        WorkerConfigRenderer renderer = renderer("1.12", true);
        assertThatThrownBy(() ->
                        renderer.checkPool("gpu", Map.of("node-role.kubernetes.io/worker", ""), List.of(), List.of()))
                .isInstanceOfSatisfying(WorkerConfigException.class, e -> {
                    assertThat(e.problem()).isEqualTo(WorkerConfigException.Problem.INVALID_SETTING);
                    assertThat(e.details())
                            .singleElement()
                            .asString()
                            .contains("node-role.kubernetes.io/worker", "NodeRestriction");
                });
        assertThatThrownBy(() -> renderer.checkPool("gpu", Map.of("bad key!", "x"), List.of(), List.of()))
                .hasMessageContaining("'bad key!'");
        assertThatThrownBy(() -> renderer.render(new NodeCustomization("gpu", "GPU_1", Map.of(), List.of(), List.of())))
                .hasMessageContaining("RFC 1123");
    }

    @Test
    void schemaDirectoryIsOptionalAndMustExistWhenGiven() {
        Path fixture = SharedTalosFiles.fixtures().resolve("v1.11-base-worker.yaml");
        assertThatThrownBy(() -> new WorkerConfigRenderer(
                        WorkerConfig.load(fixture), Optional.of(fixture.resolveSibling("no-such-dir"))))
                .hasMessageContaining("no-such-dir")
                .hasMessageContaining("does not exist");
        // detected as 1.8 (no 1.8 schema shipped): only the built-in checks apply, and the result says so
        WorkerConfigRenderer detected =
                new WorkerConfigRenderer(WorkerConfig.load(fixture), Optional.of(SharedTalosFiles.schemas()));
        assertThat(detected.schemaFile()).isEmpty();
        RenderedUserData data = detected.render(node());
        assertThat(data.schemaFile()).isEmpty();
        assertThat(data.talosVersion()).isEqualTo(TalosVersion.v1(8));
        assertThat(Rendered.of(data).text("machine.network.hostname")).isEqualTo("gpu-1");
    }

    @Test
    void checkPoolTakesAConfiguredPool() {
        NodePool pool = new NodePool(
                "spot",
                "cx22",
                "hel1",
                null,
                0,
                3,
                null,
                Map.of("burst.example.com/spot", "true"),
                List.of(Taint.parse("burst.example.com/spot:NoSchedule")),
                null,
                null,
                null,
                null,
                true,
                true,
                null,
                List.of("machine:\n  sysctls:\n    vm.swappiness: \"1\"\n"),
                null);
        WorkerConfigRenderer renderer = renderer("1.11", true);
        assertThat(Rendered.of(renderer.checkPool(pool)).text("machine.network.hostname"))
                .startsWith("spot-");
        Rendered out = Rendered.of(renderer.render(NodeCustomization.forServer(pool, "spot-x1")));
        assertThat(out.text("machine.network.hostname")).isEqualTo("spot-x1");
        assertThat(out.v1alpha1()
                        .path("machine")
                        .path("nodeLabels")
                        .path("burst.example.com/spot")
                        .asText())
                .isEqualTo("true");
        assertThat(out.v1alpha1()
                        .path("machine")
                        .path("sysctls")
                        .path("vm.swappiness")
                        .asText())
                .isEqualTo("1");
        assertThat(out.yaml).contains("burst.example.com/spot: \"true\"");
    }

    @Test
    void checkPoolRendersTheWorstCaseNodeAndReportsItsSize() {
        RenderedUserData data = renderer("1.13", true)
                .checkPool(
                        "gpu",
                        Map.of("burst.example.com/pool", "gpu"),
                        List.of(Taint.parse("dedicated=gpu:NoSchedule")),
                        List.of("machine:\n  sysctls:\n    a.b: \"1\"\n"));
        Rendered out = Rendered.of(data);
        assertThat(out.text("HostnameConfig:hostname")).hasSize(63).startsWith("gpu-");
        assertThat(data.byteSize()).isBetween(2000, UserDataEncoding.HETZNER_LIMIT_BYTES);
        assertThat(data.schemaFile()).hasValue("v1.13.9_config.schema.json");
    }
}
