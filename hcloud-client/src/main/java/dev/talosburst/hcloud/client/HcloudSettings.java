package dev.talosburst.hcloud.client;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link HcloudClient} talks to Hetzner: where, with which token, and how patiently.
 *
 * @param endpoint               API base, e.g. {@code https://api.hetzner.cloud/v1} (HCLOUD_ENDPOINT overrides it)
 * @param token                  the project API token (redacted in {@link #toString()})
 * @param requestTimeout         how long one HTTP exchange may take before it counts as a network timeout
 * @param budgetCapacity         client-side token bucket size; Hetzner's default project limit is 3600 requests/hour
 * @param maxRetries             retries after the first attempt, for retryable failures only
 * @param retryBase              first backoff; later ones double (full jitter between base and the doubled value)
 * @param retryCap               longest single backoff
 * @param breakerWindow          number of recent calls per endpoint family the circuit breaker looks at
 * @param breakerMinimumCalls    calls needed in the window before the breaker may open
 * @param breakerFailureRate     percentage of failed calls (5xx, network) that opens the breaker
 * @param breakerOpenDuration    how long an open breaker fails fast before letting a probe through
 * @param maxConcurrentRequests  bulkhead: requests in flight at once
 * @param bulkheadMaxWait        how long a request waits for a bulkhead slot before failing as retryable
 * @param budgetShare            the share (0–1] of the project's request budget this client may spend; the rest is left to
 *                               the other tools of the project (the bucket holds and refills {@code share × limit} per hour)
 */
public record HcloudSettings(
        URI endpoint,
        ApiToken token,
        Duration requestTimeout,
        int budgetCapacity,
        int maxRetries,
        Duration retryBase,
        Duration retryCap,
        int breakerWindow,
        int breakerMinimumCalls,
        int breakerFailureRate,
        Duration breakerOpenDuration,
        int maxConcurrentRequests,
        Duration bulkheadMaxWait,
        double budgetShare) {

    /** Hetzner's public endpoint. */
    public static final URI DEFAULT_ENDPOINT = URI.create("https://api.hetzner.cloud/v1");
    /** Default {@link #budgetShare()}: half the project's budget, the rest for the project's other tools. */
    public static final double DEFAULT_BUDGET_SHARE = 0.5;

    public HcloudSettings {
        Objects.requireNonNull(endpoint, "endpoint (e.g. https://api.hetzner.cloud/v1)");
        Objects.requireNonNull(token, "token");
        if (!"https".equals(endpoint.getScheme()) && !"http".equals(endpoint.getScheme())) {
            throw new IllegalArgumentException(
                    "Hetzner endpoint must be an http(s) URL such as " + DEFAULT_ENDPOINT + ", got " + endpoint);
        }
        if (endpoint.getUserInfo() != null) {
            throw new IllegalArgumentException(
                    "Hetzner endpoint must not embed credentials (user-info); pass the token separately");
        }
        if (endpoint.getQuery() != null || endpoint.getFragment() != null) {
            throw new IllegalArgumentException("Hetzner endpoint must not carry a query or fragment: "
                    + endpoint.getScheme() + "://" + endpoint.getHost() + endpoint.getPath());
        }
        requirePositive("requestTimeout", requestTimeout);
        requirePositive("retryBase", retryBase);
        requirePositive("retryCap", retryCap);
        requirePositive("breakerOpenDuration", breakerOpenDuration);
        Objects.requireNonNull(bulkheadMaxWait, "bulkheadMaxWait");
        requireAtLeast("budgetCapacity", budgetCapacity, 1);
        requireAtLeast("maxRetries", maxRetries, 0);
        requireAtLeast("breakerWindow", breakerWindow, 1);
        requireAtLeast("breakerMinimumCalls", breakerMinimumCalls, 1);
        requireAtLeast("maxConcurrentRequests", maxConcurrentRequests, 1);
        if (!(budgetShare > 0 && budgetShare <= 1)) {
            throw new IllegalArgumentException("budgetShare must be above 0 and at most 1, got " + budgetShare);
        }
        if (breakerFailureRate < 1 || breakerFailureRate > 100) {
            throw new IllegalArgumentException(
                    "breakerFailureRate must be a percentage between 1 and 100, got " + breakerFailureRate);
        }
    }

    /**
     * Defaults for Hetzner's public API: 30 s requests, a 3600-request bucket, 5 retries from 1 s to 60 s (what hcloud-go does),
     * a breaker opening at 50 % failures over the last 10 calls (at least 5) for 30 s, 4 concurrent requests.
     */
    public static HcloudSettings defaults(ApiToken token) {
        return new HcloudSettings(
                DEFAULT_ENDPOINT,
                token,
                Duration.ofSeconds(30),
                3600,
                5,
                Duration.ofSeconds(1),
                Duration.ofSeconds(60),
                10,
                5,
                50,
                Duration.ofSeconds(30),
                4,
                Duration.ofSeconds(60),
                DEFAULT_BUDGET_SHARE);
    }

    /** The defaults, with the endpoint taken from {@code endpointOverride} (HCLOUD_ENDPOINT) when it is non-blank. */
    public static HcloudSettings defaults(ApiToken token, String endpointOverride) {
        HcloudSettings settings = defaults(token);
        return endpointOverride == null || endpointOverride.isBlank()
                ? settings
                : settings.withEndpoint(URI.create(endpointOverride.strip()));
    }

    public HcloudSettings withEndpoint(URI newEndpoint) {
        return new HcloudSettings(
                newEndpoint,
                token,
                requestTimeout,
                budgetCapacity,
                maxRetries,
                retryBase,
                retryCap,
                breakerWindow,
                breakerMinimumCalls,
                breakerFailureRate,
                breakerOpenDuration,
                maxConcurrentRequests,
                bulkheadMaxWait,
                budgetShare);
    }

    public HcloudSettings withToken(ApiToken newToken) {
        return new HcloudSettings(
                endpoint,
                newToken,
                requestTimeout,
                budgetCapacity,
                maxRetries,
                retryBase,
                retryCap,
                breakerWindow,
                breakerMinimumCalls,
                breakerFailureRate,
                breakerOpenDuration,
                maxConcurrentRequests,
                bulkheadMaxWait,
                budgetShare);
    }

    public HcloudSettings withRequestTimeout(Duration timeout) {
        return new HcloudSettings(
                endpoint,
                token,
                timeout,
                budgetCapacity,
                maxRetries,
                retryBase,
                retryCap,
                breakerWindow,
                breakerMinimumCalls,
                breakerFailureRate,
                breakerOpenDuration,
                maxConcurrentRequests,
                bulkheadMaxWait,
                budgetShare);
    }

    public HcloudSettings withBudgetCapacity(int capacity) {
        return new HcloudSettings(
                endpoint,
                token,
                requestTimeout,
                capacity,
                maxRetries,
                retryBase,
                retryCap,
                breakerWindow,
                breakerMinimumCalls,
                breakerFailureRate,
                breakerOpenDuration,
                maxConcurrentRequests,
                bulkheadMaxWait,
                budgetShare);
    }

    public HcloudSettings withRetries(int retries, Duration base, Duration cap) {
        return new HcloudSettings(
                endpoint,
                token,
                requestTimeout,
                budgetCapacity,
                retries,
                base,
                cap,
                breakerWindow,
                breakerMinimumCalls,
                breakerFailureRate,
                breakerOpenDuration,
                maxConcurrentRequests,
                bulkheadMaxWait,
                budgetShare);
    }

    public HcloudSettings withBreaker(int window, int minimumCalls, int failureRatePercent, Duration openDuration) {
        return new HcloudSettings(
                endpoint,
                token,
                requestTimeout,
                budgetCapacity,
                maxRetries,
                retryBase,
                retryCap,
                window,
                minimumCalls,
                failureRatePercent,
                openDuration,
                maxConcurrentRequests,
                bulkheadMaxWait,
                budgetShare);
    }

    public HcloudSettings withBulkhead(int maxConcurrent, Duration maxWait) {
        return new HcloudSettings(
                endpoint,
                token,
                requestTimeout,
                budgetCapacity,
                maxRetries,
                retryBase,
                retryCap,
                breakerWindow,
                breakerMinimumCalls,
                breakerFailureRate,
                breakerOpenDuration,
                maxConcurrent,
                maxWait,
                budgetShare);
    }

    /** Spend at most this share of the project's budget (see {@link #budgetShare()}). */
    public HcloudSettings withBudgetShare(double share) {
        return new HcloudSettings(
                endpoint,
                token,
                requestTimeout,
                budgetCapacity,
                maxRetries,
                retryBase,
                retryCap,
                breakerWindow,
                breakerMinimumCalls,
                breakerFailureRate,
                breakerOpenDuration,
                maxConcurrentRequests,
                bulkheadMaxWait,
                share);
    }

    private static void requirePositive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    private static void requireAtLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
        }
    }
}
