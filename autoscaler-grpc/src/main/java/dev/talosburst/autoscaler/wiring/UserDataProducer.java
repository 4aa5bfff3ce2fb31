package dev.talosburst.autoscaler.wiring;

import dev.talosburst.autoscaler.config.ConfigurationCheck.InvalidConfigurationException;
import dev.talosburst.autoscaler.config.TalosBurstConfig;
import dev.talosburst.provisioner.engine.UserDataSource;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The user-data servers boot with. Without {@code talosburst.talos.worker-config}: the demo placeholder (servers
 * cannot join a cluster). The Talos worker-config renderer replaces this bean once it is part of the build.
 */
public class UserDataProducer {

    private static final Logger LOG = Logger.getLogger(UserDataProducer.class);

    @Produces
    @Singleton
    @DefaultBean
    UserDataSource userData(TalosBurstConfig config) {
        if (config.talos().workerConfig().isPresent()) {
            throw new InvalidConfigurationException(List.of("talosburst.talos.worker-config is set, but this build has no Talos "
                    + "worker-config renderer yet; remove the option to run with the demo user-data (servers will not join)"));
        }
        LOG.warn("talosburst.talos.worker-config is not set: servers get DEMO user-data and cannot join a cluster");
        return new DemoWorkerConfig();
    }
}
