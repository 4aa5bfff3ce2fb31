package dev.talosburst.provisioner.directory;

import java.util.Collection;
import java.util.Optional;

/**
 * What Kubernetes knows about nodes, as the domain needs it (implemented with a fabric8 informer;
 * an in-memory implementation serves runs without a cluster).
 */
public interface NodeDirectory {

    /** The node with this name, if registered. */
    Optional<KubeNode> byName(String name);

    /** Every node the directory has seen (ours and others). */
    Collection<KubeNode> all();

    /** Sets {@code spec.providerID} on a node whose providerID is empty; never changes a set one. */
    void setProviderId(String nodeName, String providerId);

    /** Deletes the Node object (after its server is gone). Missing nodes are ignored. */
    void removeNode(String nodeName);

    /** Registers a listener for node changes; events for nodes already known are replayed as registrations. */
    void subscribe(NodeListener listener);

    /**
     * Whether a server's Node registering would be seen here. False when no cluster is watched: then a Node missing
     * from this directory proves nothing, and nothing may be deleted for "never registered".
     */
    boolean observesRegistration();

    /** A listener for node changes. */
    interface NodeListener {
        /** A node appeared (or was already there when the listener subscribed). */
        void registered(KubeNode node);

        /** A node's Ready condition became True, or it changed while Ready. */
        void ready(KubeNode node);

        /** A node's Ready condition became False or Unknown. */
        void notReady(KubeNode node);

        /** The Node object was deleted. */
        void removed(KubeNode node);
    }
}
