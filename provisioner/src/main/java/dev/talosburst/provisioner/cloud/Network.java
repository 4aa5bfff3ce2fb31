package dev.talosburst.provisioner.cloud;

import java.util.Map;

/** A Hetzner private network. */
public record Network(long id, String name, String ipRange, Map<String, String> labels) {
    public Network {
        labels = Map.copyOf(labels == null ? Map.of() : labels);
    }
}
