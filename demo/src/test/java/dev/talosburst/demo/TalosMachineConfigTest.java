package dev.talosburst.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.autoscaler.wiring.DemoWorkerConfig;
import dev.talosburst.provisioner.pool.Taint;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** What the simulated kubelet reads from user-data: the demo config, real multi-document configs, gzip+base64. */
class TalosMachineConfigTest {

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
                extraConfig:
                  registerWithTaints:
                    - key: "burst"
                      value: "true"
                      effect: "NoSchedule"
            """;

    @Test
    void readsHostnameLabelsAndTaintsOfTheDemoUserData() {
        TalosMachineConfig data = TalosMachineConfig.fromUserData(DEMO);

        assertThat(data.hostname()).contains("cx22-fsn1-ab12cd34");
        assertThat(data.labels())
                .containsEntry("talos-burst.dev/pool", "cx22-fsn1")
                .containsEntry("talos-burst.dev/cluster", "demo");
        assertThat(data.wasCompressed()).isFalse();
        assertThat(data.taints()).singleElement().satisfies(t -> {
            assertThat(t.getKey()).isEqualTo("burst");
            assertThat(t.getValue()).isEqualTo("true");
            assertThat(t.getEffect()).isEqualTo("NoSchedule");
        });
    }

    @Test
    void readsWhatTalosBurstRendersForTheDemo() {
        String rendered = new DemoWorkerConfig()
                .render(
                        null,
                        "cx22-fsn1-ab12cd34",
                        Map.of("talos-burst.dev/pool", "cx22-fsn1"),
                        List.of(Taint.parse("burst=true:NoSchedule"), Taint.parse("gpu:NoExecute")));

        TalosMachineConfig data = TalosMachineConfig.fromUserData(rendered);

        assertThat(data.hostname()).contains("cx22-fsn1-ab12cd34");
        assertThat(data.labels()).containsEntry("talos-burst.dev/pool", "cx22-fsn1");
        assertThat(data.taints())
                .extracting(t -> t.getKey() + "=" + t.getValue() + ":" + t.getEffect())
                .containsExactly("burst=true:NoSchedule", "gpu=null:NoExecute");
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

        TalosMachineConfig data =
                TalosMachineConfig.fromUserData(Base64.getEncoder().encodeToString(bytes.toByteArray()));

        assertThat(data.hostname()).contains("cax11-fsn1-zz99yy88");
        assertThat(data.labels()).containsEntry("talos-burst.dev/pool", "cax11-fsn1");
        assertThat(data.taints()).isEmpty();
        assertThat(data.wasCompressed()).isTrue();
    }

    @Test
    void noUserDataMeansNothingToRead() {
        assertThat(TalosMachineConfig.fromUserData(null).hostname()).isEmpty();
        assertThat(TalosMachineConfig.fromUserData(" ").labels()).isEmpty();
    }
}
