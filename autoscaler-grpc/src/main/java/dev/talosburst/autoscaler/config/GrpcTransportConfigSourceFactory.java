package dev.talosburst.autoscaler.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Translates {@code talosburst.grpc.*} into the Quarkus HTTP server and TLS registry options that carry the
 * gRPC service (it runs on the main HTTP server; health and metrics are on the management interface).
 *
 * <p>Plaintext: one cleartext HTTP/2 listener on {@code host:port}. Otherwise: one TLS listener on
 * {@code host:port} with the PEM certificate, key and client CA, the cleartext listener disabled, and
 * client certificates required ({@code quarkus.http.ssl.client-auth=required}, fixed at build time in
 * application.properties). In plaintext mode the management interface (health, metrics) binds the same loopback host. The ordinal sits just below application.properties, so an explicit
 * {@code quarkus.*} value there, in the environment or in system properties still wins.
 */
public class GrpcTransportConfigSourceFactory implements ConfigSourceFactory {

    /** Name of the TLS registry configuration holding the gRPC server's certificates. */
    public static final String TLS_CONFIGURATION = "talosburst-grpc";
    static final int ORDINAL = 245;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        return List.of(new PropertiesConfigSource(translate(name -> value(context, name)), "talosburst-grpc-transport", ORDINAL));
    }

    /** The Quarkus properties implied by the talosburst.grpc options read through {@code lookup}. */
    static Map<String, String> translate(java.util.function.Function<String, String> lookup) {
        Map<String, String> properties = new HashMap<>();
        String host = orDefault(lookup.apply("talosburst.grpc.host"), GrpcTransport.DEFAULT_HOST);
        String port = orDefault(lookup.apply("talosburst.grpc.port"), GrpcTransport.DEFAULT_PORT);
        String explicit = lookup.apply("talosburst.grpc.plaintext");
        boolean plaintext = GrpcTransport.plaintext(
                explicit == null || explicit.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(Boolean.parseBoolean(explicit.trim())),
                Boolean.parseBoolean(orDefault(lookup.apply("talosburst.hcloud.embedded-simulator"), "true")));
        properties.put("quarkus.http.host", host);
        if (plaintext) {
            // Local use: health and metrics stay on the same loopback host as the plaintext gRPC port.
            properties.put("quarkus.management.host", host);
            properties.put("quarkus.http.port", port);
            properties.put("quarkus.http.insecure-requests", "enabled");
            return properties;
        }
        properties.put("quarkus.http.ssl-port", port);
        properties.put("quarkus.http.insecure-requests", "disabled");
        properties.put("quarkus.http.tls-configuration-name", TLS_CONFIGURATION);
        String prefix = "quarkus.tls." + TLS_CONFIGURATION + ".";
        putIfSet(properties, prefix + "key-store.pem.0.cert", lookup.apply("talosburst.grpc.tls.cert"));
        putIfSet(properties, prefix + "key-store.pem.0.key", lookup.apply("talosburst.grpc.tls.key"));
        putIfSet(properties, prefix + "trust-store.pem.certs", lookup.apply("talosburst.grpc.tls.client-ca"));
        properties.put(prefix + "reload-period",
                orDefault(lookup.apply("talosburst.grpc.tls.reload-period"), GrpcTransport.DEFAULT_TLS_RELOAD_PERIOD));
        return properties;
    }

    private static String value(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return value == null ? null : value.getValue();
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static void putIfSet(Map<String, String> properties, String name, String value) {
        if (value != null && !value.isBlank()) {
            properties.put(name, value.trim());
        }
    }
}
