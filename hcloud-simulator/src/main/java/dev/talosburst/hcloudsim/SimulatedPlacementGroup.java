package dev.talosburst.hcloudsim;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/** A placement group of type {@code spread}. */
public record SimulatedPlacementGroup(long id, String name, Map<String, String> labels, Instant created) {

    /** Validates the group. */
    public SimulatedPlacementGroup {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(created, "created");
        labels = Map.copyOf(labels);
    }
}
