package dev.talosburst.autoscaler.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import dev.talosburst.autoscaler.wiring.EmbeddedHetzner;
import dev.talosburst.proto.externalgrpc.CleanupRequest;
import dev.talosburst.proto.externalgrpc.CloudProviderGrpc;
import dev.talosburst.proto.externalgrpc.ExternalGrpcNode;
import dev.talosburst.proto.externalgrpc.GPULabelRequest;
import dev.talosburst.proto.externalgrpc.GetAvailableGPUTypesRequest;
import dev.talosburst.proto.externalgrpc.Instance;
import dev.talosburst.proto.externalgrpc.InstanceStatus.InstanceState;
import dev.talosburst.proto.externalgrpc.NodeGroup;
import dev.talosburst.proto.externalgrpc.NodeGroupAutoscalingOptions;
import dev.talosburst.proto.externalgrpc.NodeGroupAutoscalingOptionsRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupDecreaseTargetSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupDeleteNodesRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupForNodeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupIncreaseSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupNodesRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupTargetSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupTemplateNodeInfoRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupTemplateNodeInfoResponse;
import dev.talosburst.proto.externalgrpc.NodeGroupsRequest;
import dev.talosburst.proto.externalgrpc.PricingNodePriceRequest;
import dev.talosburst.proto.externalgrpc.RefreshRequest;
import dev.talosburst.proto.k8s.core.v1.Node;
import dev.talosburst.provisioner.directory.InMemoryNodeDirectory;
import dev.talosburst.provisioner.directory.NodeDirectory;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * cluster-autoscaler's loop against the running service over a real socket: the real engine, the Hetzner client and
 * the embedded simulator behind it. Each test uses its own node group, so they do not interfere.
 */
@QuarkusTest
class CloudProviderLoopTest {

    @Inject
    NodeDirectory nodeDirectory;

    @Inject
    EmbeddedHetzner hetzner;

    private ManagedChannel channel;
    private CloudProviderGrpc.CloudProviderBlockingStub ca;

