package dev.talosburst.autoscaler.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KubernetesQuantityTest {

    @ParameterizedTest(name = "{0} cpu = {1}m")
    @CsvSource({
        "100m, 100",
        "1, 1000",
        "1.5, 1500",
        "0.25, 250",
        ".5, 500",
        "2000m, 2000",
        "1e3, 1000000",
        "1E-3, 1",
        "1k, 1000000",
        "250000u, 250",
        "1n, 1",
        "1.0001, 1001",
        "+2, 2000"
    })
    void cpuInMillicoresRoundsUp(String text, long milli) {
        assertThat(KubernetesQuantity.milliValue(text)).isEqualTo(milli);
    }

    @ParameterizedTest(name = "{0} = {1} bytes")
    @CsvSource({
        "128Mi, 134217728",
        "1Gi, 1073741824",
        "1G, 1000000000",
        "1e3, 1000",
        "1.5Gi, 1610612736",
        "4194304Ki, 4294967296",
        "512, 512",
        "0.5Ki, 512",
        "1500m, 2",
        "2Ti, 2199023255552",
        "1M, 1000000"
    })
    void bytesRoundUp(String text, long bytes) {
        assertThat(KubernetesQuantity.value(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "1Kb", "1 Gi", "Mi", "1.2.3", "--1", "1e", "0x10"})
    void rejectsWhatKubernetesRejects(String text) {
        assertThatThrownBy(() -> KubernetesQuantity.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a Kubernetes quantity");
    }

    @Test
    void formatsCanonically() {
        assertThat(KubernetesQuantity.cpu(2000)).isEqualTo("2");
        assertThat(KubernetesQuantity.cpu(1500)).isEqualTo("1500m");
        assertThat(KubernetesQuantity.bytes(4L << 30)).isEqualTo("4194304Ki");
        assertThat(KubernetesQuantity.bytes(1000)).isEqualTo("1000");
        assertThat(KubernetesQuantity.bytes(0)).isEqualTo("0");
        assertThat(KubernetesQuantity.value(KubernetesQuantity.bytes(3_900_000_000L)))
                .isEqualTo(3_900_000_000L);
    }
}
