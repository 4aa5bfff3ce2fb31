package dev.talosburst.provisioner.directory;

import java.time.Instant;
import java.util.Map;

/**
 * A Kubernetes Node as the domain sees it.
 *
 * @param providerId {@code spec.providerID}, empty when unset
 * @param createdAt the Node object's creation timestamp
 */
public record KubeNode(String name, String providerId, boolean ready, Instant createdAt, Map<String, String> labels) {
    public KubeNode {
        providerId = providerId == null ? "" : providerId;
        labels = Map.copyOf(labels == null ? Map.of() : labels);
    }
}