    @BeforeEach
    void connect() {
        channel = GrpcTestChannels.plaintext();
        ca = CloudProviderGrpc.newBlockingStub(channel)
                .withDeadlineAfter(
                        java.util.concurrent.TimeUnit.SECONDS.toMillis(5), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTestChannels.close(channel);
    }

    private CloudProviderGrpc.CloudProviderBlockingStub ca() {
        return ca.withDeadlineAfter(5, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void theServerSerialisesTheAnswersCaAsksForAgainAndAgainOnce() {
        io.grpc.ServerServiceDefinition served = io.quarkus.grpc.runtime.GrpcServerRecorder.getServices().stream()
                .map(service -> service.definition)
                .filter(d -> d.getServiceDescriptor().getName().equals(CloudProviderGrpc.SERVICE_NAME))
                .findFirst()
                .orElseThrow();
        for (io.grpc.MethodDescriptor<?, ?> method : List.of(
                CloudProviderGrpc.getNodeGroupsMethod(),
                CloudProviderGrpc.getNodeGroupNodesMethod(),
                CloudProviderGrpc.getNodeGroupTemplateNodeInfoMethod())) {
            assertThat(served.getMethod(method.getFullMethodName())
                            .getMethodDescriptor()
                            .getResponseMarshaller())
                    .as(method.getFullMethodName())
                    .isInstanceOf(SerializedAnswers.class);
        }
        assertThat(served.getMethod(CloudProviderGrpc.getGPULabelMethod().getFullMethodName())
                        .getMethodDescriptor()
                        .getResponseMarshaller())
                .isNotInstanceOf(SerializedAnswers.class);
    }

    @Test
    void replaysClusterAutoscalersLoop() {
        ca().refresh(RefreshRequest.getDefaultInstance());

        Map<String, NodeGroup> groups =
                ca().nodeGroups(NodeGroupsRequest.getDefaultInstance()).getNodeGroupsList().stream()
                        .collect(Collectors.toMap(NodeGroup::getId, g -> g));
        assertThat(groups).containsOnlyKeys("cx22-fsn1", "cax11-fsn1", "floor-fsn1", "broken-fsn1");
        assertThat(groups.get("cx22-fsn1").getMinSize()).isZero();
        assertThat(groups.get("cx22-fsn1").getMaxSize()).isEqualTo(3);
        assertThat(groups.get("floor-fsn1").getMinSize()).isEqualTo(1);
        for (String id : groups.keySet()) {
            assertThat(ca().nodeGroupTargetSize(NodeGroupTargetSizeRequest.newBuilder()
                                    .setId(id)
                                    .build())
                            .getTargetSize())
                    .as("target of " + id)
                    .isGreaterThanOrEqualTo(0);
            ca().nodeGroupNodes(NodeGroupNodesRequest.newBuilder().setId(id).build());
        }
        assertThat(targetSize("cx22-fsn1")).isZero();
        assertThat(instances("cx22-fsn1")).isEmpty();

        NodeGroupAutoscalingOptions options = ca().nodeGroupGetOptions(NodeGroupAutoscalingOptionsRequest.newBuilder()
                        .setId("cx22-fsn1")
                        .setDefaults(caFlags())
                        .build())
                .getNodeGroupAutoscalingOptions();
        assertThat(options.getScaleDownUtilizationThreshold()).isEqualTo(0.5);
        assertThat(options.getScaleDownUnneededDuration().getSeconds()).isEqualTo(600);
        assertThat(options.getScaleDownUnneededTime().getDuration())
                .isEqualTo(Duration.ofMinutes(10).toNanos());
        assertThat(options.getScaleDownUnreadyDuration().getSeconds()).isPositive();
        assertThat(options.getScaleDownUnreadyTime().getDuration()).isPositive();
        assertThat(options.getMaxNodeProvisionDuration().getSeconds()).isPositive();
        assertThat(options.getMaxNodeProvisionTime().getDuration()).isPositive();

        Node template = await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .until(() -> templateNode("cx22-fsn1"), node -> node != null);
        assertThat(template.getStatus().getCapacityOrThrow("cpu").getString()).isEqualTo("2");
        assertThat(template.getStatus().getCapacityOrThrow("pods").getString()).isEqualTo("110");
        assertThat(template.getMetadata().getLabelsMap())
                .containsEntry("kubernetes.io/arch", "amd64")
                .containsEntry("kubernetes.io/os", "linux")
                .containsEntry("node.kubernetes.io/instance-type", "cx22");
        assertThat(template.getStatus().getConditionsList()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getStatus()).isEqualTo("True");
        });

        // Scale-up: answered at once, servers are created in the background.
        ca().nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest.newBuilder()
                .setId("cx22-fsn1")
                .setDelta(2)
                .build());
        assertThat(targetSize("cx22-fsn1")).isEqualTo(2);
        assertThat(instances("cx22-fsn1"))
                .hasSize(2)
                .allSatisfy(
                        i -> assertThat(i.getStatus().getInstanceState()).isEqualTo(InstanceState.instanceCreating));

        List<Instance> running = await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> instances("cx22-fsn1"),
                        list -> list.size() == 2
                                && list.stream()
                                        .allMatch(i -> i.getId().startsWith("hcloud://")
                                                && i.getStatus().getInstanceState() == InstanceState.instanceRunning));
        assertThat(targetSize("cx22-fsn1")).isEqualTo(2);

        // Every node CA sees is matched: by providerID, by name (kubelet registered without providerID), and
        // nodes that are not ours get an empty id.
        for (Instance instance : running) {
            assertThat(groupOf(instance.getId(), "")).isEqualTo("cx22-fsn1");
            String serverName = serverName(instance);
            assertThat(groupOf("", serverName)).isEqualTo("cx22-fsn1");
            ((InMemoryNodeDirectory) nodeDirectory).register(serverName, Map.of("kubernetes.io/arch", "amd64"));
        }
        assertThat(groupOf("", "control-plane-1")).isEmpty();
        assertThat(groupOf("talos://bare-metal-7", "bare-metal-7")).isEmpty();
        assertThat(groupOf("hcloud://999999999", "")).isEmpty();

        // Pricing of one of our nodes, prorated over the window.
        Instant start = Instant.parse("2026-11-26T00:00:00Z");
        double oneHour = nodePrice(running.get(0).getId(), start, start.plus(Duration.ofHours(1)));
        double twoHours = nodePrice(running.get(0).getId(), start, start.plus(Duration.ofHours(2)));
        assertThat(oneHour).isPositive();
        assertThat(twoHours).isCloseTo(2 * oneHour, org.assertj.core.data.Offset.offset(1e-9));

        // Nothing pending any more: the target cannot drop below the registered servers.
        assertStatus(
                () -> ca().nodeGroupDecreaseTargetSize(NodeGroupDecreaseTargetSizeRequest.newBuilder()
                        .setId("cx22-fsn1")
                        .setDelta(-1)
                        .build()),
                Status.Code.FAILED_PRECONDITION,
                "NodeGroupDeleteNodes");
        // Above max: 2 + 2 > 3.
        assertStatus(
                () -> ca().nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest.newBuilder()
                        .setId("cx22-fsn1")
                        .setDelta(2)
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "maximum of 3");
        assertThat(targetSize("cx22-fsn1")).isEqualTo(2);

