package dev.talosburst.hcloudsim;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How a simulator instance behaves: credentials, clock, socket, how long status transitions take,
 * the rate-limit bucket and whether the realistic catalogue is seeded.
 *
 * @param token              the API token clients must send as {@code Authorization: Bearer <token>}
 * @param clock              drives statuses, actions, {@code created} and the rate-limit bucket
 * @param host               address to bind, normally {@code 127.0.0.1}
 * @param port               port to bind, 0 for a free one
 * @param initializing       how long a new server stays {@code initializing}
 * @param starting           how long a server stays {@code starting} (also {@code stopping})
 * @param deleting           how long a deleted server stays {@code deleting} before it is gone
 * @param rateLimitCapacity  token-bucket size (Hetzner: 3600 requests)
 * @param rateLimitRefillPerSecond tokens added per second (Hetzner: 1)
 * @param seedCatalogue      seed locations, server types and images like a real project sees them
 * @param recordExchanges    keep request and response bodies of every API call (see {@link Inspection#exchanges()})
 */
public record SimulatorOptions(
        String token,
        Clock clock,
        String host,
        int port,
        Duration initializing,
        Duration starting,
        Duration deleting,
        int rateLimitCapacity,
        double rateLimitRefillPerSecond,
        boolean seedCatalogue,
        boolean recordExchanges) {

    /** Validates the options. */
    public SimulatorOptions {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(host, "host");
        if (token.isBlank()) {
            throw new IllegalArgumentException("token must not be blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 (free port) or 1-65535, got " + port);
        }
        requireNotNegative(initializing, "initializing");
        requireNotNegative(starting, "starting");
        requireNotNegative(deleting, "deleting");
        if (rateLimitCapacity < 1) {
            throw new IllegalArgumentException("rateLimitCapacity must be at least 1, got " + rateLimitCapacity);
        }
        if (!(rateLimitRefillPerSecond > 0)) {
            throw new IllegalArgumentException(
                    "rateLimitRefillPerSecond must be positive, got " + rateLimitRefillPerSecond);
        }
    }

    /** Defaults: random token, system UTC clock, 127.0.0.1 on a free port, 2 s/3 s/2 s, 3600 tokens + 1/s, seeded. */
    public static SimulatorOptions defaults() {
        return builder().build();
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.token = token;
        b.clock = clock;
        b.host = host;
        b.port = port;
        b.initializing = initializing;
        b.starting = starting;
        b.deleting = deleting;
        b.rateLimitCapacity = rateLimitCapacity;
        b.rateLimitRefillPerSecond = rateLimitRefillPerSecond;
        b.seedCatalogue = seedCatalogue;
        b.recordExchanges = recordExchanges;
        return b;
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "SimulatorOptions[host=" + host + ", port=" + port + ", initializing=" + initializing + ", starting="
                + starting
                + ", deleting=" + deleting + ", rateLimitCapacity=" + rateLimitCapacity + ", rateLimitRefillPerSecond="
                + rateLimitRefillPerSecond + ", seedCatalogue=" + seedCatalogue + ", recordExchanges=" + recordExchanges
                + ", clock=" + clock + "]";
    }

    private static void requireNotNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + d);
        }
    }

    /** A random 64-character token, the length of a real Hetzner API token. */
    static String randomToken() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom random = new SecureRandom();
        StringBuilder sb = new StringBuilder(64);
        for (int i = 0; i < 64; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    /** Builds {@link SimulatorOptions}. */
    public static final class Builder {
        private String token = randomToken();
        private Clock clock = Clock.systemUTC();
        private String host = "127.0.0.1";
        private int port;
        private Duration initializing = Duration.ofSeconds(2);
        private Duration starting = Duration.ofSeconds(3);
        private Duration deleting = Duration.ofSeconds(2);
        private int rateLimitCapacity = 3600;
        private double rateLimitRefillPerSecond = 1.0;
        private boolean seedCatalogue = true;
        private boolean recordExchanges;

        private Builder() {}

        /** Sets the API token. */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        /** Sets the clock. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Sets the bind address. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** Sets the port (0 = free port). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Sets how long servers stay initializing. */
        public Builder initializing(Duration initializing) {
            this.initializing = initializing;
            return this;
        }

        /** Sets how long servers stay starting (and stopping). */
        public Builder starting(Duration starting) {
            this.starting = starting;
            return this;
        }

        /** Sets how long deleted servers stay deleting. */
        public Builder deleting(Duration deleting) {
            this.deleting = deleting;
            return this;
        }

        /** Sets all three status durations to zero: servers are running at once and gone at once. */
        public Builder instantTransitions() {
            this.initializing = Duration.ZERO;
            this.starting = Duration.ZERO;
            this.deleting = Duration.ZERO;
            return this;
        }

        /** Sets the rate-limit bucket. */
        public Builder rateLimit(int capacity, double refillPerSecond) {
            this.rateLimitCapacity = capacity;
            this.rateLimitRefillPerSecond = refillPerSecond;
            return this;
        }

        /** Seeds (or not) the realistic catalogue. */
        public Builder seedCatalogue(boolean seedCatalogue) {
            this.seedCatalogue = seedCatalogue;
            return this;
        }

        /** Records (or not) request and response bodies of every API call. */
        public Builder recordExchanges(boolean recordExchanges) {
            this.recordExchanges = recordExchanges;
            return this;
        }

        /** Builds validated options. */
        public SimulatorOptions build() {
            return new SimulatorOptions(
                    token,
                    clock,
                    host,
                    port,
                    initializing,
                    starting,
                    deleting,
                    rateLimitCapacity,
                    rateLimitRefillPerSecond,
                    seedCatalogue,
                    recordExchanges);
        }
    }
}
