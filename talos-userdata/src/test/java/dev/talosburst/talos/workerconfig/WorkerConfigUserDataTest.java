package dev.talosburst.talos.workerconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.pool.Taint;
import dev.talosburst.provisioner.userdata.UserDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The engine's user-data port, backed by a real talosctl worker config. */
class WorkerConfigUserDataTest {

    private static NodePool pool(List<String> patches) {
        return new NodePool(
                "gpu",
                "cx22",
                "fsn1",
                null,
                0,
                3,
                null,
                Map.of("burst.example.com/pool", "gpu"),
                List.of(Taint.parse("dedicated=gpu:NoSchedule")),
                null,
                null,
                null,
                null,
                true,
                true,
                null,
                patches,
                null);
    }

    private static UserDataSource source() {
        Path fixture = SharedTalosFiles.fixtures().resolve("v1.13-base-worker.yaml");
        return WorkerConfigUserData.load(fixture, Optional.empty(), Optional.of(SharedTalosFiles.schemas()));
    }

    @Test
    void rendersTheServersOwnConfigWithTheRegistrationLabels() throws Exception {
        Map<String, String> labels = Map.of(
                "burst.example.com/pool",
                "gpu",
                "node.kubernetes.io/instance-type",
                "cx22",
                "topology.kubernetes.io/region",
                "fsn1");
        String text =
                source().render(pool(List.of()), "gpu-a1", labels, List.of(Taint.parse("dedicated=gpu:NoSchedule")));
        Rendered out = Rendered.ofYaml(text);
        assertThat(out.text("HostnameConfig:hostname")).isEqualTo("gpu-a1");
        assertThat(out.v1alpha1().path("machine").path("nodeLabels").size()).isEqualTo(3);
        Rendered in =
                Rendered.ofYaml(Files.readString(SharedTalosFiles.fixtures().resolve("v1.13-base-worker.yaml")));
        assertThat(out.text("cluster.secret")).isEqualTo(in.text("cluster.secret"));
    }

    @Test
    void failuresBecomeSafeUserDataExceptionsAndStartUpProblems() {
        // built outside the assertion: missing shared fixtures must skip the test, not be taken for the expected
        // failure
        UserDataSource source = source();
        NodePool broken = pool(List.of("machine:\n  kubelet:\n    registerWithFQDN: sometimes\n"));
        assertThatThrownBy(() -> source.render(broken, "gpu-a1", broken.nodeLabels(), broken.taints()))
                .isInstanceOf(UserDataSource.UserDataException.class)
                .hasNoCause()
                .hasMessageContaining("machine.kubelet.registerWithFQDN");
        assertThat(source().check(broken, broken.nodeLabels()))
                .singleElement()
                .asString()
                .contains("pool 'gpu'", "v1.13.9_config.schema.json", "at machine.kubelet.registerWithFQDN");
        assertThat(source().check(pool(List.of()), Map.of("kubernetes.io/role", "x")))
                .singleElement()
                .asString()
                .contains("kubernetes.io/role", "NodeRestriction");
        assertThat(source().check(pool(List.of()), Map.of("burst.example.com/pool", "gpu")))
                .isEmpty();
    }
}
