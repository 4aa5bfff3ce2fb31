package dev.talosburst.autoscaler.kube;

import dev.talosburst.provisioner.directory.NodeDirectory;
import dev.talosburst.provisioner.engine.NodeGroupEngine;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * Starts the engine in the right role: without Kubernetes as the only replica ({@code start()}); with Kubernetes as a
 * follower that acts only while it holds the Lease (promote on acquire, demote on loss), so two replicas never both act.
 */
@Singleton
public class EngineLeadership {
    private final KubernetesSettings settings;
    private final Instance<KubernetesClient> clients;
    private final NodeDirectory nodes;
    private LeaseLeadership leadership;

    public EngineLeadership(KubernetesSettings settings, Instance<KubernetesClient> clients, NodeDirectory nodes) {
        this.settings = settings;
        this.clients = clients;
        this.nodes = nodes;
    }

    /** Starts the engine: at once as leader (its first list in the background), or as a follower contending for the Lease. */
    public synchronized void start(NodeGroupEngine engine) {
        if (!settings.enabled() || !(nodes instanceof KubernetesNodeDirectory directory)) {
            engine.startInBackground(); // gRPC answers while the first list runs (NOT_READY for sizes and servers
            // until it is done)
            return;
        }
        LeaseTerms terms = LeaseTerms.from(settings);
        engine.startAsFollower();
        leadership = new LeaseLeadership(clients.get(), terms, directory::hasSynced, LeaseLeadership.Role.of(engine));
        leadership.start();
    }

    /** The running leader election; empty when Kubernetes is off. */
    public synchronized Optional<LeaseLeadership> election() {
        return Optional.ofNullable(leadership);
    }

    /** The fabric8 node directory; empty when Kubernetes is off. */
    public Optional<KubernetesNodeDirectory> directory() {
        return nodes instanceof KubernetesNodeDirectory directory ? Optional.of(directory) : Optional.empty();
    }

    @PreDestroy
    synchronized void stop() {
        if (leadership != null) {
            leadership.close(); // demotes first, then releases the Lease for the other replica
        }
    }
}
