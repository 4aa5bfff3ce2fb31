package dev.talosburst.autoscaler.config;

import io.smallrye.config.SmallRyeConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * What the start-up check needs to know about where options were written, beyond their typed values: the
 * {@code talosburst.*} keys no option reads (typos, as problems), the active profiles, and which source sets a {@code quarkus.*} option that
 * talos-burst derives itself.
 */
public record SettingsSources(List<String> unknownOptions, List<String> profiles, Map<String, String> derivedOptionsSetBy) {

    /** Sources at or above this ordinal are what an operator (or this application's own file) wrote; below: Quarkus defaults. */
    static final int OPERATOR_ORDINAL = 100;

    /** An empty view: no extra names, the default profile, nothing overridden. */
    public static SettingsSources none() {
        return new SettingsSources(List.of(), List.of(), Map.of());
    }

    /** Reads the names and sources of a running configuration; {@code options} knows which talosburst names exist. */
    public static SettingsSources of(SmallRyeConfig config, UnknownOptions options) {
        TreeSet<String> names = new TreeSet<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith("talosburst.")) {
                names.add(name);
            }
        }
        Map<String, String> setBy = new TreeMap<>();
        for (String derived : TransportOptions.DERIVED.keySet()) {
            if (derived.equals("quarkus.management.port")) {
                continue; // an accepted alias of talosburst.management.port
            }
            for (ConfigSource source : config.getConfigSources()) {
                // below 100: Quarkus' own defaults, not something an operator wrote
                if (source.getOrdinal() >= OPERATOR_ORDINAL && explicitly(source, derived, config.getProfiles())) {
                    setBy.putIfAbsent(derived, source.getName());
                }
            }
        }
        return new SettingsSources(options.problems(List.copyOf(names)), List.copyOf(config.getProfiles()), setBy);
    }

    private static boolean explicitly(ConfigSource source, String name, List<String> profiles) {
        List<String> candidates = new ArrayList<>(List.of(name));
        profiles.forEach(p -> candidates.add("%" + p + "." + name));
        return candidates.stream().anyMatch(n -> source.getValue(n) != null);
    }
}
