package dev.talosburst.autoscaler.grpc;

import dev.talosburst.proto.externalgrpc.ExternalGrpcNode;
import dev.talosburst.proto.externalgrpc.Instance;
import dev.talosburst.proto.externalgrpc.InstanceErrorInfo;
import dev.talosburst.proto.externalgrpc.InstanceStatus;
import dev.talosburst.proto.externalgrpc.NodeGroup;
import dev.talosburst.proto.externalgrpc.NodeGroupNodesResponse;
import dev.talosburst.proto.externalgrpc.NodeGroupsResponse;
import dev.talosburst.provisioner.nodegroup.InstanceView;
import dev.talosburst.provisioner.nodegroup.NodeGroupSummary;
import dev.talosburst.provisioner.nodegroup.NodeRef;
import java.util.List;

/** Conversions between externalgrpc messages and the domain's node-group records. */
public final class NodeGroupMessages {

    private NodeGroupMessages() {}

    /** A node group as CA sees it. */
    public static NodeGroup toMessage(NodeGroupSummary group) {
        return NodeGroup.newBuilder()
                .setId(group.id())
                .setMinSize(group.minSize())
                .setMaxSize(group.maxSize())
                .setDebug(group.debug() == null ? "" : group.debug())
                .build();
    }

    /** The NodeGroups answer listing {@code groups}. */
    public static NodeGroupsResponse groupsAnswer(List<NodeGroupSummary> groups) {
        NodeGroupsResponse.Builder response = NodeGroupsResponse.newBuilder();
        groups.forEach(group -> response.addNodeGroups(toMessage(group)));
        return response.build();
    }

    /** The NodeGroupNodes answer listing {@code instances}. */
    public static NodeGroupNodesResponse nodesAnswer(List<InstanceView> instances) {
        NodeGroupNodesResponse.Builder response = NodeGroupNodesResponse.newBuilder();
        instances.forEach(instance -> response.addInstances(toMessage(instance)));
        return response.build();
    }

    /** The answer for a node that is not ours: a group with an empty id (CA then leaves the node alone). */
    public static NodeGroup noGroup() {
        return NodeGroup.getDefaultInstance();
    }

    /** A node from a request. */
    public static NodeRef toRef(ExternalGrpcNode node) {
        return new NodeRef(node.getProviderID(), node.getName(), node.getLabelsMap(), node.getAnnotationsMap());
    }

    /** An instance with its state, and the error only for a failed creation (CA backs off on it). */
    public static Instance toMessage(InstanceView instance) {
        InstanceStatus.Builder status = InstanceStatus.newBuilder()
                .setInstanceState(
                        switch (instance.state()) {
                            case RUNNING -> InstanceStatus.InstanceState.instanceRunning;
                            case CREATING -> InstanceStatus.InstanceState.instanceCreating;
                            case DELETING -> InstanceStatus.InstanceState.instanceDeleting;
                        });
        instance.error()
                .ifPresent(error -> status.setErrorInfo(InstanceErrorInfo.newBuilder()
                        .setErrorCode(error.code() == null || error.code().isEmpty() ? "unknown" : error.code())
                        .setErrorMessage(error.message() == null ? "" : error.message())
                        .setInstanceErrorClass(error.errorClass().code())));
        return Instance.newBuilder().setId(instance.id()).setStatus(status).build();
    }
}
