package dev.talosburst.demo;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Watches Nodes and reports what others do to them: providerID set (talos-burst), Node deleted (talos-burst). */
public final class NodeObserver implements AutoCloseable {

    private final SharedIndexInformer<Node> informer;
    private final Set<String> deletedNodes = ConcurrentHashMap.newKeySet();

    /**
     * @param removedByKubelets names of Nodes the simulated kubelets removed themselves (so a deletion is not credited to
     *                          talos-burst)
     */
    public NodeObserver(KubernetesClient kube, Consumer<String> timeline, Supplier<Set<String>> removedByKubelets) {
        informer = kube.nodes().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {}

            @Override
            public void onUpdate(Node before, Node after) {
                String was = providerId(before);
                String now = providerId(after);
                if (was.isEmpty() && !now.isEmpty()) {
                    timeline.accept(
                            "Node " + after.getMetadata().getName() + " providerID set to " + now + " by talos-burst");
                }
            }

            @Override
            public void onDelete(Node node, boolean deletedFinalStateUnknown) {
                String name = node.getMetadata().getName();
                deletedNodes.add(name);
                if (!removedByKubelets.get().contains(name)) {
                    timeline.accept("Node " + name + " deleted by talos-burst");
                }
            }
        });
    }

    /** Names of every Node seen deleted. */
    public Set<String> deletedNodes() {
        return Set.copyOf(deletedNodes);
    }

    private static String providerId(Node n) {
        return n == null || n.getSpec() == null || n.getSpec().getProviderID() == null
                ? ""
                : n.getSpec().getProviderID();
    }

    @Override
    public void close() {
        informer.close();
    }
}
