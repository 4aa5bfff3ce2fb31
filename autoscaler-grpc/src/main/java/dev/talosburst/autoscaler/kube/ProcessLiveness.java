package dev.talosburst.autoscaler.kube;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Alive while the parts that cannot recover by themselves still run: the Node informer (it retries API errors itself,
 * so a stop means it gave up) and the leader election loop. A restart is the remedy for either; a follower or a
 * replica waiting for Hetzner is alive.
 */
@Liveness
@Singleton
public class ProcessLiveness implements HealthCheck {
    private final EngineLeadership leadership;

    public ProcessLiveness(EngineLeadership leadership) {
        this.leadership = leadership;
    }

    @Override
    public HealthCheckResponse call() {
        boolean informerRunning =
                leadership.directory().map(KubernetesNodeDirectory::isRunning).orElse(true);
        boolean electing =
                leadership.election().map(LeaseLeadership::isContending).orElse(true);
        return HealthCheckResponse.named("talos-burst-process")
                .status(informerRunning && electing)
                .withData("nodeInformerRunning", informerRunning)
                .withData("leaderElectionRunning", electing)
                .build();
    }
}
