package dev.talosburst.provisioner.pool;

import java.util.Objects;
import java.util.Set;

/**
 * A Kubernetes taint a pool's nodes register with.
 *
 * @param effect {@code NoSchedule}, {@code PreferNoSchedule} or {@code NoExecute}
 */
public record Taint(String key, String value, String effect) {
    private static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");

    public Taint {
        Objects.requireNonNull(key, "key");
        value = value == null ? "" : value;
        if (!EFFECTS.contains(effect)) {
            throw new IllegalArgumentException(
                    "taint '" + key + "' has effect '" + effect + "'; use one of " + EFFECTS);
        }
    }

    /** Parses {@code key=value:Effect} or {@code key:Effect}. */
    public static Taint parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("taint '" + text + "' must look like key=value:Effect or key:Effect");
        }
        String kv = text.substring(0, colon);
        String effect = text.substring(colon + 1);
        int eq = kv.indexOf('=');
        return eq < 0 ? new Taint(kv, "", effect) : new Taint(kv.substring(0, eq), kv.substring(eq + 1), effect);
    }

    @Override
    public String toString() {
        return key + (value.isEmpty() ? "" : "=" + value) + ":" + effect;
    }
}
