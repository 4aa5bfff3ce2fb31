package dev.talosburst.autoscaler.wiring;

import dev.talosburst.provisioner.directory.InMemoryNodeDirectory;
import dev.talosburst.provisioner.directory.NodeDirectory;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import org.jboss.logging.Logger;

/**
 * Stand-ins for the ports whose real adapters live elsewhere: a bean of the same type anywhere in the application
 * (the fabric8 node directory) replaces these without touching this class.
 */
public class DefaultPortsProducer {

    private static final Logger LOG = Logger.getLogger(DefaultPortsProducer.class);

    /** Nodes known only in memory: no Kubernetes cluster is watched (embedded run, tests). */
    @Produces
    @Singleton
    @DefaultBean
    NodeDirectory inMemoryNodeDirectory(Clock clock) {
        LOG.warn("no Kubernetes node directory configured: nodes are tracked in memory only, none will register");
        return InMemoryNodeDirectory.unobserved(clock);
    }
}
