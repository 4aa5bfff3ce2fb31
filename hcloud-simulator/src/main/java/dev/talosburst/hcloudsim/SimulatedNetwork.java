package dev.talosburst.hcloudsim;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A private network with a single cloud subnet equal to its IPv4 range in one network zone.
 *
 * @param ipRange IPv4 CIDR such as {@code 10.0.0.0/16}
 */
public record SimulatedNetwork(
        long id, String name, String ipRange, String networkZone, Map<String, String> labels, Instant created) {

    /** Validates the network. */
    public SimulatedNetwork {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(ipRange, "ipRange");
        Objects.requireNonNull(networkZone, "networkZone");
        Objects.requireNonNull(created, "created");
        labels = Map.copyOf(labels);
        Ipv4.parseCidr(ipRange);
    }
}
