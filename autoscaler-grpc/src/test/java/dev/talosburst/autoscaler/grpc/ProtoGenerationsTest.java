package dev.talosburst.autoscaler.grpc;

import static dev.talosburst.autoscaler.grpc.CaProtoGenerations.CA_1_33;
import static dev.talosburst.autoscaler.grpc.CaProtoGenerations.CA_1_36;
import static dev.talosburst.autoscaler.grpc.CaProtoGenerations.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.talosburst.proto.externalgrpc.CloudProviderGrpc;
import dev.talosburst.proto.externalgrpc.ExternalGrpcNode;
import dev.talosburst.proto.externalgrpc.NodeGroupAutoscalingOptionsRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupIncreaseSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupNodesRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupTemplateNodeInfoRequest;
import dev.talosburst.proto.externalgrpc.PricingNodePriceRequest;
import dev.talosburst.proto.externalgrpc.PricingPodPriceRequest;
import dev.talosburst.proto.k8s.core.v1.Container;
import dev.talosburst.proto.k8s.core.v1.Node;
import dev.talosburst.proto.k8s.core.v1.Pod;
import dev.talosburst.proto.k8s.core.v1.PodSpec;
import dev.talosburst.proto.k8s.core.v1.ResourceRequirements;
import dev.talosburst.proto.k8s.meta.v1.Time;
import dev.talosburst.proto.k8s.resource.Quantity;
import dev.talosburst.provisioner.cloud.CloudApi;
import io.grpc.ManagedChannel;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One client per proto generation over a real socket: CA 1.33 (Kubernetes-typed fields only) and CA 1.36 (bytes and
 * google.protobuf fields only) each get a complete answer, and requests carrying only their generation's fields are
 * honoured the same way.
 */
@QuarkusTest
class ProtoGenerationsTest {

    private static final Instant START = Instant.parse("2026-11-26T00:00:00Z");
    private static final Instant END = START.plus(Duration.ofMinutes(90));

    private ManagedChannel channel;

    @Inject
    CloudApi cloud;

    @BeforeEach
    void connect() {
        channel = GrpcTestChannels.plaintext();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTestChannels.close(channel);
    }

    private CloudProviderGrpc.CloudProviderBlockingStub ca() {
        return CloudProviderGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    }

    @Test
    void templateNodeReachesBothGenerations() throws Exception {
        byte[] wire = await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(
                        () -> ca().nodeGroupTemplateNodeInfo(NodeGroupTemplateNodeInfoRequest.newBuilder()
                                        .setId("cax11-fsn1")
                                        .build())
                                .toByteArray(),
                        bytes -> bytes.length > 0);

        DynamicMessage old = DynamicMessage.parseFrom(type(CA_1_33, "NodeGroupTemplateNodeInfoResponse"), wire);
        Node viaField1 = Node.parseFrom(((Message) get(old, "nodeInfo")).toByteString());
        DynamicMessage current = DynamicMessage.parseFrom(type(CA_1_36, "NodeGroupTemplateNodeInfoResponse"), wire);
        Node viaField2 = Node.parseFrom((ByteString) get(current, "nodeBytes"));

        for (Node node : new Node[] {viaField1, viaField2}) {
            assertThat(node.getStatus().getCapacityOrThrow("cpu").getString()).isEqualTo("2");
            assertThat(node.getStatus().getAllocatableMap()).containsKeys("cpu", "memory", "ephemeral-storage", "pods");
            assertThat(node.getMetadata().getLabelsMap())
                    .containsEntry("kubernetes.io/arch", "arm64")
                    .containsEntry("node.kubernetes.io/instance-type", "cax11");
            assertThat(node.getStatus().getNodeInfo().getArchitecture()).isEqualTo("arm64");
        }
        assertThat(viaField1).isEqualTo(viaField2);
    }

