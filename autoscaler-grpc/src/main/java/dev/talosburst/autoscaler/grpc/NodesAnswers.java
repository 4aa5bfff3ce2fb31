package dev.talosburst.autoscaler.grpc;

import dev.talosburst.proto.externalgrpc.NodeGroupNodesResponse;
import dev.talosburst.provisioner.nodegroup.InstanceView;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last {@code NodeGroupNodes} answer per pool, given again while the pool's instances are equal to those it was
 * built from: cluster-autoscaler asks for every pool in every loop, and between two loops almost nothing changes, so
 * the answer is compared (cheap) rather than built again (a message per instance).
 */
final class NodesAnswers {

    private record Answer(List<InstanceView> instances, NodeGroupNodesResponse response) {}

    /** One entry per configured pool that was asked for (a bounded set). */
    private final Map<String, Answer> last = new ConcurrentHashMap<>();

    /** The answer for {@code instances} of {@code pool}: the last one when they are equal, else a new one. */
    NodeGroupNodesResponse answer(String pool, List<InstanceView> instances) {
        Answer previous = last.get(pool);
        if (previous != null && previous.instances().equals(instances)) {
            return previous.response();
        }
        NodeGroupNodesResponse.Builder response = NodeGroupNodesResponse.newBuilder();
        instances.forEach(instance -> response.addInstances(NodeGroupMessages.toMessage(instance)));
        NodeGroupNodesResponse built = response.build();
        last.put(pool, new Answer(List.copyOf(instances), built));
        return built;
    }
}
