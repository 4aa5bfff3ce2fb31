package dev.talosburst.hcloudsim;

import java.time.Duration;
import java.util.Objects;

/**
 * Arms faults on a running simulator. Path prefixes match whole segments and may omit the {@code /v1} root:
 * {@code "/servers"} matches {@code /v1/servers} and {@code /v1/servers/42}, not {@code /v1/server_types}.
 * A {@code null} method or prefix matches any. Faults apply after rate limiting and authentication.
 */
public final class Faults {

    private final FaultPlan plan;
    private final TokenBucket bucket;

    Faults(FaultPlan plan, TokenBucket bucket) {
        this.plan = plan;
        this.bucket = bucket;
    }

    /** The next {@code n} requests fail with this status and Hetzner error code, without taking effect. */
    public Faults failNext(int n, int status, String code, String message) {
        return failNext(null, null, n, status, code, message);
    }

    /** The next {@code n} requests matching method and path prefix fail, without taking effect. */
    public Faults failNext(String method, String pathPrefix, int n, int status, String code, String message) {
        requirePositive(n);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be an HTTP error (400-599), got " + status);
        }
        plan.add(new FaultPlan.Rule(
                FaultPlan.Kind.FAIL,
                method,
                pathPrefix,
                n,
                status,
                Objects.requireNonNull(code, "code"),
                Objects.requireNonNull(message, "message")));
        return this;
    }

    /**
     * The next {@code n} requests matching method and path prefix fail with a raw, non-Hetzner body, such as the
     * HTML a proxy answers with on 502/504 ({@code failNextRaw("POST", "/servers", 1, 502, "text/html", "<html>…")}).
     */
    public Faults failNextRaw(String method, String pathPrefix, int n, int status, String contentType, String body) {
        requirePositive(n);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be an HTTP error (400-599), got " + status);
        }
        plan.add(new FaultPlan.Rule(
                FaultPlan.Kind.RAW,
                method,
                pathPrefix,
                n,
                status,
                null,
                null,
                Objects.requireNonNull(contentType, "contentType"),
                Objects.requireNonNull(body, "body")));
        return this;
    }

    /**
     * Empties the rate-limit bucket: requests get genuine 429s, with {@code RateLimit-Remaining: 0} and a
     * {@code RateLimit-Reset}, until the clock has refilled it.
     */
    public Faults drainRateLimit() {
        bucket.drain();
        return this;
    }

    /**
     * The next {@code n} requests matching method and path prefix take effect, then the connection is closed without
     * a response: the client sees a reset or EOF and cannot know the outcome.
     */
    public Faults loseResponses(String method, String pathPrefix, int n) {
        requirePositive(n);
        plan.add(new FaultPlan.Rule(FaultPlan.Kind.LOSE, method, pathPrefix, n, 0, null, null));
        return this;
    }

    /** Every API request waits this long (real time) before it is processed; {@link Duration#ZERO} turns it off. */
    public Faults latency(Duration latency) {
        return latency(null, null, latency);
    }

    /**
     * Requests matching method and path prefix wait this long (real time) before they are processed, e.g. a slow
     * {@code POST /servers}; {@link Duration#ZERO} removes that setting. The longest matching latency applies.
     */
    public Faults latency(String method, String pathPrefix, Duration latency) {
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative, got " + latency);
        }
        plan.latency(method, pathPrefix, latency);
        return this;
    }

    /**
     * Creating a server of this type in this location fails with 412 {@code resource_unavailable}
     * "error during placement", and the type's {@code locations[].available} turns false there.
     */
    public Faults stockOut(String serverType, String location) {
        plan.stockOut(
                Objects.requireNonNull(serverType, "serverType"), Objects.requireNonNull(location, "location"), true);
        return this;
    }

    /** Undoes {@link #stockOut(String, String)} for one type and location. */
    public Faults restock(String serverType, String location) {
        plan.stockOut(serverType, location, false);
        return this;
    }

    /** Creating a server fails with 403 {@code resource_limit_exceeded} once {@code maxServers} servers exist. */
    public Faults serverQuota(int maxServers) {
        if (maxServers < 0) {
            throw new IllegalArgumentException("maxServers must not be negative, got " + maxServers);
        }
        plan.serverQuota(maxServers);
        return this;
    }

    /** Disarms every fault, latency, stock-out and quota. */
    public Faults clear() {
        plan.clear();
        return this;
    }

    private static void requirePositive(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1, got " + n);
        }
    }
}
