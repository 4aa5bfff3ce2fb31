package dev.talosburst.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import dev.talosburst.proto.externalgrpc.CloudProviderGrpc;
import dev.talosburst.proto.externalgrpc.ExternalGrpcProto;
import io.grpc.MethodDescriptor.MethodType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The generated externalgrpc descriptors against a table written by hand from
 * {@code shared/contracts/externalgrpc.md}: any drift in a name, number, type or label fails here.
 */
class ExternalGrpcContractTest {

    private static final String PACKAGE = "clusterautoscaler.cloudprovider.v1.externalgrpc";
    private static final String TIME = "k8s.io.apimachinery.pkg.apis.meta.v1.Time";
    private static final String K8S_DURATION = "k8s.io.apimachinery.pkg.apis.meta.v1.Duration";
    private static final String NODE = "k8s.io.api.core.v1.Node";
    private static final String POD = "k8s.io.api.core.v1.Pod";
    private static final String TIMESTAMP = "google.protobuf.Timestamp";
    private static final String DURATION = "google.protobuf.Duration";

    /** RPC name → request type, response type (contract: "RPCs (all unary)"). */
    private static final Map<String, String> RPCS = new LinkedHashMap<>();
    /** Message name → its fields as "name=number type" (contract: "Messages"). */
    private static final Map<String, String> MESSAGES = new TreeMap<>();

    static {
        for (String rpc : List.of(
                "NodeGroups",
                "NodeGroupForNode",
                "PricingNodePrice",
                "PricingPodPrice",
                "GPULabel",
                "GetAvailableGPUTypes",
                "Cleanup",
                "Refresh",
                "NodeGroupTargetSize",
                "NodeGroupIncreaseSize",
                "NodeGroupDeleteNodes",
                "NodeGroupDecreaseTargetSize",
                "NodeGroupNodes",
                "NodeGroupTemplateNodeInfo")) {
            RPCS.put(rpc, rpc + "Request -> " + rpc + "Response");
        }
        RPCS.put("NodeGroupGetOptions", "NodeGroupAutoscalingOptionsRequest -> NodeGroupAutoscalingOptionsResponse");

        MESSAGES.put("NodeGroup", "id=1 string; minSize=2 int32; maxSize=3 int32; debug=4 string");
        MESSAGES.put(
                "ExternalGrpcNode",
                "providerID=1 string; name=2 string; labels=3 map<string,string>; "
                        + "annotations=4 map<string,string>");
        MESSAGES.put("NodeGroupsRequest", "");
        MESSAGES.put("NodeGroupsResponse", "nodeGroups=1 repeated NodeGroup");
        MESSAGES.put("NodeGroupForNodeRequest", "node=1 ExternalGrpcNode");
        MESSAGES.put("NodeGroupForNodeResponse", "nodeGroup=1 NodeGroup");
        MESSAGES.put(
                "PricingNodePriceRequest",
                "node=1 ExternalGrpcNode; startTime=2 " + TIME + "; endTime=3 " + TIME + "; startTimestamp=4 "
                        + TIMESTAMP + "; endTimestamp=5 " + TIMESTAMP);
        MESSAGES.put("PricingNodePriceResponse", "price=1 double");
        MESSAGES.put(
                "PricingPodPriceRequest",
                "pod=1 " + POD + "; startTime=2 " + TIME + "; endTime=3 " + TIME
                        + "; pod_bytes=4 bytes; startTimestamp=5 " + TIMESTAMP + "; endTimestamp=6 " + TIMESTAMP);
        MESSAGES.put("PricingPodPriceResponse", "price=1 double");
        MESSAGES.put("GPULabelRequest", "");
        MESSAGES.put("GPULabelResponse", "label=1 string");
        MESSAGES.put("GetAvailableGPUTypesRequest", "");
        MESSAGES.put("GetAvailableGPUTypesResponse", "gpuTypes=1 map<string,google.protobuf.Any>");
        MESSAGES.put("CleanupRequest", "");
        MESSAGES.put("CleanupResponse", "");
        MESSAGES.put("RefreshRequest", "");
        MESSAGES.put("RefreshResponse", "");
        MESSAGES.put("NodeGroupTargetSizeRequest", "id=1 string");
        MESSAGES.put("NodeGroupTargetSizeResponse", "targetSize=1 int32");
        MESSAGES.put("NodeGroupIncreaseSizeRequest", "delta=1 int32; id=2 string");
        MESSAGES.put("NodeGroupIncreaseSizeResponse", "");
        MESSAGES.put("NodeGroupDeleteNodesRequest", "nodes=1 repeated ExternalGrpcNode; id=2 string");
        MESSAGES.put("NodeGroupDeleteNodesResponse", "");
        MESSAGES.put("NodeGroupDecreaseTargetSizeRequest", "delta=1 int32; id=2 string");
        MESSAGES.put("NodeGroupDecreaseTargetSizeResponse", "");
        MESSAGES.put("NodeGroupNodesRequest", "id=1 string");
        MESSAGES.put("NodeGroupNodesResponse", "instances=1 repeated Instance");
        MESSAGES.put("Instance", "id=1 string; status=2 InstanceStatus");
        MESSAGES.put(
                "InstanceStatus", "instanceState=1 enum InstanceStatus.InstanceState; errorInfo=2 InstanceErrorInfo");
        MESSAGES.put("InstanceErrorInfo", "errorCode=1 string; errorMessage=2 string; instanceErrorClass=3 int32");
        MESSAGES.put("NodeGroupTemplateNodeInfoRequest", "id=1 string");
        MESSAGES.put("NodeGroupTemplateNodeInfoResponse", "nodeInfo=1 " + NODE + "; nodeBytes=2 bytes");
        MESSAGES.put(
                "NodeGroupAutoscalingOptions",
                "scaleDownUtilizationThreshold=1 double; "
                        + "scaleDownGpuUtilizationThreshold=2 double; scaleDownUnneededTime=3 " + K8S_DURATION
                        + "; scaleDownUnreadyTime=4 " + K8S_DURATION + "; MaxNodeProvisionTime=5 " + K8S_DURATION
                        + "; zeroOrMaxNodeScaling=6 bool; ignoreDaemonSetsUtilization=7 bool; scaleDownUnneededDuration=8 "
                        + DURATION + "; scaleDownUnreadyDuration=9 " + DURATION + "; MaxNodeProvisionDuration=10 "
                        + DURATION);
        MESSAGES.put("NodeGroupAutoscalingOptionsRequest", "id=1 string; defaults=2 NodeGroupAutoscalingOptions");
        MESSAGES.put(
                "NodeGroupAutoscalingOptionsResponse", "nodeGroupAutoscalingOptions=1 NodeGroupAutoscalingOptions");
    }

