package dev.talosburst.autoscaler.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.talosburst.provisioner.pool.NodePool;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.net.URL;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The application.properties this module ships: the demo profile is valid and local, production has no pools and
 * no simulator of its own, and unknown keys are refused with a suggestion.
 */
class ShippedDefaultsTest {

    private static SmallRyeConfig shipped(String profile, Map<String, String> extra) throws java.io.IOException {
        URL file = Thread.currentThread().getContextClassLoader().getResource("application.properties");
        assertThat(file).as("application.properties on the classpath").isNotNull();
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(file, 250))
                .withSources(new PropertiesConfigSource(new HashMap<>(extra), "overrides", 400))
                .withConverter(java.time.Duration.class, 250, new OperatorDuration())
                .withMapping(TalosBurstConfig.class);
        if (profile != null) {
            builder.withProfile(profile);
        }
        return builder.build();
    }

    private static ConfigurationCheck.ValidConfiguration check(SmallRyeConfig config) {
        return ConfigurationCheck.validate(
                config.getConfigMapping(TalosBurstConfig.class),
                SettingsSources.of(config, new UnknownOptions(Map.of(TalosBurstConfig.class, "talosburst"))));
    }

    @Test
    void theDemoProfileIsValidAndLocal() throws Exception {
        SmallRyeConfig demo = shipped("demo", Map.of());
        TalosBurstConfig config = demo.getConfigMapping(TalosBurstConfig.class);

        ConfigurationCheck.ValidConfiguration valid = check(demo);

        assertThat(valid.clusterId()).isEqualTo(ConfigurationCheck.EMBEDDED_CLUSTER_ID);
        assertThat(valid.pools()).extracting(NodePool::id).containsExactly("cax11-fsn1", "cx22-fsn1");
        assertThat(valid.pools()).allSatisfy(p -> assertThat(p.minSize()).isZero());
        assertThat(config.hcloud().embeddedSimulator()).isTrue();
        assertThat(GrpcTransport.plaintext(
                        config.grpc().plaintext(), config.hcloud().embeddedSimulator()))
                .isTrue();
        assertThat(config.grpc().host()).isEqualTo("127.0.0.1");
        assertThat(config.grpc().port()).isEqualTo(8086);
        assertThat(config.gpuLabel()).isEqualTo("hcloud/gpu-node");
    }

    @Test
    void withoutTheDemoProfileThereIsNoExamplePoolAndNoSimulator() throws Exception {
        SmallRyeConfig production = shipped(null, Map.of());
        TalosBurstConfig config = production.getConfigMapping(TalosBurstConfig.class);

        assertThat(config.pools()).isEmpty();
        assertThat(config.hcloud().embeddedSimulator()).isFalse();
        assertThatThrownBy(() -> check(production))
                .hasMessageContaining("talosburst.pools: no node pool is configured")
                .hasMessageContaining("-Dquarkus.profile=demo");

        // a user's own pool is the only one, whatever the demo defines
        TalosBurstConfig own = shipped(
                        null,
                        Map.of(
                                "talosburst.pools.mine.server-type",
                                "cx22",
                                "talosburst.pools.mine.location",
                                "nbg1",
                                "talosburst.pools.mine.max",
                                "2"))
                .getConfigMapping(TalosBurstConfig.class);
        assertThat(own.pools()).containsOnlyKeys("mine");
    }

    @Test
    void shippedSettingsRefuseUnknownKeys() {
        assertThatThrownBy(() -> check(shipped("demo", Map.of("talosburst.pools.cx22-fsn1.mx", "5"))))
                .hasMessageContaining(
                        "talosburst.pools.cx22-fsn1.mx: no such option; did you mean talosburst.pools.cx22-fsn1.max?");
        assertThatThrownBy(() -> check(shipped("demo", Map.of("talosburst.grpc.tls.ca", "/x"))))
                .hasMessageContaining("talosburst.grpc.tls.ca: no such option");
    }
}
