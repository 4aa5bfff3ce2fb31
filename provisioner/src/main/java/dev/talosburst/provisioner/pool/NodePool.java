package dev.talosburst.provisioner.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A node pool: one Hetzner server type in one location, scaled by cluster-autoscaler between min and max.
 *
 * @param zone value of {@code topology.kubernetes.io/zone} on the template; defaults to the location
 * @param nodeLabels Kubernetes labels the nodes register with (through the Talos config)
 * @param serverLabels extra Hetzner labels on the servers (ownership labels are added on top)
 * @param firewalls firewall ids or names
 * @param networks network ids or names
 * @param placementGroup placement group id or name, null for none
 * @param talosPatches strategic-merge patches (YAML, possibly multi-document) applied to the worker config
 * @param maxProvisionTime how long a server may take to register as a Node before it is reaped
 */
public record NodePool(
        String id,
        String serverType,
        String location,
        String zone,
        int minSize,
        int maxSize,
        ImageSelector image,
        Map<String, String> nodeLabels,
        List<Taint> taints,
        Map<String, String> serverLabels,
        List<String> firewalls,
        List<String> networks,
        String placementGroup,
        boolean publicIpv4,
        boolean publicIpv6,
        AutoscalingOverrides autoscaling,
        List<String> talosPatches,
        Duration maxProvisionTime) {

    /** RFC 1123 label, lowercase; short enough that {@code <pool>-<suffix>} stays a valid hostname. */
    public static final Pattern ID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?");
    /** Longest pool id, leaving room for {@code -<suffix>} within 63 characters. */
    public static final int MAX_ID_LENGTH = 40;

    public NodePool {
        Objects.requireNonNull(id, "id");
        zone = zone == null || zone.isBlank() ? location : zone;
        image = image == null ? ImageSelector.talos(null) : image;
        nodeLabels = Map.copyOf(nodeLabels == null ? Map.of() : nodeLabels);
        taints = List.copyOf(taints == null ? List.of() : taints);
        serverLabels = Map.copyOf(serverLabels == null ? Map.of() : serverLabels);
        firewalls = List.copyOf(firewalls == null ? List.of() : firewalls);
        networks = List.copyOf(networks == null ? List.of() : networks);
        autoscaling = autoscaling == null ? AutoscalingOverrides.none() : autoscaling;
        talosPatches = List.copyOf(talosPatches == null ? List.of() : talosPatches);
        maxProvisionTime = maxProvisionTime == null ? Duration.ofMinutes(15) : maxProvisionTime;
    }

    /**
     * Every problem with this pool, each naming the option to fix (prefix e.g. {@code talosburst.pools.<id>}).
     * Empty when the pool is valid.
     */
    public List<String> problems(String optionPrefix) {
        List<String> problems = new ArrayList<>();
        if (!ID.matcher(id).matches()) {
            problems.add(optionPrefix + ": pool id '" + id + "' must be a lowercase RFC 1123 label of at most "
                    + MAX_ID_LENGTH + " characters (a-z, 0-9, '-', not starting or ending with '-')");
        }
        if (serverType == null || serverType.isBlank()) {
            problems.add(optionPrefix + ".server-type: required, e.g. cx22");
        }
        if (location == null || location.isBlank()) {
            problems.add(optionPrefix + ".location: required, e.g. fsn1");
        }
        if (minSize < 0) {
            problems.add(optionPrefix + ".min: " + minSize + " is negative; use 0 or more");
        }
        if (maxSize < 1) {
            problems.add(optionPrefix + ".max: " + maxSize + " must be at least 1");
        }
        if (minSize > maxSize) {
            problems.add(optionPrefix + ".min (" + minSize + ") is greater than " + optionPrefix + ".max (" + maxSize
                    + "); lower min or raise max");
        }
        if (maxProvisionTime.isNegative() || maxProvisionTime.isZero()) {
            problems.add(optionPrefix + ".max-provision-time: must be positive, e.g. 15m");
        }
        problems.addAll(image.problems(optionPrefix + ".image"));
        problems.addAll(autoscaling.problems(optionPrefix + ".autoscaling"));
        return problems;
    }
}
