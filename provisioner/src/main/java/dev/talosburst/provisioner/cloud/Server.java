package dev.talosburst.provisioner.cloud;

import java.time.Instant;
import java.util.Map;

/**
 * A Hetzner server as talos-burst sees it.
 *
 * @param imageId null when the server has no image (e.g. ISO boot)
 * @param publicIpv4 null when disabled
 * @param publicIpv6 the /64 network, null when disabled
 */
public record Server(
        long id,
        String name,
        ServerStatus status,
        Instant created,
        String serverType,
        String location,
        Long imageId,
        Map<String, String> labels,
        String publicIpv4,
        String publicIpv6) {

    public Server {
        labels = Map.copyOf(labels == null ? Map.of() : labels);
    }
}
