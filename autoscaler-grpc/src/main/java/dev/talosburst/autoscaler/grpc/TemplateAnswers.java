package dev.talosburst.autoscaler.grpc;

import dev.talosburst.proto.externalgrpc.NodeGroupTemplateNodeInfoResponse;
import dev.talosburst.proto.k8s.core.v1.Node;
import dev.talosburst.provisioner.nodegroup.NodeTemplate;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last {@code NodeGroupTemplateNodeInfo} answer per pool, given again while the template is equal and the second it
 * is stamped with is the same (the Node's times have a resolution of one second): the answer would be the same bytes,
 * and building it means a Node message and its serialisation.
 */
final class TemplateAnswers {

    private record Answer(NodeTemplate template, long second, NodeGroupTemplateNodeInfoResponse response) {}

    /** One entry per configured pool that was asked for (a bounded set). */
    private final Map<String, Answer> last = new ConcurrentHashMap<>();

    /** The answer for {@code template} of {@code pool} at {@code now}. */
    NodeGroupTemplateNodeInfoResponse answer(String pool, NodeTemplate template, Instant now) {
        long second = now.getEpochSecond();
        Answer previous = last.get(pool);
        if (previous != null
                && previous.second() == second
                && previous.template().equals(template)) {
            return previous.response();
        }
        Node node = TemplateNodeBuilder.build(template, now);
        // Both generations: the embedded message for CA ≤ 1.34.1, the marshalled bytes for CA ≥ 1.34.2.
        NodeGroupTemplateNodeInfoResponse response = NodeGroupTemplateNodeInfoResponse.newBuilder()
                .setNodeInfo(node)
                .setNodeBytes(node.toByteString())
                .build();
        last.put(pool, new Answer(template, second, response));
        return response;
    }
}
