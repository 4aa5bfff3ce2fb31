package dev.talosburst.hcloud.client;

import java.util.Locale;

/** Groups of Hetzner endpoints that fail together; each gets its own circuit breaker. */
public enum EndpointFamily {
    SERVERS,
    ACTIONS,
    CATALOGUE,
    FIREWALLS,
    NETWORKS,
    PLACEMENT_GROUPS;

    /** Breaker name as it appears in metrics, e.g. {@code hcloud-servers}. */
    public String breakerName() {
        return "hcloud-" + name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
