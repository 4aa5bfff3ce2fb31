package dev.talosburst.autoscaler.wiring;

import dev.talosburst.autoscaler.config.ConfigurationCheck.ValidConfiguration;
import dev.talosburst.autoscaler.config.GrpcTransport;
import dev.talosburst.autoscaler.config.TalosBurstConfig;
import dev.talosburst.provisioner.engine.NodeGroupEngine;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Checks the configuration and starts the engine when the application starts, not on the first RPC. */
@Singleton
public class ApplicationStartup {

    private static final Logger LOG = Logger.getLogger(ApplicationStartup.class);

    void onStart(
            @Observes StartupEvent event,
            ValidConfiguration configuration,
            NodeGroupEngine engine,
            TalosBurstConfig config,
            @ConfigProperty(name = "quarkus.management.host") String managementHost,
            @ConfigProperty(name = "quarkus.management.port") int managementPort) {
        // Resolving the parameters is the work: validation fails fast, the engine builds its view from Hetzner.
        TalosBurstConfig.Grpc grpc = config.grpc();
        if (GrpcTransport.plaintext(grpc.plaintext(), config.hcloud().embeddedSimulator())) {
            LOG.infof(
                    "gRPC CloudProvider on %s:%d: PLAINTEXT, for local use only (anyone who reaches this port can create and "
                            + "delete servers)",
                    grpc.host(), grpc.port());
        } else {
            LOG.infof(
                    "gRPC CloudProvider on %s:%d: mTLS, client certificates required (client CA %s), PEM files re-read every %s",
                    grpc.host(),
                    grpc.port(),
                    grpc.tls().clientCa().map(Object::toString).orElse("?"),
                    grpc.tls().reloadPeriod());
        }
        LOG.infof("health and metrics on http://%s:%d/q/health and /q/metrics", managementHost, managementPort);
    }
}
