package dev.talosburst.provisioner.cloud;

import java.util.List;
import java.util.Map;

/** What to create: the body of {@code POST /firewalls}. */
public record FirewallSpec(String name, Map<String, String> labels, List<FirewallRule> rules) {
    public FirewallSpec {
        labels = Map.copyOf(labels == null ? Map.of() : labels);
        rules = List.copyOf(rules == null ? List.of() : rules);
    }
}
