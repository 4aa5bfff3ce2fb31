package dev.talosburst.autoscaler.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.proto.k8s.core.v1.Node;
import dev.talosburst.proto.k8s.resource.Quantity;
import dev.talosburst.provisioner.nodegroup.NodeTemplate;
import dev.talosburst.provisioner.pool.Taint;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TemplateNodeBuilderTest {

    private final NodeTemplate template = new NodeTemplate(
            "cax11-fsn1",
            "cax11",
            "arm64",
            Map.of(
                    "node.kubernetes.io/instance-type",
                    "cax11",
                    "topology.kubernetes.io/region",
                    "fsn1",
                    "talos-burst/pool",
                    "cax11-fsn1"),
            List.of(new Taint("dedicated", "burst", "NoSchedule"), new Taint("gpu", "", "NoExecute")),
            new NodeTemplate.Resources(2000, 4L << 30, 40L << 30, 110),
            new NodeTemplate.Resources(1900, 3_500_000_000L, 38L << 30, 110));

    @Test
    void carriesCapacityAllocatableLabelsTaintsAndReadyCondition() {
        Node node = TemplateNodeBuilder.build(template, Instant.ofEpochSecond(1_800_000_000L));

        assertThat(strings(node.getStatus().getCapacityMap()))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("cpu", "2", "memory", "4194304Ki", "ephemeral-storage", "41943040Ki", "pods", "110"));
        assertThat(strings(node.getStatus().getAllocatableMap()))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "cpu", "1900m", "memory", "3500000000", "ephemeral-storage", "39845888Ki", "pods", "110"));
        assertThat(node.getMetadata().getLabelsMap())
                .containsEntry("kubernetes.io/arch", "arm64")
                .containsEntry("kubernetes.io/os", "linux")
                .containsEntry("node.kubernetes.io/instance-type", "cax11")
                .containsEntry("talos-burst/pool", "cax11-fsn1");
        assertThat(node.getSpec().getTaintsList())
                .extracting(t -> t.getKey() + "=" + t.getValue() + ":" + t.getEffect())
                .containsExactly("dedicated=burst:NoSchedule", "gpu=:NoExecute");
        assertThat(node.getStatus().getConditionsList()).singleElement().satisfies(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getLastHeartbeatTime().getSeconds()).isEqualTo(1_800_000_000L);
        });
        assertThat(node.getStatus().getNodeInfo().getArchitecture()).isEqualTo("arm64");
        assertThat(node.getStatus().getNodeInfo().getOperatingSystem()).isEqualTo("linux");
        assertThat(node.getMetadata().getName()).isEqualTo("template-node-for-cax11-fsn1");
    }

    @Test
    void templateLabelsWinOverKubeletDefaults() {
        NodeTemplate custom = new NodeTemplate(
                "g",
                "cx22",
                "amd64",
                Map.of("kubernetes.io/os", "linux", "kubernetes.io/arch", "amd64"),
                List.of(),
                template.capacity(),
                template.allocatable());
        assertThat(TemplateNodeBuilder.build(custom, Instant.EPOCH)
                        .getMetadata()
                        .getLabelsMap())
                .containsEntry("kubernetes.io/arch", "amd64")
                .hasSize(2);
    }

    private static Map<String, String> strings(Map<String, Quantity> quantities) {
        return quantities.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getString()));
    }
}
