package dev.talosburst.provisioner.cloud;

import java.util.Locale;

/** Hetzner server status ({@code initializing, starting, running, stopping, off, deleting, migrating, rebuilding, unknown}). */
public enum ServerStatus {
    INITIALIZING,
    STARTING,
    RUNNING,
    STOPPING,
    OFF,
    DELETING,
    MIGRATING,
    REBUILDING,
    UNKNOWN;

    /** The API's lower-case name. */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the API's name; anything unrecognised is {@link #UNKNOWN}. */
    public static ServerStatus fromApi(String value) {
        if (value == null) {
            return UNKNOWN;
        }
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return UNKNOWN;
        }
    }
}