    @Test
    void optionsDefaultsAndAnswersInBothGenerations() throws Exception {
        // CA 1.33 sends its flags in fields 1-7 (metav1.Duration, nanoseconds).
        Descriptor oldOptions = type(CA_1_33, "NodeGroupAutoscalingOptions");
        DynamicMessage oldDefaults = DynamicMessage.newBuilder(oldOptions)
                .setField(oldOptions.findFieldByName("scaleDownUtilizationThreshold"), 0.6)
                .setField(oldOptions.findFieldByName("scaleDownGpuUtilizationThreshold"), 0.7)
                .setField(oldOptions.findFieldByName("scaleDownUnneededTime"), k8s(Duration.ofMinutes(7)))
                .setField(oldOptions.findFieldByName("scaleDownUnreadyTime"), k8s(Duration.ofMinutes(8)))
                .setField(oldOptions.findFieldByName("MaxNodeProvisionTime"), k8s(Duration.ofMinutes(9)))
                .build();
        DynamicMessage oldAnswer = options(CA_1_33, oldDefaults);

        // CA 1.36 sends the same flags in fields 1, 2, 6-10 (google.protobuf.Duration).
        Descriptor newOptions = type(CA_1_36, "NodeGroupAutoscalingOptions");
        DynamicMessage newDefaults = DynamicMessage.newBuilder(newOptions)
                .setField(newOptions.findFieldByName("scaleDownUtilizationThreshold"), 0.6)
                .setField(newOptions.findFieldByName("scaleDownGpuUtilizationThreshold"), 0.7)
                .setField(newOptions.findFieldByName("scaleDownUnneededDuration"), pb(Duration.ofMinutes(7)))
                .setField(newOptions.findFieldByName("scaleDownUnreadyDuration"), pb(Duration.ofMinutes(8)))
                .setField(newOptions.findFieldByName("MaxNodeProvisionDuration"), pb(Duration.ofMinutes(9)))
                .build();
        DynamicMessage newAnswer = options(CA_1_36, newDefaults);

        // The pool overrides scale-down-unneeded-time (3m); the rest follows CA's flags from the request,
        // except max provision time, which follows the pool's own max-provision-time (15m) so CA and the reaper agree.
        assertThat(get(oldAnswer, "scaleDownUtilizationThreshold")).isEqualTo(0.6);
        assertThat(get(newAnswer, "scaleDownUtilizationThreshold")).isEqualTo(0.6);
        assertThat(get(oldAnswer, "scaleDownGpuUtilizationThreshold")).isEqualTo(0.7);
        assertThat(get(newAnswer, "scaleDownGpuUtilizationThreshold")).isEqualTo(0.7);
        assertThat(oldDuration(oldAnswer, "scaleDownUnneededTime")).isEqualTo(Duration.ofMinutes(3));
        assertThat(newDuration(newAnswer, "scaleDownUnneededDuration")).isEqualTo(Duration.ofMinutes(3));
        assertThat(oldDuration(oldAnswer, "scaleDownUnreadyTime")).isEqualTo(Duration.ofMinutes(8));
        assertThat(newDuration(newAnswer, "scaleDownUnreadyDuration")).isEqualTo(Duration.ofMinutes(8));
        assertThat(oldDuration(oldAnswer, "MaxNodeProvisionTime")).isEqualTo(Duration.ofMinutes(15));
        assertThat(newDuration(newAnswer, "MaxNodeProvisionDuration")).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void pricingFromEitherGenerationsFieldsIsTheSame() throws Exception {
        ca().nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest.newBuilder()
                .setId("cax11-fsn1")
                .setDelta(1)
                .build());
        String instanceId = ca().nodeGroupNodes(
                        NodeGroupNodesRequest.newBuilder().setId("cax11-fsn1").build())
                .getInstances(0)
                .getId();
        ExternalGrpcNode node = ExternalGrpcNode.newBuilder()
                .setProviderID(instanceId)
                .setName(instanceId)
                .build();

        Descriptor oldNodeRequest = type(CA_1_33, "PricingNodePriceRequest");
        DynamicMessage oldNode = DynamicMessage.newBuilder(oldNodeRequest)
                .setField(oldNodeRequest.findFieldByName("node"), node)
                .setField(oldNodeRequest.findFieldByName("startTime"), time(START))
                .setField(oldNodeRequest.findFieldByName("endTime"), time(END))
                .build();
        Descriptor newNodeRequest = type(CA_1_36, "PricingNodePriceRequest");
        DynamicMessage newNode = DynamicMessage.newBuilder(newNodeRequest)
                .setField(newNodeRequest.findFieldByName("node"), node)
                .setField(newNodeRequest.findFieldByName("startTimestamp"), timestamp(START))
                .setField(newNodeRequest.findFieldByName("endTimestamp"), timestamp(END))
                .build();
        double oldNodePrice = ca().pricingNodePrice(PricingNodePriceRequest.parseFrom(oldNode.toByteArray()))
                .getPrice();
        double newNodePrice = ca().pricingNodePrice(PricingNodePriceRequest.parseFrom(newNode.toByteArray()))
                .getPrice();
        assertThat(oldNodePrice).isPositive().isEqualTo(newNodePrice);

        Pod small = pod("500m", "1Gi");
        Pod large = pod("2", "4Gi");
        double oldSmall = podPrice(oldPodRequest(small));
        double newSmall = podPrice(newPodRequest(small));
        assertThat(oldSmall).isPositive().isEqualTo(newSmall);
        assertThat(podPrice(newPodRequest(large))).isGreaterThan(newSmall);
        assertThat(oldSmall).isLessThan(oldNodePrice * 4);
    }

