package dev.talosburst.hcloudsim;

import java.util.List;
import java.util.Objects;

/**
 * One firewall rule.
 *
 * @param direction {@code in} or {@code out}
 * @param protocol  {@code tcp}, {@code udp}, {@code icmp}, {@code esp} or {@code gre}
 * @param port      port or range ({@code "51820"}, {@code "80-85"}, {@code "any"}) for tcp/udp, else {@code null}
 */
public record SimulatedFirewallRule(
        String direction,
        String protocol,
        String port,
        List<String> sourceIps,
        List<String> destinationIps,
        String description) {

    /** Validates the rule. */
    public SimulatedFirewallRule {
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(protocol, "protocol");
        sourceIps = List.copyOf(sourceIps);
        destinationIps = List.copyOf(destinationIps);
    }

    /** An inbound rule from anywhere (IPv4 and IPv6). */
    public static SimulatedFirewallRule inboundFromAnywhere(String protocol, String port, String description) {
        return new SimulatedFirewallRule("in", protocol, port, List.of("0.0.0.0/0", "::/0"), List.of(), description);
    }
}
