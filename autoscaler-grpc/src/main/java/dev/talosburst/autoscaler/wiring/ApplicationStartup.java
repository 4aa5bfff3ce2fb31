package dev.talosburst.autoscaler.wiring;

import dev.talosburst.autoscaler.config.ConfigurationCheck.ValidConfiguration;
import dev.talosburst.provisioner.engine.NodeGroupEngine;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/** Checks the configuration and starts the engine when the application starts, not on the first RPC. */
@Singleton
public class ApplicationStartup {

    void onStart(@Observes StartupEvent event, ValidConfiguration configuration, NodeGroupEngine engine) {
        // Resolving the parameters is the work: validation fails fast, the engine builds its view from Hetzner.
    }
}
