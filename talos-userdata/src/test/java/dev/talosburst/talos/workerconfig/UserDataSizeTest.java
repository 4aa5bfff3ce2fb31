package dev.talosburst.talos.workerconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Hetzner's 32 KiB user-data limit: plain when it fits, gzip+base64 on Talos ≥ 1.9, else a clear error. */
class UserDataSizeTest {

    private static WorkerConfig config(String minor) {
        return WorkerConfig.load(
                SharedTalosFiles.fixtures().resolve("v" + minor + "-base-worker.yaml"),
                Optional.of(TalosVersion.parse(minor)));
    }

    /** A schema-valid patch of about {@code entries * 45} bytes; compressible unless random. */
    private static String sysctlPatch(int entries, boolean random) {
        Random rnd = new Random(42);
        StringBuilder patch = new StringBuilder("machine:\n  sysctls:\n");
        for (int i = 0; i < entries; i++) {
            String value =
                    random ? Long.toString(rnd.nextLong(), 36) + Long.toString(rnd.nextLong(), 36) : "value-" + i;
            patch.append("    net.example.key")
                    .append(i)
                    .append(": \"")
                    .append(value)
                    .append("\"\n");
        }
        return patch.toString();
    }

    private static NodeCustomization node(String patch) {
        return new NodeCustomization("big", "big-1", Map.of(), List.of(), List.of(patch));
    }

    @Test
    void oversizeConfigIsGzippedAndDecodesToThePlainRender() {
        String patch = sysctlPatch(1500, false);
        RenderedUserData packed =
                new WorkerConfigRenderer(config("1.13"), Optional.of(SharedTalosFiles.schemas())).render(node(patch));
        RenderedUserData plain =
                new WorkerConfigRenderer(config("1.13"), Optional.empty(), 1 << 20).render(node(patch));

        assertThat(plain.compressed()).isFalse();
        assertThat(plain.byteSize()).isGreaterThan(UserDataEncoding.HETZNER_LIMIT_BYTES);
        assertThat(packed.compressed()).isTrue();
        assertThat(packed.byteSize())
                .isLessThanOrEqualTo(UserDataEncoding.HETZNER_LIMIT_BYTES)
                .isEqualTo(packed.text().length());
        assertThat(packed.yamlByteSize()).isEqualTo(plain.byteSize());
        assertThat(packed.text()).matches("[A-Za-z0-9+/=]+");
        assertThat(Rendered.gunzip(packed.text())).isEqualTo(plain.text());
        assertThat(Rendered.of(packed)
                        .v1alpha1()
                        .path("machine")
                        .path("sysctls")
                        .path("net.example.key1499")
                        .asText())
                .isEqualTo("value-1499");
    }

    @Test
    void compressesOnlyAboveTheLimit() {
        RenderedUserData reference = new WorkerConfigRenderer(config("1.12"), Optional.empty())
                .render(node("machine:\n  sysctls:\n    a.b: \"1\"\n"));
        int size = reference.byteSize();
        assertThat(new WorkerConfigRenderer(config("1.12"), Optional.empty(), size)
                        .render(node("machine:\n  sysctls:\n    a.b: \"1\"\n"))
                        .compressed())
                .isFalse();
        assertThat(new WorkerConfigRenderer(config("1.12"), Optional.empty(), size - 1)
                        .render(node("machine:\n  sysctls:\n    a.b: \"1\"\n"))
                        .compressed())
                .isTrue();
    }

    @Test
    void talos16CannotReadCompressedUserData() {
        WorkerConfigRenderer renderer = new WorkerConfigRenderer(config("1.6"), Optional.empty());
        assertThatThrownBy(() -> renderer.render(node(sysctlPatch(1500, false))))
                .isInstanceOfSatisfying(WorkerConfigException.class, e -> {
                    assertThat(e.problem()).isEqualTo(WorkerConfigException.Problem.TOO_LARGE);
                    assertThat(e.getMessage())
                            .contains(
                                    "pool 'big'",
                                    "32768",
                                    "Talos 1.6",
                                    "1.9+",
                                    "--with-docs=false --with-examples=false")
                            .containsPattern("is \\d{5} bytes");
                });
    }

    @Test
    void incompressibleOversizeFailsWithBothSizes() {
        WorkerConfigRenderer renderer = new WorkerConfigRenderer(config("1.13"), Optional.empty());
        assertThatThrownBy(() -> renderer.render(node(sysctlPatch(1500, true))))
                .isInstanceOfSatisfying(WorkerConfigException.class, e -> {
                    assertThat(e.problem()).isEqualTo(WorkerConfigException.Problem.TOO_LARGE);
                    assertThat(e.getMessage())
                            .contains("32768", "as base64(gzip)", "--with-docs=false")
                            .containsPattern("is \\d{5} bytes without comments and still \\d{5} bytes");
                });
    }

    @Test
    void renderedUserDataHidesItsText() {
        RenderedUserData data = new WorkerConfigRenderer(config("1.13"), Optional.empty())
                .render(node("machine:\n  sysctls:\n    a.b: \"1\"\n"));
        assertThat(data.toString())
                .contains("bytes=" + data.byteSize(), "compressed=false", "<redacted>")
                .doesNotContain("machine")
                .doesNotContain(Rendered.of(data).text("machine.token"));
    }
}
