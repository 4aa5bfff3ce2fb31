package dev.talosburst.provisioner.cloud;

import java.util.List;

/**
 * One firewall rule.
 *
 * @param direction {@code in} or {@code out}
 * @param protocol {@code tcp}, {@code udp}, {@code icmp}, {@code esp}, {@code gre}
 * @param port e.g. {@code 51820}, null for protocols without ports
 */
public record FirewallRule(
        String direction,
        String protocol,
        String port,
        List<String> sourceIps,
        List<String> destinationIps,
        String description) {
    public FirewallRule {
        sourceIps = List.copyOf(sourceIps == null ? List.of() : sourceIps);
        destinationIps = List.copyOf(destinationIps == null ? List.of() : destinationIps);
    }
}
