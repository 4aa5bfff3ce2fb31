package dev.talosburst.autoscaler.wiring;

import dev.talosburst.provisioner.engine.HetznerStatus;
import dev.talosburst.provisioner.engine.NodeGroupEngine;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the engine has listed the servers in Hetzner at least once (before that, scale-ups are refused), and not while
 * Hetzner refuses the token or the pools do not fit its catalogue; the reason is in the check's data.
 */
@Readiness
@Singleton
public class EngineReadiness implements HealthCheck {

    private final NodeGroupEngine engine;

    public EngineReadiness(NodeGroupEngine engine) {
        this.engine = engine;
    }

    @Override
    public HealthCheckResponse call() {
        var lastSync = engine.lastSyncAt();
        HetznerStatus hetzner = engine.hetznerStatus();
        // a refused token or pools that do not fit the catalogue: nothing works until the configuration is fixed
        boolean usable = hetzner.state() != HetznerStatus.State.UNAUTHORIZED
                && hetzner.state() != HetznerStatus.State.CONFIGURATION_INVALID;
        var response = HealthCheckResponse.named("hetzner-view")
                .status(engine.isSynced() && usable)
                .withData("lastSyncAt", lastSync == null ? "never" : lastSync.toString())
                .withData("leader", engine.isLeader())
                .withData("hetzner", hetzner.state().name());
        if (!hetzner.reason().isEmpty()) {
            response.withData("reason", hetzner.reason());
        }
        return response.build();
    }
}
