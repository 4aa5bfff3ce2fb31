package dev.talosburst.autoscaler.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.talosburst.provisioner.pool.NodePool;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.net.URL;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The application.properties this module ships: the embedded defaults are valid, and unknown keys are refused. */
class ShippedDefaultsTest {

    private static SmallRyeConfig shipped(Map<String, String> extra) throws Exception {
        URL file = Thread.currentThread().getContextClassLoader().getResource("application.properties");
        assertThat(file).as("application.properties on the classpath").isNotNull();
        SmallRyeConfig raw = new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(file, 250)).build();
        boolean validateUnknown = raw.getValue("smallrye.config.mapping.validate-unknown", Boolean.class);
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(file, 250))
                .withSources(new PropertiesConfigSource(new HashMap<>(extra), "overrides", 400))
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(TalosBurstConfig.class)
                .withValidateUnknown(validateUnknown)
                .build();
    }

    @Test
    void embeddedDefaultsAreValidAndLocal() throws Exception {
        TalosBurstConfig config = shipped(Map.of()).getConfigMapping(TalosBurstConfig.class);

        ConfigurationCheck.ValidConfiguration valid = ConfigurationCheck.validate(config);

        assertThat(valid.clusterId()).isEqualTo(ConfigurationCheck.EMBEDDED_CLUSTER_ID);
        assertThat(valid.pools()).extracting(NodePool::id).containsExactly("cax11-fsn1", "cx22-fsn1");
        assertThat(valid.pools()).allSatisfy(p -> assertThat(p.minSize()).isZero());
        assertThat(config.hcloud().embeddedSimulator()).isTrue();
        assertThat(GrpcTransport.plaintext(config.grpc().plaintext(), config.hcloud().embeddedSimulator())).isTrue();
        assertThat(config.grpc().host()).isEqualTo("127.0.0.1");
        assertThat(config.grpc().port()).isEqualTo(8086);
        assertThat(config.gpuLabel()).isEqualTo("hcloud/gpu-node");
    }

    @Test
    void shippedSettingsRefuseUnknownKeys() {
        assertThatThrownBy(() -> shipped(Map.of("talosburst.pools.cx22-fsn1.mx", "5")))
                .hasMessageContaining("talosburst.pools.cx22-fsn1.mx");
        assertThatThrownBy(() -> shipped(Map.of("talosburst.grpc.tls.ca", "/x")))
                .hasMessageContaining("talosburst.grpc.tls.ca");
    }
}
