package dev.talosburst.autoscaler.wiring;

import dev.talosburst.provisioner.engine.NodeGroupEngine;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the engine has listed the servers in Hetzner at least once (before that, scale-ups are refused). */
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
        return HealthCheckResponse.named("hetzner-view")
                .status(engine.isSynced())
                .withData("lastSyncAt", lastSync == null ? "never" : lastSync.toString())
                .withData("leader", engine.isLeader())
                .build();
    }
}
