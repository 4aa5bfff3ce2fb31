package dev.talosburst.autoscaler.kube;

import dev.talosburst.provisioner.cloud.CallGuard;
import dev.talosburst.provisioner.cloud.CloudApi;
import dev.talosburst.provisioner.engine.NodeGroupEngine;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only on the replica that acts: it is the leader, its Node cache has synced, and Hetzner's servers endpoints are
 * not cut off by an open circuit breaker. A follower is therefore never ready, so the Service sends cluster-autoscaler
 * to the leader.
 */
@Readiness
@Singleton
public class LeadershipReadiness implements HealthCheck {
    private final NodeGroupEngine engine;
    private final EngineLeadership leadership;
    private final CloudApi cloud;

    public LeadershipReadiness(NodeGroupEngine engine, EngineLeadership leadership, CloudApi cloud) {
        this.engine = engine;
        this.leadership = leadership;
        this.cloud = cloud;
    }

    @Override
    public HealthCheckResponse call() {
        boolean leader = engine.isLeader();
        boolean nodesSynced =
                leadership.directory().map(KubernetesNodeDirectory::hasSynced).orElse(true);
        CallGuard breaker = cloud.serversGuard();
        boolean hetznerReachable = !breaker.open();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("leadership")
                .status(leader && nodesSynced && hetznerReachable)
                .withData("leader", leader)
                .withData("nodeCacheSynced", nodesSynced)
                .withData("hetznerServersBreaker", breaker.state());
        leadership
                .election()
                .ifPresent(election -> response.withData(
                                "identity", election.terms().identity())
                        .withData("leaseHolder", election.leader() == null ? "unknown" : election.leader()));
        return response.build();
    }
}
