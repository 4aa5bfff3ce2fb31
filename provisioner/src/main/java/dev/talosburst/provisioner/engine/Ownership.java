package dev.talosburst.provisioner.engine;

import java.util.HashMap;
import java.util.Map;

/**
 * The Hetzner labels that prove a server belongs to this cluster's talos-burst. Nothing without them
 * is ever listed as ours or deleted.
 */
public final class Ownership {

    /** Label naming the cluster. */
    public static final String CLUSTER = "talos-burst.dev/cluster";
    /** Label naming the pool. */
    public static final String POOL = "talos-burst.dev/pool";
    /** Label naming the controller. */
    public static final String MANAGED_BY = "talos-burst.dev/managed-by";
    /** Value of {@link #MANAGED_BY}. */
    public static final String MANAGER = "talos-burst";
    /** Node label every node of a pool registers with (the Talos config sets it). */
    public static final String NODE_POOL_LABEL = "talos-burst.dev/pool";
    /** Node label naming the cluster id, so two talos-burst installations never touch each other's Nodes. */
    public static final String NODE_CLUSTER_LABEL = "talos-burst.dev/cluster";

    private final String clusterId;

    public Ownership(String clusterId) {
        this.clusterId = clusterId;
    }

    /** Label selector matching every server of this cluster. */
    public String clusterSelector() {
        return MANAGED_BY + "=" + MANAGER + "," + CLUSTER + "=" + clusterId;
    }

    /** The labels a new server of this pool carries: the pool's own, then ours on top (ours cannot be overridden). */
    public Map<String, String> labelsFor(String pool, Map<String, String> poolServerLabels) {
        Map<String, String> labels = new HashMap<>(poolServerLabels);
        labels.put(CLUSTER, clusterId);
        labels.put(POOL, pool);
        labels.put(MANAGED_BY, MANAGER);
        return Map.copyOf(labels);
    }

    /** True when the labels prove the server is ours. */
    public boolean owns(Map<String, String> labels) {
        return MANAGER.equals(labels.get(MANAGED_BY))
                && clusterId.equals(labels.get(CLUSTER))
                && labels.containsKey(POOL);
    }

    public String clusterId() {
        return clusterId;
    }
}
