package dev.talosburst.autoscaler.grpc;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import dev.talosburst.proto.externalgrpc.ExternalGrpcProto;
import dev.talosburst.proto.k8s.core.v1.CoreProto;
import dev.talosburst.proto.k8s.meta.v1.MetaProto;

/**
 * The externalgrpc messages as one CA generation knows them, written from the field history in
 * {@code research/autoscaler.md} §1.4: CA 1.33–1.34.1 (Kubernetes-typed fields only) and CA 1.35–1.36 (bytes and
 * google.protobuf types only). Parsing our responses with these, and sending requests built with them, shows what a
 * client of that generation really gets.
 */
final class CaProtoGenerations {

    static final String NODE = ".k8s.io.api.core.v1.Node";
    static final String POD = ".k8s.io.api.core.v1.Pod";
    static final String TIME = ".k8s.io.apimachinery.pkg.apis.meta.v1.Time";
    static final String K8S_DURATION = ".k8s.io.apimachinery.pkg.apis.meta.v1.Duration";
    static final String GRPC_NODE = ".clusterautoscaler.cloudprovider.v1.externalgrpc.ExternalGrpcNode";

    /** CA 1.33.0 – 1.34.1. */
    static final FileDescriptor CA_1_33 = build("ca133", new DescriptorProto[] {
        message("NodeGroupTemplateNodeInfoResponse", field("nodeInfo", 1, NODE)),
        message(
                "NodeGroupAutoscalingOptions",
                scalar("scaleDownUtilizationThreshold", 1, Type.TYPE_DOUBLE),
                scalar("scaleDownGpuUtilizationThreshold", 2, Type.TYPE_DOUBLE),
                field("scaleDownUnneededTime", 3, K8S_DURATION),
                field("scaleDownUnreadyTime", 4, K8S_DURATION),
                field("MaxNodeProvisionTime", 5, K8S_DURATION),
                scalar("zeroOrMaxNodeScaling", 6, Type.TYPE_BOOL),
                scalar("ignoreDaemonSetsUtilization", 7, Type.TYPE_BOOL)),
        message(
                "NodeGroupAutoscalingOptionsRequest",
                scalar("id", 1, Type.TYPE_STRING),
                field("defaults", 2, ".ca133.NodeGroupAutoscalingOptions")),
        message(
                "NodeGroupAutoscalingOptionsResponse",
                field("nodeGroupAutoscalingOptions", 1, ".ca133.NodeGroupAutoscalingOptions")),
        message(
                "PricingNodePriceRequest",
                field("node", 1, GRPC_NODE),
                field("startTime", 2, TIME),
                field("endTime", 3, TIME)),
        message("PricingPodPriceRequest", field("pod", 1, POD), field("startTime", 2, TIME), field("endTime", 3, TIME)),
    });

    /** CA 1.35.0 – 1.36.x. */
    static final FileDescriptor CA_1_36 = build("ca136", new DescriptorProto[] {
        message("NodeGroupTemplateNodeInfoResponse", scalar("nodeBytes", 2, Type.TYPE_BYTES)),
        message(
                "NodeGroupAutoscalingOptions",
                scalar("scaleDownUtilizationThreshold", 1, Type.TYPE_DOUBLE),
                scalar("scaleDownGpuUtilizationThreshold", 2, Type.TYPE_DOUBLE),
                scalar("zeroOrMaxNodeScaling", 6, Type.TYPE_BOOL),
                scalar("ignoreDaemonSetsUtilization", 7, Type.TYPE_BOOL),
                field("scaleDownUnneededDuration", 8, ".google.protobuf.Duration"),
                field("scaleDownUnreadyDuration", 9, ".google.protobuf.Duration"),
                field("MaxNodeProvisionDuration", 10, ".google.protobuf.Duration")),
        message(
                "NodeGroupAutoscalingOptionsRequest",
                scalar("id", 1, Type.TYPE_STRING),
                field("defaults", 2, ".ca136.NodeGroupAutoscalingOptions")),
        message(
                "NodeGroupAutoscalingOptionsResponse",
                field("nodeGroupAutoscalingOptions", 1, ".ca136.NodeGroupAutoscalingOptions")),
        message(
                "PricingNodePriceRequest",
                field("node", 1, GRPC_NODE),
                field("startTimestamp", 4, ".google.protobuf.Timestamp"),
                field("endTimestamp", 5, ".google.protobuf.Timestamp")),
        message(
                "PricingPodPriceRequest",
                scalar("pod_bytes", 4, Type.TYPE_BYTES),
                field("startTimestamp", 5, ".google.protobuf.Timestamp"),
                field("endTimestamp", 6, ".google.protobuf.Timestamp")),
    });

    private CaProtoGenerations() {}

    static Descriptor type(FileDescriptor generation, String name) {
        return generation.findMessageTypeByName(name);
    }

    private static FileDescriptor build(String pkg, DescriptorProto[] messages) {
        FileDescriptorProto.Builder file = FileDescriptorProto.newBuilder()
                .setName(pkg + ".proto")
                .setPackage(pkg)
                .setSyntax("proto3")
                .addDependency(ExternalGrpcProto.getDescriptor().getName())
                .addDependency(CoreProto.getDescriptor().getName())
                .addDependency(MetaProto.getDescriptor().getName())
                .addDependency(com.google.protobuf.DurationProto.getDescriptor().getName())
                .addDependency(
                        com.google.protobuf.TimestampProto.getDescriptor().getName());
        for (DescriptorProto message : messages) {
            file.addMessageType(message);
        }
        try {
            return FileDescriptor.buildFrom(file.build(), new FileDescriptor[] {
                ExternalGrpcProto.getDescriptor(),
                CoreProto.getDescriptor(),
                MetaProto.getDescriptor(),
                com.google.protobuf.DurationProto.getDescriptor(),
                com.google.protobuf.TimestampProto.getDescriptor()
            });
        } catch (DescriptorValidationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DescriptorProto message(String name, FieldDescriptorProto... fields) {
        DescriptorProto.Builder message = DescriptorProto.newBuilder().setName(name);
        for (FieldDescriptorProto field : fields) {
            message.addField(field);
        }
        return message.build();
    }

    private static FieldDescriptorProto field(String name, int number, String messageType) {
        return FieldDescriptorProto.newBuilder()
                .setName(name)
                .setNumber(number)
                .setLabel(Label.LABEL_OPTIONAL)
                .setType(Type.TYPE_MESSAGE)
                .setTypeName(messageType)
                .build();
    }

    private static FieldDescriptorProto scalar(String name, int number, Type type) {
        return FieldDescriptorProto.newBuilder()
                .setName(name)
                .setNumber(number)
                .setLabel(Label.LABEL_OPTIONAL)
                .setType(type)
                .build();
    }
}
