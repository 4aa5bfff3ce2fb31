package dev.talosburst.autoscaler.wiring;

import dev.talosburst.autoscaler.config.ConfigurationCheck;
import dev.talosburst.autoscaler.config.ConfigurationCheck.ValidConfiguration;
import dev.talosburst.autoscaler.config.TalosBurstConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The checked configuration: everything else starts from it, so an invalid one stops start-up with every problem listed. */
public class ConfigurationProducer {

    @Produces
    @Singleton
    ValidConfiguration validConfiguration(TalosBurstConfig config) {
        return ConfigurationCheck.validate(config);
    }
}
