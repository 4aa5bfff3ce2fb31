package dev.talosburst.autoscaler.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.talosburst.autoscaler.config.TalosBurstConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** talosburst.kubernetes.* is its own mapping next to the root talosburst mapping, which rejects unknown keys. */
class KubernetesSettingsTest {

    private static SmallRyeConfig load(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(new HashMap<>(properties), "test", 250))
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(TalosBurstConfig.class)
                .withMapping(KubernetesSettings.class)
                .withValidateUnknown(true)
                .build();
    }

    @Test
    void theKubernetesMappingClaimsItsKeysBesideTheRootMapping() {
        SmallRyeConfig config = load(Map.of(
                "talosburst.kubernetes.enabled",
                "true",
                "talosburst.kubernetes.lease-duration",
                "20s",
                "talosburst.kubernetes.namespace",
                "burst",
                "talosburst.kubernetes.identity",
                "pod-a"));
        KubernetesSettings settings = config.getConfigMapping(KubernetesSettings.class);
        assertThat(settings.enabled()).isTrue();
        assertThat(settings.leaseDuration()).isEqualTo(Duration.ofSeconds(20));
        assertThat(settings.renewDeadline()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.retryPeriod()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.leaseName()).isEqualTo("talos-burst-leader");
        assertThat(settings.nodeResync()).isEqualTo(Duration.ofMinutes(1));
        LeaseTerms terms = LeaseTerms.from(settings);
        assertThat(terms.namespace()).isEqualTo("burst");
        assertThat(terms.identity()).isEqualTo("pod-a");
        assertThat(config.getConfigMapping(TalosBurstConfig.class)).isNotNull();
    }

    @Test
    void defaultsAreOffAndATypoUnderKubernetesStillFails() {
        assertThat(load(Map.of()).getConfigMapping(KubernetesSettings.class).enabled())
                .isFalse();
        assertThatThrownBy(() -> load(Map.of("talosburst.kubernetes.lease-nmae", "x")))
                .hasMessageContaining("talosburst.kubernetes.lease-nmae");
    }

    @Test
    void leaseTimingsThatAllowTwoActingReplicasAreRefusedWithTheKeysToFix() {
        assertThatThrownBy(() -> new LeaseTerms(
                        "ns", "lease", "me", Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "talosburst.kubernetes.renew-deadline (PT10S) must be shorter than lease-duration (PT10S)");
        assertThatThrownBy(() -> new LeaseTerms(
                        "ns", "lease", "me", Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(9)))
                .hasMessageContaining("talosburst.kubernetes.retry-period (PT9S) must be shorter than renew-deadline");
        assertThatThrownBy(() -> new LeaseTerms(
                        " ", "lease", "me", Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ZERO))
                .hasMessageContaining("talosburst.kubernetes.namespace is empty")
                .hasMessageContaining("must all be positive");
    }

    @Test
    void theNamespaceComesFromTheServiceAccountFileAndTheIdentityIsUniquePerProcess(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("namespace");
        Files.writeString(file, "talos-burst\n");
        assertThat(LeaseTerms.readNamespace(file)).contains("talos-burst");
        assertThat(LeaseTerms.readNamespace(dir.resolve("missing"))).isEmpty();

        String first = LeaseTerms.processIdentity("talos-burst-7d9f-abcde");
        String second = LeaseTerms.processIdentity("talos-burst-7d9f-abcde");
        assertThat(first).startsWith("talos-burst-7d9f-abcde_").isNotEqualTo(second);
        assertThat(LeaseTerms.processIdentity(null)).startsWith("talos-burst_");
    }

    @Test
    void everyOptionIsDocumentedInTheReadme() throws Exception {
        String docs = Files.readString(Path.of("../README.md"));
        List<String> missing = Arrays.stream(KubernetesSettings.class.getDeclaredMethods())
                .map(m -> m.getName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT))
                .filter(option -> !docs.contains("| `talosburst.kubernetes." + option + "`"))
                .toList();
        assertThat(KubernetesSettings.class.getDeclaredMethods()).hasSizeGreaterThanOrEqualTo(8);
        assertThat(missing)
                .as("talosburst.kubernetes options missing from the README")
                .isEmpty();
    }
}
