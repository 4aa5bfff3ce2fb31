package dev.talosburst.provisioner.directory;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A node directory without Kubernetes: for runs where talos-burst does not watch a cluster
 * ({@link #unobserved(Clock)}: nodes cannot be seen registering) and for tests, which register nodes as a kubelet would.
 */
public final class InMemoryNodeDirectory implements NodeDirectory {
    private final Map<String, KubeNode> nodes = new ConcurrentHashMap<>();
    private final List<NodeListener> listeners = new CopyOnWriteArrayList<>();
    private final Clock clock;
    private final boolean observesRegistration;

    /** A directory that stands in for the cluster: every kubelet registers here (tests). */
    public InMemoryNodeDirectory(Clock clock) {
        this(clock, true);
    }

    private InMemoryNodeDirectory(Clock clock, boolean observesRegistration) {
        this.clock = clock;
        this.observesRegistration = observesRegistration;
    }

    /**
     * The directory of a run that watches no cluster: real kubelets register elsewhere, so an absent Node proves nothing
     * ({@link #observesRegistration()} is false). Nodes registered by hand are still delivered.
     */
    public static InMemoryNodeDirectory unobserved(Clock clock) {
        return new InMemoryNodeDirectory(clock, false);
    }

    @Override
    public boolean observesRegistration() {
        return observesRegistration;
    }

    @Override
    public Optional<KubeNode> byName(String name) {
        return Optional.ofNullable(nodes.get(name));
    }

    @Override
    public Collection<KubeNode> all() {
        return List.copyOf(nodes.values());
    }

    @Override
    public void setProviderId(String nodeName, String providerId) {
        nodes.computeIfPresent(
                nodeName,
                (name, node) -> node.providerId().isEmpty()
                        ? new KubeNode(name, providerId, node.ready(), node.createdAt(), node.labels())
                        : node);
    }

    @Override
    public void removeNode(String nodeName) {
        KubeNode removed = nodes.remove(nodeName);
        if (removed != null) {
            listeners.forEach(l -> l.removed(removed));
        }
    }

    @Override
    public void subscribe(NodeListener listener) {
        listeners.add(listener);
        nodes.values().forEach(listener::registered);
    }

    /** A kubelet registers its Node (not Ready yet). */
    public KubeNode register(String name, Map<String, String> labels) {
        KubeNode node = new KubeNode(name, "", false, clock.instant(), labels);
        nodes.put(name, node);
        listeners.forEach(l -> l.registered(node));
        return node;
    }

    /** The Node's Ready condition changes. */
    public void setReady(String name, boolean ready) {
        KubeNode node = nodes.computeIfPresent(
                name, (n, old) -> new KubeNode(n, old.providerId(), ready, old.createdAt(), old.labels()));
        if (node != null) {
            listeners.forEach(l -> {
                if (ready) {
                    l.ready(node);
                } else {
                    l.notReady(node);
                }
            });
        }
    }
}
