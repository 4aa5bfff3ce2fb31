package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.cloud.ServerType;
import dev.talosburst.provisioner.nodegroup.NodeTemplate;
import dev.talosburst.provisioner.pool.NodePool;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds what a new node of a pool will look like. The same labels go into the Talos config, so the real
 * Node matches the template even without a cloud-controller-manager.
 */
final class NodeTemplates {
    /** Share of advertised memory a Hetzner VM really reports (cx33: 7751Mi of 8192Mi; cpx22: 3814Mi of 4096Mi). */
    static final double VISIBLE_MEMORY_SHARE = 0.925;
    /** Talos' kubelet defaults: systemReserved cpu 50m, memory 192Mi, ephemeral-storage 256Mi; eviction 100Mi / 10%. */
    static final long SYSTEM_RESERVED_MILLI_CPU = 50;

    static final long SYSTEM_RESERVED_MEMORY = 192L << 20;
    static final long EVICTION_MEMORY = 100L << 20;
    static final long SYSTEM_RESERVED_STORAGE = 256L << 20;
    static final double EVICTION_STORAGE_SHARE = 0.10;
    static final int MAX_PODS = 110;
    static final long GIB = 1L << 30;

    private NodeTemplates() {}

    /** Labels every node of the pool registers with (set through the Talos config). */
    static Map<String, String> registrationLabels(NodePool pool, String clusterId) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("node.kubernetes.io/instance-type", pool.serverType());
        labels.put("topology.kubernetes.io/region", pool.location());
        labels.put("topology.kubernetes.io/zone", pool.zone());
        labels.put("instance.hetzner.cloud/provided-by", "cloud");
        labels.put("csi.hetzner.cloud/location", pool.location());
        labels.put(Ownership.NODE_POOL_LABEL, pool.id());
        labels.put(Ownership.NODE_CLUSTER_LABEL, clusterId);
        labels.putAll(pool.nodeLabels());
        return labels;
    }

    static NodeTemplate template(NodePool pool, ServerType type, String clusterId) {
        Map<String, String> labels = new LinkedHashMap<>(registrationLabels(pool, clusterId));
        labels.put("kubernetes.io/arch", type.kubernetesArchitecture());
        labels.put("kubernetes.io/os", "linux");
        long milliCpu = type.cores() * 1000L;
        long visibleMemory = (long) (type.memoryGb() * GIB * VISIBLE_MEMORY_SHARE);
        long disk = type.diskGb() * GIB;
        NodeTemplate.Resources capacity = new NodeTemplate.Resources(milliCpu, visibleMemory, disk, MAX_PODS);
        NodeTemplate.Resources allocatable = new NodeTemplate.Resources(
                milliCpu - SYSTEM_RESERVED_MILLI_CPU,
                visibleMemory - SYSTEM_RESERVED_MEMORY - EVICTION_MEMORY,
                (long) ((disk - SYSTEM_RESERVED_STORAGE) * (1 - EVICTION_STORAGE_SHARE)),
                MAX_PODS);
        return new NodeTemplate(
                pool.id(),
                pool.serverType(),
                type.kubernetesArchitecture(),
                labels,
                pool.taints(),
                capacity,
                allocatable);
    }
}