    @Test
    void templateNodesArePricedFromTheirPoolInBothGenerations() throws Exception {
        // cx22-fsn1 and cax11-fsn1 are equivalent (2 vCPU, 4 GB) at different Hetzner prices: the price expander must
        // see that
        double cx22 = templateNodePrice("cx22-fsn1");
        double cax11 = templateNodePrice("cax11-fsn1");
        assertThat(cx22).isCloseTo(hourlyNet("cx22", "fsn1") * 1.5, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(cax11).isCloseTo(hourlyNet("cax11", "fsn1") * 1.5, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(cx22).isLessThan(cax11);

        // a pod bound to a template node costs its share of that node's pool, in either generation
        Pod onCx22 = pod("1", "1Gi").toBuilder()
                .setSpec(pod("1", "1Gi").getSpec().toBuilder().setNodeName("template-node-for-cx22-fsn1-17"))
                .build();
        Pod onCax11 = onCx22.toBuilder()
                .setSpec(onCx22.getSpec().toBuilder().setNodeName("template-node-for-cax11-fsn1-17"))
                .build();
        double podOnCx22 = podPrice(newPodRequest(onCx22));
        assertThat(podPrice(oldPodRequest(onCx22))).isPositive().isEqualTo(podOnCx22);
        assertThat(podPrice(oldPodRequest(onCax11)))
                .isEqualTo(podPrice(newPodRequest(onCax11)))
                .isGreaterThan(podOnCx22);
    }

    /** What CA's price expander sends for a group: its template node, renamed, with our labels and no providerID. */
    private double templateNodePrice(String group) throws Exception {
        byte[] wire = await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(
                        () -> ca().nodeGroupTemplateNodeInfo(NodeGroupTemplateNodeInfoRequest.newBuilder()
                                        .setId(group)
                                        .build())
                                .toByteArray(),
                        bytes -> bytes.length > 0);
        Node template = Node.parseFrom((ByteString)
                get(DynamicMessage.parseFrom(type(CA_1_36, "NodeGroupTemplateNodeInfoResponse"), wire), "nodeBytes"));
        ExternalGrpcNode node = ExternalGrpcNode.newBuilder()
                .setName("template-node-for-" + group + "-8674665223082153551")
                .putAllLabels(template.getMetadata().getLabelsMap())
                .build();

        Descriptor oldType = type(CA_1_33, "PricingNodePriceRequest");
        DynamicMessage old = DynamicMessage.newBuilder(oldType)
                .setField(oldType.findFieldByName("node"), node)
                .setField(oldType.findFieldByName("startTime"), time(START))
                .setField(oldType.findFieldByName("endTime"), time(END))
                .build();
        Descriptor newType = type(CA_1_36, "PricingNodePriceRequest");
        DynamicMessage current = DynamicMessage.newBuilder(newType)
                .setField(newType.findFieldByName("node"), node)
                .setField(newType.findFieldByName("startTimestamp"), timestamp(START))
                .setField(newType.findFieldByName("endTimestamp"), timestamp(END))
                .build();
        double viaOld = ca().pricingNodePrice(PricingNodePriceRequest.parseFrom(old.toByteArray()))
                .getPrice();
        double viaNew = ca().pricingNodePrice(PricingNodePriceRequest.parseFrom(current.toByteArray()))
                .getPrice();
        assertThat(viaOld).as("price of %s's template node", group).isPositive().isEqualTo(viaNew);
        return viaNew;
    }

    private double hourlyNet(String type, String location) {
        return cloud.serverTypes().stream()
                .filter(t -> t.name().equals(type))
                .findFirst()
                .orElseThrow()
                .priceIn(location)
                .orElseThrow()
                .hourlyNet()
                .doubleValue();
    }

    // ------------------------------------------------------------------------------------------ helpers

    private DynamicMessage options(com.google.protobuf.Descriptors.FileDescriptor generation, DynamicMessage defaults)
            throws Exception {
        Descriptor requestType = type(generation, "NodeGroupAutoscalingOptionsRequest");
        DynamicMessage request = DynamicMessage.newBuilder(requestType)
                .setField(requestType.findFieldByName("id"), "cax11-fsn1")
                .setField(requestType.findFieldByName("defaults"), defaults)
                .build();
        byte[] answer = ca().nodeGroupGetOptions(NodeGroupAutoscalingOptionsRequest.parseFrom(request.toByteArray()))
                .toByteArray();
        DynamicMessage response =
                DynamicMessage.parseFrom(type(generation, "NodeGroupAutoscalingOptionsResponse"), answer);
        return (DynamicMessage) get(response, "nodeGroupAutoscalingOptions");
    }

    private double podPrice(DynamicMessage request) throws Exception {
        return ca().pricingPodPrice(PricingPodPriceRequest.parseFrom(request.toByteArray()))
                .getPrice();
    }

    private static DynamicMessage oldPodRequest(Pod pod) {
        Descriptor type = type(CA_1_33, "PricingPodPriceRequest");
        return DynamicMessage.newBuilder(type)
                .setField(type.findFieldByName("pod"), pod)
                .setField(type.findFieldByName("startTime"), time(START))
                .setField(type.findFieldByName("endTime"), time(END))
                .build();
    }

    private static DynamicMessage newPodRequest(Pod pod) {
        Descriptor type = type(CA_1_36, "PricingPodPriceRequest");
        return DynamicMessage.newBuilder(type)
                .setField(type.findFieldByName("pod_bytes"), pod.toByteString())
                .setField(type.findFieldByName("startTimestamp"), timestamp(START))
                .setField(type.findFieldByName("endTimestamp"), timestamp(END))
                .build();
    }

    private static Pod pod(String cpu, String memory) {
        return Pod.newBuilder()
                .setSpec(PodSpec.newBuilder()
                        .addContainers(Container.newBuilder()
                                .setName("app")
                                .setResources(ResourceRequirements.newBuilder()
                                        .putRequests(
                                                "cpu",
                                                Quantity.newBuilder()
                                                        .setString(cpu)
                                                        .build())
                                        .putRequests(
                                                "memory",
                                                Quantity.newBuilder()
                                                        .setString(memory)
                                                        .build()))))
                .build();
    }

    private static Object get(DynamicMessage message, String field) {
        var descriptor = message.getDescriptorForType().findFieldByName(field);
        assertThat(message.hasField(descriptor)).as(field + " is set").isTrue();
        return message.getField(descriptor);
    }

    private static Duration oldDuration(DynamicMessage options, String field) throws Exception {
        Message value = (Message) get(options, field);
        return Duration.ofNanos(dev.talosburst.proto.k8s.meta.v1.Duration.parseFrom(value.toByteString())
                .getDuration());
    }

    private static Duration newDuration(DynamicMessage options, String field) throws Exception {
        com.google.protobuf.Duration value =
                com.google.protobuf.Duration.parseFrom(((Message) get(options, field)).toByteString());
        return Duration.ofSeconds(value.getSeconds(), value.getNanos());
    }

    private static dev.talosburst.proto.k8s.meta.v1.Duration k8s(Duration duration) {
        return dev.talosburst.proto.k8s.meta.v1.Duration.newBuilder()
                .setDuration(duration.toNanos())
                .build();
    }

    private static com.google.protobuf.Duration pb(Duration duration) {
        return com.google.protobuf.Duration.newBuilder()
                .setSeconds(duration.getSeconds())
                .setNanos(duration.getNano())
                .build();
    }

    private static Time time(Instant instant) {
        return Time.newBuilder()
                .setSeconds(instant.getEpochSecond())
                .setNanos(instant.getNano())
                .build();
    }

    private static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder()
                .setSeconds(instant.getEpochSecond())
                .setNanos(instant.getNano())
                .build();
    }
}