        // Scale-down: CA drained the node and deletes it.
        Instance victim = running.get(0);
        ca().nodeGroupDeleteNodes(NodeGroupDeleteNodesRequest.newBuilder()
                .setId("cx22-fsn1")
                .addNodes(ExternalGrpcNode.newBuilder()
                        .setProviderID(victim.getId())
                        .setName(serverName(victim)))
                .build());
        assertThat(targetSize("cx22-fsn1")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(60))
                .until(() ->
                        instances("cx22-fsn1").stream().noneMatch(i -> i.getId().equals(victim.getId())));

        ca().cleanup(CleanupRequest.getDefaultInstance());
    }

    @Test
    void failedCreationsAreReportedSoCaBacksOffAndCancelsThem() {
        // Hetzner refuses the next two creations for good (not retryable): the only creations of this test
        simulator()
                .faults()
                .failNext("POST", "/servers", 2, 422, "invalid_input", "image 300000003 cannot be used with cpx11");
        ca().nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest.newBuilder()
                .setId("broken-fsn1")
                .setDelta(2)
                .build());

        List<Instance> failed = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> instances("broken-fsn1"),
                        list -> list.size() == 2
                                && list.stream().allMatch(i -> i.getStatus().hasErrorInfo()));
        assertThat(failed).allSatisfy(i -> {
            assertThat(i.getStatus().getInstanceState()).isEqualTo(InstanceState.instanceCreating);
            assertThat(i.getStatus().getErrorInfo().getErrorCode()).isNotEmpty();
            assertThat(i.getStatus().getErrorInfo().getErrorMessage()).contains("cannot be used with cpx11");
            assertThat(i.getStatus().getErrorInfo().getInstanceErrorClass()).isEqualTo(99);
        });
        // CA's fake node for a failed instance: name == providerID == instance id.
        assertThat(groupOf(failed.get(0).getId(), failed.get(0).getId())).isEqualTo("broken-fsn1");

        ca().nodeGroupDecreaseTargetSize(NodeGroupDecreaseTargetSizeRequest.newBuilder()
                .setId("broken-fsn1")
                .setDelta(-2)
                .build());
        assertThat(targetSize("broken-fsn1")).isZero();
        assertThat(instances("broken-fsn1")).isEmpty();
    }

    @Test
    void deletingBelowMinIsRefused() {
        ca().nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest.newBuilder()
                .setId("floor-fsn1")
                .setDelta(1)
                .build());
        Instance only = await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> instances("floor-fsn1"),
                        list -> list.size() == 1 && list.get(0).getId().startsWith("hcloud://"))
                .get(0);

        assertStatus(
                () -> ca().nodeGroupDeleteNodes(NodeGroupDeleteNodesRequest.newBuilder()
                        .setId("floor-fsn1")
                        .addNodes(ExternalGrpcNode.newBuilder().setProviderID(only.getId()))
                        .build()),
                Status.Code.FAILED_PRECONDITION,
                "below its minimum of 1");
        assertThat(targetSize("floor-fsn1")).isEqualTo(1);
    }

    @Test
    void badRequestsGetActionableErrors() {
        for (Runnable call : List.<Runnable>of(
                () -> ca().nodeGroupTargetSize(NodeGroupTargetSizeRequest.newBuilder()
                        .setId("nope")
                        .build()),
                () -> ca().nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest.newBuilder()
                        .setId("nope")
                        .setDelta(1)
                        .build()),
                () -> ca().nodeGroupNodes(
                                NodeGroupNodesRequest.newBuilder().setId("nope").build()),
                () -> ca().nodeGroupTemplateNodeInfo(NodeGroupTemplateNodeInfoRequest.newBuilder()
                        .setId("nope")
                        .build()),
                () -> ca().nodeGroupGetOptions(NodeGroupAutoscalingOptionsRequest.newBuilder()
                        .setId("nope")
                        .build()),
                () -> ca().nodeGroupDecreaseTargetSize(NodeGroupDecreaseTargetSizeRequest.newBuilder()
                        .setId("nope")
                        .setDelta(-1)
                        .build()))) {
            assertStatus(call::run, Status.Code.NOT_FOUND, "node group 'nope' does not exist");
        }
        assertStatus(
                () -> ca().nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest.newBuilder()
                        .setId("cax11-fsn1")
                        .setDelta(0)
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "delta must be positive");
        assertStatus(
                () -> ca().nodeGroupDecreaseTargetSize(NodeGroupDecreaseTargetSizeRequest.newBuilder()
                        .setId("cax11-fsn1")
                        .setDelta(1)
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "delta must be negative");
        assertStatus(
                () -> ca().nodeGroupDeleteNodes(NodeGroupDeleteNodesRequest.newBuilder()
                        .setId("cax11-fsn1")
                        .addNodes(ExternalGrpcNode.newBuilder().setName("control-plane-1"))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "control-plane-1");
        assertStatus(
                () -> ca().pricingNodePrice(PricingNodePriceRequest.newBuilder()
                        .setNode(ExternalGrpcNode.newBuilder().setName("x"))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "startTimestamp");
    }

    @Test
    void nodeOfAnotherGroupIsRefused() {
        ca().nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest.newBuilder()
                .setId("cax11-fsn1")
                .setDelta(1)
                .build());
        int target = targetSize("cax11-fsn1");
        // the newest instance is this test's (other tests share the group and may be deleting theirs)
        List<Instance> armInstances = instances("cax11-fsn1");
        Instance arm = armInstances.get(armInstances.size() - 1);

        assertStatus(
                () -> ca().nodeGroupDeleteNodes(NodeGroupDeleteNodesRequest.newBuilder()
                        .setId("cx22-fsn1")
                        .addNodes(ExternalGrpcNode.newBuilder()
                                .setProviderID(arm.getId())
                                .setName(arm.getId()))
                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "belongs to node group 'cax11-fsn1'");
        // Nothing was deleted or cancelled (the instance id may have turned from placeholder to hcloud:// meanwhile).
        assertThat(targetSize("cax11-fsn1")).isEqualTo(target);
        assertThat(instances("cax11-fsn1"))
                .hasSize(target)
                .noneMatch(i -> i.getStatus().getInstanceState() == InstanceState.instanceDeleting);
    }

    @Test
    void gpuLabelAndTypes() {
        assertThat(ca().gPULabel(GPULabelRequest.getDefaultInstance()).getLabel())
                .isEqualTo("hcloud/gpu-node");
        assertThat(ca().getAvailableGPUTypes(GetAvailableGPUTypesRequest.getDefaultInstance())
                        .getGpuTypesMap())
                .isEmpty();
    }

    // ------------------------------------------------------------------------------------------ helpers

    static NodeGroupAutoscalingOptions caFlags() {
        return NodeGroupAutoscalingOptions.newBuilder()
                .setScaleDownUtilizationThreshold(0.5)
                .setScaleDownGpuUtilizationThreshold(0.5)
                .setScaleDownUnneededDuration(
                        com.google.protobuf.Duration.newBuilder().setSeconds(600))
                .setScaleDownUnreadyDuration(
                        com.google.protobuf.Duration.newBuilder().setSeconds(1200))
                .setMaxNodeProvisionDuration(
                        com.google.protobuf.Duration.newBuilder().setSeconds(900))
                .build();
    }

    private int targetSize(String id) {
        return ca().nodeGroupTargetSize(
                        NodeGroupTargetSizeRequest.newBuilder().setId(id).build())
                .getTargetSize();
    }

    private List<Instance> instances(String id) {
        return ca().nodeGroupNodes(NodeGroupNodesRequest.newBuilder().setId(id).build())
                .getInstancesList();
    }

    private Node templateNode(String id) throws Exception {
        NodeGroupTemplateNodeInfoResponse response = ca().nodeGroupTemplateNodeInfo(
                        NodeGroupTemplateNodeInfoRequest.newBuilder().setId(id).build());
        return Node.parseFrom(response.getNodeBytes());
    }

    private String groupOf(String providerId, String name) {
        return ca().nodeGroupForNode(NodeGroupForNodeRequest.newBuilder()
                        .setNode(ExternalGrpcNode.newBuilder()
                                .setProviderID(providerId)
                                .setName(name))
                        .build())
                .getNodeGroup()
                .getId();
    }

    private double nodePrice(String providerId, Instant start, Instant end) {
        return ca().pricingNodePrice(PricingNodePriceRequest.newBuilder()
                        .setNode(ExternalGrpcNode.newBuilder().setProviderID(providerId))
                        .setStartTimestamp(Timestamp.newBuilder().setSeconds(start.getEpochSecond()))
                        .setEndTimestamp(Timestamp.newBuilder().setSeconds(end.getEpochSecond()))
                        .build())
                .getPrice();
    }

    private dev.talosburst.hcloudsim.HcloudSimulator simulator() {
        return hetzner.local().unwrap(dev.talosburst.hcloudsim.HcloudSimulator.class);
    }

    private String serverName(Instance instance) {
        long id = Long.parseLong(instance.getId().substring("hcloud://".length()));
        return simulator().inspect().server(id).orElseThrow().name();
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    static void assertStatus(ThrowingCall call, Status.Code code, String messagePart) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(messagePart);
        });
    }
}
