package dev.talosburst.hcloudsim;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the simulator holds about one server at one moment, for test assertions. Unlike the API it includes
 * the stored {@code userData}; {@link #toString()} leaves it out because it carries join secrets.
 */
public record ServerSnapshot(
        long id,
        String name,
        String status,
        Instant created,
        Map<String, String> labels,
        String serverType,
        String location,
        Long imageId,
        String userData,
        String publicIpv4,
        String publicIpv6,
        List<Long> networkIds,
        List<Long> firewallIds,
        Long placementGroupId) {

    @Override
    public String toString() {
        return "ServerSnapshot[id=" + id + ", name=" + name + ", status=" + status + ", created=" + created
                + ", labels="
                + labels + ", serverType=" + serverType + ", location=" + location + ", imageId=" + imageId
                + ", userData=" + (userData == null ? "none" : userData.length() + " chars") + ", publicIpv4="
                + publicIpv4
                + ", publicIpv6=" + publicIpv6 + ", networkIds=" + networkIds + ", firewallIds=" + firewallIds
                + ", placementGroupId=" + placementGroupId + "]";
    }
}
