package dev.talosburst.hcloudsim;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A firewall; it applies to servers that name it at creation and to servers matched by its label selectors.
 *
 * @param labelSelectors label selectors it is applied to (Hetzner's {@code apply_to} of type {@code label_selector})
 */
public record SimulatedFirewall(
        long id,
        String name,
        Map<String, String> labels,
        Instant created,
        List<SimulatedFirewallRule> rules,
        List<String> labelSelectors) {

    /** Validates the firewall. */
    public SimulatedFirewall {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(created, "created");
        labels = Map.copyOf(labels);
        rules = List.copyOf(rules);
        labelSelectors = List.copyOf(labelSelectors);
    }
}
