package dev.talosburst.demo;

import dev.talosburst.hcloudsim.ServerSnapshot;
import dev.talosburst.hcloudsim.SimulatedServerType;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Node a Talos kubelet registers for a Hetzner server, and its Ready condition; shared by the simulated kubelets. */
public final class TalosNodes {

    private TalosNodes() {}

    /**
     * The Node as the kubelet first registers it: NotReady, the config's labels and taints, capacity from the server
     * type minus what Talos' kubelet reserves (50m CPU, 192Mi memory, eviction below 100Mi), no providerID.
     */
    public static Node registering(
            String name,
            ServerSnapshot server,
            SimulatedServerType type,
            Map<String, String> configLabels,
            List<Taint> taints) {
        Map<String, String> labels = new LinkedHashMap<>(configLabels);
        String arch = "arm".equals(type.architecture()) ? "arm64" : "amd64";
        labels.put("kubernetes.io/hostname", name);
        labels.put("kubernetes.io/os", "linux");
        labels.put("kubernetes.io/arch", arch);
        long memory = (long) (type.memoryGb() * (1L << 30));
        Map<String, Quantity> capacity = Map.of(
                "cpu", new Quantity(String.valueOf(type.cores())),
                "memory", new Quantity(String.valueOf(memory)),
                "pods", new Quantity("110"),
                "ephemeral-storage", new Quantity(type.diskGb() + "Gi"));
        Map<String, Quantity> allocatable = Map.of(
                "cpu", new Quantity((type.cores() * 1000 - 50) + "m"),
                "memory", new Quantity(String.valueOf(memory - (292L << 20))),
                "pods", new Quantity("110"),
                "ephemeral-storage", new Quantity((type.diskGb() - 5) + "Gi"));
        return new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .withTaints(taints)
                .endSpec()
                .withNewStatus()
                .withCapacity(capacity)
                .withAllocatable(allocatable)
                .withConditions(ready(false))
                .addNewAddress()
                .withType("InternalIP")
                .withAddress(server.publicIpv4() == null ? "10.0.0.1" : server.publicIpv4())
                .endAddress()
                .addNewAddress()
                .withType("Hostname")
                .withAddress(name)
                .endAddress()
                .withNewNodeInfo()
                .withKubeletVersion("v1.36.2")
                .withKubeProxyVersion("")
                .withOperatingSystem("linux")
                .withArchitecture(arch)
                .withOsImage("Talos (simulated)")
                .withContainerRuntimeVersion("containerd://2.1.5")
                .withKernelVersion("6.12")
                .withMachineID(String.valueOf(server.id()))
                .withSystemUUID(String.valueOf(server.id()))
                .withBootID("boot")
                .endNodeInfo()
                .endStatus()
                .build();
    }

    /** The kubelet's Ready condition, as of now. */
    public static NodeCondition ready(boolean ready) {
        String now = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        return new NodeConditionBuilder()
                .withType("Ready")
                .withStatus(ready ? "True" : "False")
                .withReason(ready ? "KubeletReady" : "KubeletNotReady")
                .withMessage(ready ? "kubelet is posting ready status" : "container runtime network not ready")
                .withLastHeartbeatTime(now)
                .withLastTransitionTime(now)
                .build();
    }
}
