package dev.talosburst.talos.workerconfig;

import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.pool.Taint;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What makes one node's worker config its own: the server name (= hostname = Kubernetes node name), the pool's
 * node labels and taints, and the pool's own strategic-merge patches (YAML, possibly multi-document).
 *
 * @param poolId the pool, for messages
 * @param hostname the Hetzner server name, a lowercase RFC 1123 label
 * @param labels node labels the kubelet registers with
 * @param taints taints the kubelet registers with ({@code registerWithTaints})
 * @param patches the pool's Talos patches, applied in order before talos-burst's own settings
 */
public record NodeCustomization(
        String poolId, String hostname, Map<String, String> labels, List<Taint> taints, List<String> patches) {

    public NodeCustomization {
        Objects.requireNonNull(poolId, "poolId");
        Objects.requireNonNull(hostname, "hostname");
        labels = Map.copyOf(labels == null ? Map.of() : labels);
        taints = List.copyOf(taints == null ? List.of() : taints);
        patches = List.copyOf(patches == null ? List.of() : patches);
    }

    /** The customization of a server of this pool. */
    public static NodeCustomization forServer(NodePool pool, String serverName) {
        return new NodeCustomization(pool.id(), serverName, pool.nodeLabels(), pool.taints(), pool.talosPatches());
    }

    /** Labels in a stable (sorted) order, so renders are reproducible. */
    Map<String, String> sortedLabels() {
        return new TreeMap<>(labels);
    }

    @Override
    public String toString() {
        // patches may carry credentials (e.g. registry auth); show only how many there are
        return "NodeCustomization[pool=" + poolId + ", hostname=" + hostname + ", labels=" + sortedLabels()
                + ", taints=" + taints + ", patches=" + patches.size() + "]";
    }
}
