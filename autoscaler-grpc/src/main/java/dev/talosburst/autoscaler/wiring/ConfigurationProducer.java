package dev.talosburst.autoscaler.wiring;

import dev.talosburst.autoscaler.config.ConfigurationCheck;
import dev.talosburst.autoscaler.config.ConfigurationCheck.ValidConfiguration;
import dev.talosburst.autoscaler.config.SettingsSources;
import dev.talosburst.autoscaler.config.TalosBurstConfig;
import dev.talosburst.autoscaler.config.UnknownOptions;
import dev.talosburst.autoscaler.kube.KubernetesSettings;
import dev.talosburst.hcloud.client.LocalHetzner;
import io.smallrye.config.SmallRyeConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Map;
import org.eclipse.microprofile.config.Config;

/** The checked configuration: everything else starts from it, so an invalid one stops start-up with every problem listed. */
public class ConfigurationProducer {

    /** Every {@code talosburst.*} option is read by one of these mappings; any other key is a typo. */
    static final Map<Class<?>, String> MAPPINGS =
            Map.of(TalosBurstConfig.class, "talosburst", KubernetesSettings.class, "talosburst.kubernetes");

    @Produces
    @Singleton
    ValidConfiguration validConfiguration(TalosBurstConfig config, Config raw) {
        return ConfigurationCheck.validate(
                config,
                SettingsSources.of(raw.unwrap(SmallRyeConfig.class), new UnknownOptions(MAPPINGS)),
                LocalHetzner.available());
    }
}
