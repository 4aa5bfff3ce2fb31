package dev.talosburst.autoscaler.kube;

import dev.talosburst.provisioner.directory.InMemoryNodeDirectory;
import dev.talosburst.provisioner.directory.NodeDirectory;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import org.jboss.logging.Logger;

/**
 * The engine's node directory: the cluster's Nodes through a fabric8 informer when {@code talosburst.kubernetes.enabled=true},
 * otherwise an in-memory directory that says it cannot observe registration (no cluster is watched). Replaces the wiring's default bean.
 */
public class NodeDirectoryProducer {
    private static final Logger LOG = Logger.getLogger(NodeDirectoryProducer.class);

    @Produces
    @Singleton
    NodeDirectory nodeDirectory(KubernetesSettings settings, Instance<KubernetesClient> clients, Clock clock) {
        if (!settings.enabled()) {
            LOG.warn(
                    "talosburst.kubernetes.enabled=false: Nodes are not watched (no providerID, no readiness, no Node cleanup), "
                            + "so the reaper never deletes a server for not registering as a Node (set talosburst.kubernetes.enabled=true for that), "
                            + "and this replica acts without leader election; run ONE replica only");
            return InMemoryNodeDirectory.unobserved(clock);
        }
        KubernetesNodeDirectory directory = new KubernetesNodeDirectory(clients.get(), clock, settings.nodeResync());
        directory.start(); // the list runs while the rest starts; leadership waits for it
        return directory;
    }

    void close(@Disposes NodeDirectory directory) {
        if (directory instanceof KubernetesNodeDirectory kubernetes) {
            kubernetes.close();
        }
    }
}
