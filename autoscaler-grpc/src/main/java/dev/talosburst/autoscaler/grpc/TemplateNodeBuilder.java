package dev.talosburst.autoscaler.grpc;

import dev.talosburst.proto.k8s.core.v1.Node;
import dev.talosburst.proto.k8s.core.v1.NodeCondition;
import dev.talosburst.proto.k8s.core.v1.NodeSpec;
import dev.talosburst.proto.k8s.core.v1.NodeStatus;
import dev.talosburst.proto.k8s.core.v1.NodeSystemInfo;
import dev.talosburst.proto.k8s.core.v1.Taint;
import dev.talosburst.proto.k8s.meta.v1.ObjectMeta;
import dev.talosburst.proto.k8s.meta.v1.Time;
import dev.talosburst.proto.k8s.resource.Quantity;
import dev.talosburst.provisioner.nodegroup.NodeTemplate;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code v1.Node} cluster-autoscaler simulates for scale-from-zero, from the domain's {@link NodeTemplate}:
 * labels, taints, capacity, allocatable, a Ready condition and the node's OS and architecture.
 */
public final class TemplateNodeBuilder {

    /** Labels every node has from kubelet; kept if the template already sets them. */
    static final String ARCH_LABEL = "kubernetes.io/arch";

    static final String OS_LABEL = "kubernetes.io/os";

    private TemplateNodeBuilder() {}

    /** The template as a Kubernetes Node; {@code now} stamps the Ready condition. */
    public static Node build(NodeTemplate template, Instant now) {
        Map<String, String> labels = new TreeMap<>(template.labels());
        labels.putIfAbsent(ARCH_LABEL, template.architecture());
        labels.putIfAbsent(OS_LABEL, "linux");
        Time stamp = Time.newBuilder().setSeconds(now.getEpochSecond()).build();

        NodeSpec.Builder spec = NodeSpec.newBuilder();
        for (dev.talosburst.provisioner.pool.Taint taint : template.taints()) {
            spec.addTaints(Taint.newBuilder()
                    .setKey(taint.key())
                    .setValue(taint.value())
                    .setEffect(taint.effect()));
        }
        return Node.newBuilder()
                .setMetadata(ObjectMeta.newBuilder()
                        .setName("template-node-for-" + template.groupId())
                        .putAllLabels(labels))
                .setSpec(spec)
                .setStatus(NodeStatus.newBuilder()
                        .putAllCapacity(resources(template.capacity()))
                        .putAllAllocatable(resources(template.allocatable()))
                        .setPhase("Running")
                        .addConditions(NodeCondition.newBuilder()
                                .setType("Ready")
                                .setStatus("True")
                                .setReason("KubeletReady")
                                .setMessage("template node for node group " + template.groupId())
                                .setLastHeartbeatTime(stamp)
                                .setLastTransitionTime(stamp))
                        .setNodeInfo(NodeSystemInfo.newBuilder()
                                .setArchitecture(template.architecture())
                                .setOperatingSystem("linux")
                                .setOsImage("Talos")))
                .build();
    }

    private static Map<String, Quantity> resources(NodeTemplate.Resources resources) {
        Map<String, Quantity> map = new LinkedHashMap<>();
        map.put("cpu", quantity(KubernetesQuantity.cpu(resources.milliCpu())));
        map.put("memory", quantity(KubernetesQuantity.bytes(resources.memoryBytes())));
        map.put("ephemeral-storage", quantity(KubernetesQuantity.bytes(resources.ephemeralStorageBytes())));
        map.put("pods", quantity(Integer.toString(resources.pods())));
        return map;
    }

    private static Quantity quantity(String text) {
        return Quantity.newBuilder().setString(text).build();
    }
}
