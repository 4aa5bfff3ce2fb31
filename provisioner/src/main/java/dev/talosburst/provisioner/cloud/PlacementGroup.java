package dev.talosburst.provisioner.cloud;

import java.util.List;
import java.util.Map;

/** A Hetzner placement group (type {@code spread}; at most 10 servers). */
public record PlacementGroup(long id, String name, String type, List<Long> serverIds, Map<String, String> labels) {
    public PlacementGroup {
        serverIds = List.copyOf(serverIds == null ? List.of() : serverIds);
        labels = Map.copyOf(labels == null ? Map.of() : labels);
    }
}
