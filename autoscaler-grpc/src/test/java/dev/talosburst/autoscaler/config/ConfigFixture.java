package dev.talosburst.autoscaler.config;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Builds {@link TalosBurstConfig} from properties with SmallRye Config, as Quarkus does (unknown keys fail). */
public final class ConfigFixture {

    private ConfigFixture() {}

    public static TalosBurstConfig load(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(new HashMap<>(properties), "test", 250))
                .withConverter(Duration.class, 250, new OperatorDuration())
                .withMapping(TalosBurstConfig.class)
                .withValidateUnknown(true)
                .build();
        return config.getConfigMapping(TalosBurstConfig.class);
    }
}
