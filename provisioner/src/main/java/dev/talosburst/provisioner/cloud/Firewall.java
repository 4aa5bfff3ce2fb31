package dev.talosburst.provisioner.cloud;

import java.util.List;
import java.util.Map;

/** A Hetzner firewall. */
public record Firewall(long id, String name, Map<String, String> labels, List<FirewallRule> rules) {
    public Firewall {
        labels = Map.copyOf(labels == null ? Map.of() : labels);
        rules = List.copyOf(rules == null ? List.of() : rules);
    }
}
