package dev.talosburst.provisioner.cloud;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to create: the body of {@code POST /servers}.
 *
 * @param image image id (digits) or name
 * @param userData Talos worker config; secret: never logged, never in {@link #toString()}
 * @param placementGroupId null for none
 */
public record ServerSpec(
        String name,
        String serverType,
        String location,
        String image,
        String userData,
        Map<String, String> labels,
        List<Long> firewallIds,
        List<Long> networkIds,
        Long placementGroupId,
        boolean enableIpv4,
        boolean enableIpv6,
        boolean startAfterCreate) {

    public ServerSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(serverType, "serverType");
        Objects.requireNonNull(image, "image");
        labels = Map.copyOf(labels == null ? Map.of() : labels);
        firewallIds = List.copyOf(firewallIds == null ? List.of() : firewallIds);
        networkIds = List.copyOf(networkIds == null ? List.of() : networkIds);
    }

    @Override
    public String toString() {
        return "ServerSpec[name=" + name + ", serverType=" + serverType + ", location=" + location + ", image=" + image
                + ", userData=<" + (userData == null ? 0 : userData.length()) + " chars redacted>, labels=" + labels
                + ", firewallIds=" + firewallIds + ", networkIds=" + networkIds + ", placementGroupId="
                + placementGroupId
                + ", enableIpv4=" + enableIpv4 + ", enableIpv6=" + enableIpv6 + ", startAfterCreate=" + startAfterCreate
                + "]";
    }
}