    private static final FileDescriptor FILE = ExternalGrpcProto.getDescriptor();

    @Test
    void fileIsProto3InUpstreamPackage() {
        assertEquals("proto3", FILE.toProto().getSyntax());
        assertEquals(PACKAGE, FILE.getPackage());
    }

    @Test
    void serviceHasExactlyTheFifteenUnaryRpcs() {
        assertEquals(1, FILE.getServices().size(), "one service");
        ServiceDescriptor service = FILE.getServices().get(0);
        assertEquals(PACKAGE + ".CloudProvider", service.getFullName());
        Map<String, String> actual = new LinkedHashMap<>();
        for (MethodDescriptor method : service.getMethods()) {
            actual.put(
                    method.getName(),
                    relative(method.getInputType().getFullName()) + " -> "
                            + relative(method.getOutputType().getFullName()));
            assertEquals(
                    false,
                    method.isClientStreaming() || method.isServerStreaming(),
                    method.getName() + " must be unary");
        }
        assertEquals(RPCS, actual);
        assertEquals(15, actual.size());
    }

    @Test
    void grpcMethodPathsAreUpstreams() {
        assertEquals(
                PACKAGE + ".CloudProvider/NodeGroupGetOptions",
                CloudProviderGrpc.getNodeGroupGetOptionsMethod().getFullMethodName());
        assertEquals(
                PACKAGE + ".CloudProvider/NodeGroupTemplateNodeInfo",
                CloudProviderGrpc.getNodeGroupTemplateNodeInfoMethod().getFullMethodName());
        assertEquals(MethodType.UNARY, CloudProviderGrpc.getRefreshMethod().getType());
        assertEquals(15, CloudProviderGrpc.getServiceDescriptor().getMethods().size());
    }

    @Test
    void everyMessageHasExactlyTheContractsFields() {
        Map<String, String> actual = new TreeMap<>();
        List<Descriptor> all = new ArrayList<>();
        collect(FILE.getMessageTypes(), all);
        for (Descriptor message : all) {
            actual.put(
                    relative(message.getFullName()),
                    message.getFields().stream()
                            .map(ExternalGrpcContractTest::describe)
                            .collect(Collectors.joining("; ")));
        }
        // Compare message by message so a failure names the message that drifted.
        assertEquals(MESSAGES.keySet(), actual.keySet(), "message names");
        for (String name : MESSAGES.keySet()) {
            assertEquals(normalise(MESSAGES.get(name)), normalise(actual.get(name)), "fields of " + name);
        }
    }

    @Test
    void instanceStateEnumHasUpstreamNumbers() {
        var state = FILE.findMessageTypeByName("InstanceStatus").findEnumTypeByName("InstanceState");
        Map<String, Integer> actual = new LinkedHashMap<>();
        state.getValues().forEach(v -> actual.put(v.getName(), v.getNumber()));
        assertEquals(
                Map.of("unspecified", 0, "instanceRunning", 1, "instanceCreating", 2, "instanceDeleting", 3), actual);
    }

    private static void collect(List<Descriptor> messages, List<Descriptor> into) {
        for (Descriptor message : messages) {
            if (message.getOptions().getMapEntry()) {
                continue;
            }
            into.add(message);
            collect(message.getNestedTypes(), into);
        }
    }

    private static String describe(FieldDescriptor field) {
        return field.getName() + "=" + field.getNumber() + " " + type(field);
    }

    private static String type(FieldDescriptor field) {
        if (field.isMapField()) {
            Descriptor entry = field.getMessageType();
            return "map<" + scalarOrMessage(entry.findFieldByName("key")) + ","
                    + scalarOrMessage(entry.findFieldByName("value")) + ">";
        }
        return (field.isRepeated() ? "repeated " : "") + scalarOrMessage(field);
    }

    private static String scalarOrMessage(FieldDescriptor field) {
        return switch (field.getType()) {
            case MESSAGE -> relative(field.getMessageType().getFullName());
            case ENUM -> "enum " + relative(field.getEnumType().getFullName());
            default -> field.getType().name().toLowerCase();
        };
    }

    private static String relative(String fullName) {
        return fullName.startsWith(PACKAGE + ".") ? fullName.substring(PACKAGE.length() + 1) : fullName;
    }

    private static String normalise(String fields) {
        return Arrays.stream(fields.split(";"))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .sorted()
                .collect(Collectors.joining("; "));
    }
}
