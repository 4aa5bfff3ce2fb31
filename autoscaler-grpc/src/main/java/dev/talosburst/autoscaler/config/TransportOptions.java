package dev.talosburst.autoscaler.config;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Derives the Quarkus HTTP, TLS-registry and management-interface options from {@code talosburst.grpc.*} and
 * {@code talosburst.management.*}, at lookup time.
 *
 * <p>An interceptor rather than a config source: it sees every source Quarkus has, whatever its origin (the file named by
 * {@code QUARKUS_CONFIG_LOCATIONS}, {@code config/application.properties}, the environment, {@code -D}), with profiles and
 * expressions resolved, so a talosburst option takes effect wherever it is written. The derived {@code quarkus.*} names
 * always carry the derived value: TLS is never switched off behind the operator's back by a stray {@code quarkus.http.*}
 * option ({@link ConfigurationCheck} refuses such options with the talosburst key to use instead).
 */
@Priority(Priorities.APPLICATION + 100)
public class TransportOptions implements ConfigSourceInterceptor {

    /** Name of the TLS registry configuration holding the gRPC server's certificates. */
    public static final String TLS_CONFIGURATION = "talosburst-grpc";

    private static final String TLS = "quarkus.tls." + TLS_CONFIGURATION + ".";
    private static final String SOURCE = "talos-burst (derived from talosburst.grpc.* / talosburst.management.*)";

    /** The Quarkus options derived here, each with the talosburst option an operator sets instead. */
    public static final Map<String, String> DERIVED = Map.ofEntries(
            Map.entry("quarkus.http.host", "talosburst.grpc.host"),
            Map.entry("quarkus.http.port", "talosburst.grpc.port"),
            Map.entry("quarkus.http.ssl-port", "talosburst.grpc.port"),
            Map.entry("quarkus.http.insecure-requests", "talosburst.grpc.plaintext"),
            Map.entry("quarkus.http.tls-configuration-name", "talosburst.grpc.plaintext"),
            Map.entry(TLS + "key-store.pem.0.cert", "talosburst.grpc.tls.cert"),
            Map.entry(TLS + "key-store.pem.0.key", "talosburst.grpc.tls.key"),
            Map.entry(TLS + "trust-store.pem.certs", "talosburst.grpc.tls.client-ca"),
            Map.entry(TLS + "reload-period", "talosburst.grpc.tls.reload-period"),
            Map.entry("quarkus.management.host", "talosburst.management.host"),
            Map.entry("quarkus.management.port", "talosburst.management.port"));

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        if (!DERIVED.containsKey(name)) {
            return context.proceed(name);
        }
        String value = derive(context).get(name);
        // not derived in this mode (e.g. the TLS port in plaintext): Quarkus' own default applies
        return value == null
                ? context.proceed(name)
                : ConfigValue.builder()
                        .withName(name)
                        .withValue(value)
                        .withConfigSourceName(SOURCE)
                        .withConfigSourceOrdinal(Integer.MAX_VALUE)
                        .build();
    }

    @Override
    public Iterator<String> iterateNames(ConfigSourceInterceptorContext context) {
        // the TLS registry discovers named configurations by iterating names
        Set<String> names = new LinkedHashSet<>();
        context.iterateNames().forEachRemaining(names::add);
        names.addAll(derive(context).keySet());
        return names.iterator();
    }

    private static Map<String, String> derive(ConfigSourceInterceptorContext context) {
        return derive(option -> {
            ConfigValue found = context.restart(option);
            return found == null ? null : found.getValue();
        });
    }

    /** The derived Quarkus options for the talosburst options read through {@code lookup} (absent ones are not derived). */
    public static Map<String, String> derive(Function<String, String> lookup) {
        String host = orDefault(lookup.apply("talosburst.grpc.host"), GrpcTransport.DEFAULT_HOST);
        String port = orDefault(lookup.apply("talosburst.grpc.port"), GrpcTransport.DEFAULT_PORT);
        boolean plaintext = GrpcTransport.plaintext(
                flag(lookup.apply("talosburst.grpc.plaintext")),
                flag(lookup.apply("talosburst.hcloud.embedded-simulator")).orElse(false));
        List<Map.Entry<String, String>> derived = new ArrayList<>();
        derived.add(Map.entry("quarkus.http.host", host));
        derived.add(Map.entry(
                "quarkus.management.host",
                orDefault(
                        lookup.apply("talosburst.management.host"),
                        GrpcTransport.defaultManagementHost(plaintext, host))));
        derived.add(Map.entry(
                "quarkus.management.port",
                orDefault(lookup.apply("talosburst.management.port"), GrpcTransport.DEFAULT_MANAGEMENT_PORT)));
        if (plaintext) {
            derived.add(Map.entry("quarkus.http.port", port));
            derived.add(Map.entry("quarkus.http.insecure-requests", "enabled"));
        } else {
            derived.add(Map.entry("quarkus.http.ssl-port", port));
            derived.add(Map.entry("quarkus.http.insecure-requests", "disabled"));
            derived.add(Map.entry("quarkus.http.tls-configuration-name", TLS_CONFIGURATION));
            putIfSet(derived, TLS + "key-store.pem.0.cert", lookup.apply("talosburst.grpc.tls.cert"));
            putIfSet(derived, TLS + "key-store.pem.0.key", lookup.apply("talosburst.grpc.tls.key"));
            putIfSet(derived, TLS + "trust-store.pem.certs", lookup.apply("talosburst.grpc.tls.client-ca"));
            derived.add(Map.entry(
                    TLS + "reload-period",
                    orDefault(
                            lookup.apply("talosburst.grpc.tls.reload-period"),
                            GrpcTransport.DEFAULT_TLS_RELOAD_PERIOD)));
        }
        return Map.ofEntries(derived.toArray(Map.Entry[]::new));
    }

    private static Optional<Boolean> flag(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(GrpcTransport.isTrue(value));
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static void putIfSet(List<Map.Entry<String, String>> derived, String name, String value) {
        if (value != null && !value.isBlank()) {
            derived.add(Map.entry(name, value.trim()));
        }
    }
}
