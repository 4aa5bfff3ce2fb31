package dev.talosburst.talos.workerconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How the Talos version of a worker config is decided. */
class VersionDetectionTest {

    private static String fixture(String name) throws IOException {
        return Files.readString(SharedTalosFiles.fixtures().resolve(name));
    }

    private static WorkerConfig parse(String yaml) {
        return WorkerConfig.parse(yaml, "worker.yaml", Optional.empty());
    }

    @Test
    void parsesVersionsAsOperatorsWriteThem() {
        assertThat(TalosVersion.parse("v1.13.9")).isEqualTo(TalosVersion.v1(13));
        assertThat(TalosVersion.parse("1.14")).isEqualTo(TalosVersion.v1(14));
        assertThat(TalosVersion.parse("v1.14.0-rc.1")).isEqualTo(TalosVersion.v1(14));
        assertThat(TalosVersion.v1(9).acceptsCompressedUserData()).isTrue();
        assertThat(TalosVersion.v1(8).acceptsCompressedUserData()).isFalse();
        assertThatThrownBy(() -> TalosVersion.parse("latest"))
                .hasMessageContaining("'latest'")
                .hasMessageContaining("1.13");
    }

    @Test
    void kubeletTagNarrowsTheSingleDocumentRange() throws IOException {
        String v111 = fixture("v1.11-base-worker.yaml").replace("kubelet:v1.28.0", "kubelet:v1.34.1");
        WorkerConfig config = parse(v111);
        assertThat(config.talosVersion()).isEqualTo(TalosVersion.v1(11));
        assertThat(config.versionExplanation()).contains("kubelet v1.34", "Talos 1.11");
        // kubelet v1.32 ⇒ at least 1.9: compression allowed, though 1.9–1.11 remain possible
        WorkerConfig older = parse(fixture("v1.11-base-worker.yaml").replace("kubelet:v1.28.0", "kubelet:v1.32.3"));
        assertThat(older.talosVersion()).isEqualTo(TalosVersion.v1(9));
        assertThat(older.versionExplanation()).contains("1.9–1.11", "set talos-version");
    }

    @Test
    void installerTagIsExactWhenItFitsTheShape() throws IOException {
        String withImage = fixture("v1.11-base-worker.yaml")
                .replace(
                        "        wipe: false",
                        "        image: ghcr.io/siderolabs/installer:v1.10.7\n        wipe: false");
        assertThat(parse(withImage).talosVersion()).isEqualTo(TalosVersion.v1(10));
        assertThat(parse(withImage).versionExplanation()).contains("installer image tag v1.10");
        // an installer tag that contradicts the documents is ignored: the shape says 1.13
        String contradicting = fixture("v1.13-base-worker.yaml")
                .replace(
                        "        wipe: false",
                        "        image: ghcr.io/siderolabs/installer:v1.7.0\n        wipe: false");
        assertThat(parse(contradicting).talosVersion()).isEqualTo(TalosVersion.v1(13));
    }

    @Test
    void configuredVersionWinsButMayNotBeOlderThanTheDocuments() throws IOException {
        WorkerConfig config =
                WorkerConfig.parse(fixture("v1.11-base-worker.yaml"), "w.yaml", Optional.of(TalosVersion.v1(11)));
        assertThat(config.talosVersion()).isEqualTo(TalosVersion.v1(11));
        assertThat(config.versionExplanation()).isEqualTo("configured talos-version 1.11");
        assertThatThrownBy(() -> WorkerConfig.parse(
                        fixture("v1.12-base-worker.yaml"), "w.yaml", Optional.of(TalosVersion.v1(11))))
                .isInstanceOfSatisfying(WorkerConfigException.class, e -> {
                    assertThat(e.problem()).isEqualTo(WorkerConfigException.Problem.UNSUPPORTED_CONFIG);
                    assertThat(e.getMessage()).contains("talos-version 1.11", "HostnameConfig", "1.12 or newer");
                });
        assertThatThrownBy(() ->
                        WorkerConfig.parse(fixture("v1.6-base-worker.yaml"), "w.yaml", Optional.of(TalosVersion.v1(5))))
                .hasMessageContaining("supports Talos 1.6 and newer");
    }

    @Test
    void refusesWhatIsNotAWorkerConfig() throws IOException {
        assertThatThrownBy(() -> parse("")).hasMessageContaining("is empty");
        assertThatThrownBy(() -> parse("apiVersion: v1alpha1\nkind: HostnameConfig\nauto: stable\n"))
                .hasMessageContaining("no v1alpha1 document");
        assertThatThrownBy(() -> parse("- a\n- b\n")).hasMessageContaining("expected a mapping");
    }

    @Test
    void refusesInitConfigsAndTwoHostnameConfigs() throws IOException {
        // read outside the assertions: a missing fixture must skip the test, not be taken for the expected failure
        String v16 = fixture("v1.6-base-worker.yaml");
        String v112 = fixture("v1.12-base-worker.yaml");
        assertThatThrownBy(() -> parse(v16.replace("type: worker", "type: init")))
                .hasMessageContaining("is a init config");
        assertThatThrownBy(() -> parse(v112 + "---\napiVersion: v1alpha1\nkind: HostnameConfig\nauto: off\n"))
                .hasMessageContaining("two HostnameConfig documents");
    }
}
