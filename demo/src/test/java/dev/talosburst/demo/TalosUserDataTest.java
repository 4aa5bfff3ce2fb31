package dev.talosburst.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** What the simulated kubelet reads from user-data: the demo config, real multi-document configs, gzip+base64. */
class TalosUserDataTest {

    private static final String DEMO = """
            # talos-burst DEMO user-data: NOT a joinable Talos worker config (no cluster secrets).
            version: v1alpha1
            machine:
              type: worker
              network:
                hostname: "cx22-fsn1-ab12cd34"
              nodeLabels:
                "talos-burst.dev/cluster": "demo"
                "talos-burst.dev/pool": "cx22-fsn1"
              kubelet:
                registerWithTaints:
                  - "burst=true:NoSchedule"
            """;

    @Test
    void readsHostnameLabelsAndTaintsOfTheDemoUserData() {
        TalosUserData data = TalosUserData.parse(DEMO);

        assertThat(data.hostname()).contains("cx22-fsn1-ab12cd34");
        assertThat(data.labels())
                .containsEntry("talos-burst.dev/pool", "cx22-fsn1")
                .containsEntry("talos-burst.dev/cluster", "demo");
        assertThat(data.taints()).containsExactly("burst=true:NoSchedule");
        assertThat(SimulatedKubelets.taint("burst=true:NoSchedule")).satisfies(t -> {
            assertThat(t.getKey()).isEqualTo("burst");
            assertThat(t.getValue()).isEqualTo("true");
            assertThat(t.getEffect()).isEqualTo("NoSchedule");
        });
    }

    @Test
    void readsGzipBase64AndMultiDocumentConfigs() throws Exception {
        String multi = """
                version: v1alpha1
                machine:
                  type: worker
                  nodeLabels:
                    talos-burst.dev/pool: cax11-fsn1
                ---
                apiVersion: v1alpha1
                kind: HostnameConfig
                hostname: cax11-fsn1-zz99yy88
                """;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(multi.getBytes(StandardCharsets.UTF_8));
        }

        TalosUserData data = TalosUserData.parse(Base64.getEncoder().encodeToString(bytes.toByteArray()));

        assertThat(data.hostname()).contains("cax11-fsn1-zz99yy88");
        assertThat(data.labels()).containsEntry("talos-burst.dev/pool", "cax11-fsn1");
        assertThat(data.taints()).isEmpty();
    }

    @Test
    void noUserDataMeansNothingToRead() {
        assertThat(TalosUserData.parse(null).hostname()).isEmpty();
        assertThat(TalosUserData.parse(" ").labels()).isEmpty();
    }
}
