package dev.talosburst.autoscaler.wiring;

import dev.talosburst.autoscaler.config.ConfigurationCheck.InvalidConfigurationException;
import dev.talosburst.autoscaler.config.ConfigurationCheck.ValidConfiguration;
import dev.talosburst.autoscaler.config.DomainSettings;
import dev.talosburst.autoscaler.config.TalosBurstConfig;
import dev.talosburst.autoscaler.kube.EngineLeadership;
import dev.talosburst.provisioner.cloud.CloudApi;
import dev.talosburst.provisioner.directory.NodeDirectory;
import dev.talosburst.provisioner.engine.EngineSettings;
import dev.talosburst.provisioner.engine.HetznerStatus;
import dev.talosburst.provisioner.engine.NodeGroupEngine;
import dev.talosburst.provisioner.engine.PoolValidation;
import dev.talosburst.provisioner.lifecycle.EventSink;
import dev.talosburst.provisioner.pool.PoolProblem;
import dev.talosburst.provisioner.userdata.UserDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import org.jboss.logging.Logger;

/** The node-group engine behind the gRPC service (also injectable as {@code NodeGroups}), started once and closed on shutdown. */
public class EngineProducer {

    private static final Logger LOG = Logger.getLogger(EngineProducer.class);

    @Produces
    @Singleton
    NodeGroupEngine engine(
            ValidConfiguration valid,
            TalosBurstConfig config,
            CloudApi cloud,
            UserDataSource userData,
            EventSink events,
            NodeDirectory nodes,
            Clock clock,
            @ServiceMeters.Own MeterRegistry registry,
            EngineLeadership leadership) {
        EngineSettings settings = DomainSettings.engine(valid.clusterId(), config);
        NodeGroupEngine engine;
        try {
            engine = new NodeGroupEngine(settings, valid.pools(), cloud, userData, events, nodes, clock, registry);
        } catch (PoolValidation.InvalidPoolsException e) {
            // pool problems found by the engine (e.g. a Talos patch that breaks the schema)
            throw new InvalidConfigurationException(
                    e.problems().stream().map(PoolProblem::text).toList());
        }
        leadership.start(
                engine); // the only replica: start(); with talosburst.kubernetes.enabled: follower + Lease election
        // start() asked Hetzner once already: a configuration Hetzner proves wrong stops start-up like any other
        StartupVerdict.rejection(engine).ifPresent(problems -> {
            engine.close();
            throw new InvalidConfigurationException(problems);
        });
        HetznerStatus status = engine.hetznerStatus();
        if (status.state() == HetznerStatus.State.UNREACHABLE) {
            LOG.warnf(
                    "starting with readiness DOWN: the Hetzner Cloud API at %s (talosburst.hcloud.endpoint) did not answer; "
                            + "the pools are checked against its catalogue as soon as it does, retrying with back-off",
                    hetznerEndpoint(config));
        }
        LOG.infof(
                "node groups of cluster %s: %s",
                valid.clusterId(),
                valid.pools().stream()
                        .map(p -> p.id() + " (" + p.serverType() + "/" + p.location() + ", " + p.minSize() + ".."
                                + p.maxSize() + ")")
                        .toList());
        return engine;
    }

    private static String hetznerEndpoint(TalosBurstConfig config) {
        return config.hcloud().embeddedSimulator()
                ? "the embedded simulator"
                : config.hcloud().endpoint().strip();
    }

    void close(@Disposes NodeGroupEngine engine) {
        engine.close();
    }
}
