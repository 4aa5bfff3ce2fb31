package dev.talosburst.autoscaler.wiring;

import dev.talosburst.autoscaler.config.ConfigurationCheck.InvalidConfigurationException;
import dev.talosburst.autoscaler.config.TalosBurstConfig;
import dev.talosburst.provisioner.userdata.UserDataSource;
import dev.talosburst.talos.workerconfig.TalosVersion;
import dev.talosburst.talos.workerconfig.WorkerConfigException;
import dev.talosburst.talos.workerconfig.WorkerConfigUserData;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The user-data servers boot with: the cluster's Talos worker config rendered per node when
 * {@code talosburst.talos.worker-config} is set; otherwise the demo placeholder (servers cannot join a cluster).
 */
public class UserDataProducer {

    private static final Logger LOG = Logger.getLogger(UserDataProducer.class);

    @Produces
    @Singleton
    @DefaultBean
    UserDataSource userData(TalosBurstConfig config) {
        TalosBurstConfig.Talos talos = config.talos();
        if (talos.workerConfig().isEmpty()) {
            LOG.warn("talosburst.talos.worker-config is not set: servers get DEMO user-data and cannot join a cluster");
            return new DemoWorkerConfig();
        }
        Optional<TalosVersion> version;
        try {
            version = talos.talosVersion().map(TalosVersion::parse);
        } catch (RuntimeException e) {
            throw new InvalidConfigurationException(List.of("talosburst.talos.talos-version: '"
                    + talos.talosVersion().get() + "' is not a Talos version; use e.g. v1.13.9 or 1.13"));
        }
        try {
            WorkerConfigUserData userData =
                    WorkerConfigUserData.load(talos.workerConfig().get(), version, talos.schemaDir());
            // the file's location and the detected version only: its content (join secrets) is never logged
            LOG.infof(
                    "Talos worker config file %s targets Talos %s: %s",
                    talos.workerConfig().get(),
                    userData.renderer().talosVersion(),
                    userData.renderer().config().versionExplanation());
            if (!userData.renderer().config().versionCertain()) {
                LOG.warnf(
                        "the Talos version of worker config %s is not certain (%s); each pool is rendered for the version label "
                                + "of the snapshot it boots, the oldest possible version where it has none. Set "
                                + "talosburst.talos.talos-version to be explicit",
                        talos.workerConfig().get(), userData.renderer().config().versionExplanation());
            }
            if (talos.schemaDir().isEmpty()) {
                LOG.info(
                        "talosburst.talos.schema-dir is not set: rendered configs get the built-in checks only, no JSON Schema validation");
            }
            userData.renderer()
                    .acceptedSchemaFindings()
                    .forEach(finding -> LOG.warnf(
                            "the worker config as given does not match the Talos schema (tolerated, Talos accepts it): %s",
                            finding));
            return userData;
        } catch (WorkerConfigException e) {
            // summary and details never carry values of the config (the renderer guarantees it)
            List<String> problems = new ArrayList<>();
            if (e.details().isEmpty()) {
                problems.add("talosburst.talos.worker-config: " + e.summary());
            } else {
                e.details().forEach(d -> problems.add("talosburst.talos.worker-config: " + e.summary() + ": " + d));
            }
            throw new InvalidConfigurationException(problems);
        }
    }
}
