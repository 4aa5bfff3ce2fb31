package dev.talosburst.provisioner.nodegroup;

import java.util.Map;

/**
 * A Kubernetes node as CA describes it in a request.
 *
 * @param providerId {@code spec.providerID}, possibly empty
 */
public record NodeRef(String providerId, String name, Map<String, String> labels, Map<String, String> annotations) {
    public NodeRef {
        providerId = providerId == null ? "" : providerId;
        name = name == null ? "" : name;
        labels = Map.copyOf(labels == null ? Map.of() : labels);
        annotations = Map.copyOf(annotations == null ? Map.of() : annotations);
    }

    public static NodeRef of(String providerId, String name) {
        return new NodeRef(providerId, name, Map.of(), Map.of());
    }
}
