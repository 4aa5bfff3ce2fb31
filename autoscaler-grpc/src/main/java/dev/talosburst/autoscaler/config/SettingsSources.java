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
public record SettingsSources(
        List<String> unknownOptions, List<String> profiles, Map<String, String> derivedOptionsSetBy) {

    /** Sources at or above this ordinal are what an operator (or this application's own file) wrote; below: Quarkus defaults. */
    static final int OPERATOR_ORDINAL = 100;

    private static final String TLS_BUCKET = "quarkus.tls." + TransportOptions.TLS_CONFIGURATION + ".";
    private static final String TLS_BUCKET_ENV = "QUARKUS_TLS_TALOSBURST_GRPC_";

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
        for (ConfigSource source : config.getConfigSources()) {
            if (source.getOrdinal() < OPERATOR_ORDINAL) {
                continue; // Quarkus' own defaults, not something an operator wrote
            }
            for (String derived : TransportOptions.DERIVED.keySet()) {
                if (explicitly(source, derived, config.getProfiles())) {
                    setBy.putIfAbsent(derived, source.getName());
                }
            }
            for (String name : source.getPropertyNames()) {
                String key = withoutProfile(name);
                // any other setting of talos-burst's TLS bucket (trust-all, a second key pair, ...) could weaken mTLS;
                // the global quarkus.tls.trust-all is not ours (the Kubernetes client reads it) and named buckets do
                // not inherit it
                if (key.startsWith(TLS_BUCKET) || key.startsWith(TLS_BUCKET_ENV)) {
                    setBy.putIfAbsent(key, source.getName());
                }
            }
        }
        return new SettingsSources(options.problems(List.copyOf(names)), List.copyOf(config.getProfiles()), setBy);
    }

    private static String withoutProfile(String name) {
        return name.startsWith("%") && name.indexOf('.') > 0 ? name.substring(name.indexOf('.') + 1) : name;
    }

    private static boolean explicitly(ConfigSource source, String name, List<String> profiles) {
        List<String> candidates = new ArrayList<>(List.of(name));
        profiles.forEach(p -> candidates.add("%" + p + "." + name));
        return candidates.stream().anyMatch(n -> source.getValue(n) != null);
    }
}
