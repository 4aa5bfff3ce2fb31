package dev.talosburst.autoscaler.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/** The rules for how the gRPC endpoint is exposed, shared by the start-up check and the Quarkus translation. */
public final class GrpcTransport {

    /** Default bind address: loopback. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Default port: the one cluster-autoscaler's externalgrpc example uses. */
    public static final String DEFAULT_PORT = "8086";
    /** Default interval at which the PEM files are re-read (cert-manager renews certificates in place). */
    public static final String DEFAULT_TLS_RELOAD_PERIOD = "1h";
    /** Default port of the management interface (health, metrics). */
    public static final String DEFAULT_MANAGEMENT_PORT = "9000";

    private GrpcTransport() {}

    /** Plaintext when chosen explicitly; otherwise only for the embedded simulator run (a local demo). */
    public static boolean plaintext(Optional<Boolean> configured, boolean embeddedSimulator) {
        return configured.orElse(embeddedSimulator);
    }

    /**
     * Where health and metrics listen unless {@code talosburst.management.host} says otherwise: beside a plaintext gRPC
     * port (local use, loopback only), else on every interface, where kubelet probes and Prometheus reach the pod.
     */
    public static String defaultManagementHost(boolean plaintext, String grpcHost) {
        return plaintext ? grpcHost : "0.0.0.0";
    }

    /**
     * A boolean option read exactly as SmallRye Config reads the typed options ({@code true}, {@code 1}, {@code yes},
     * {@code y}, {@code on}, any case), so the derived transport and the start-up check never disagree.
     */
    public static boolean isTrue(String value) {
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes", "y", "on" -> true;
            default -> false;
        };
    }

    /** True when every address {@code host} resolves to is a loopback address. */
    public static boolean isLoopback(String host) {
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            for (InetAddress address : addresses) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return addresses.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
