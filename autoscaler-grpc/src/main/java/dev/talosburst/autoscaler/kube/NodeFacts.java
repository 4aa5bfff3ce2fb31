package dev.talosburst.autoscaler.kube;

import dev.talosburst.provisioner.directory.KubeNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/** Reads what the domain needs from a fabric8 {@link Node}: name, providerID, Ready condition, creation time, labels. */
final class NodeFacts {

    private NodeFacts() {}

    static KubeNode of(Node node, Instant fallbackCreatedAt) {
        return new KubeNode(
                node.getMetadata().getName(),
                providerId(node),
                isReady(node),
                createdAt(node, fallbackCreatedAt),
                node.getMetadata().getLabels());
    }

    /** {@code spec.providerID}, empty when unset. */
    static String providerId(Node node) {
        String id = node.getSpec() == null ? null : node.getSpec().getProviderID();
        return id == null ? "" : id;
    }

    /** True only when the Ready condition is {@code True}; False, Unknown and a missing condition are not ready. */
    static boolean isReady(Node node) {
        if (node.getStatus() == null) {
            return false;
        }
        List<NodeCondition> conditions = node.getStatus().getConditions();
        return conditions != null
                && conditions.stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static Instant createdAt(Node node, Instant fallback) {
        String stamp = node.getMetadata().getCreationTimestamp();
        if (stamp == null || stamp.isBlank()) {
            return fallback;
        }
        try {
            return Instant.parse(stamp);
        } catch (DateTimeParseException e) {
            return fallback;
        }
    }
}
