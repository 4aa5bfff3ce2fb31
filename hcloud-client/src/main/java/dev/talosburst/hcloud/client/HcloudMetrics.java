package dev.talosburst.hcloud.client;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The client's own meters. Tags are templated endpoints ({@code /servers/{id}}), methods and statuses only: never ids,
 * query values, names or anything secret.
 */
final class HcloudMetrics {

    /** Counter of HTTP requests sent; Prometheus: {@code talosburst_hcloud_requests_total{endpoint,method,status}}. */
    static final String REQUESTS = "talosburst.hcloud.requests";
    /** Timer of HTTP exchanges; Prometheus: {@code talosburst_hcloud_request_duration_seconds}. */
    static final String DURATION = "talosburst.hcloud.request.duration";
    /** Gauge of requests the client believes it may still send; Prometheus: {@code talosburst_hcloud_ratelimit_remaining}. */
    static final String RATELIMIT_REMAINING = "talosburst.hcloud.ratelimit.remaining";
    /** Gauge of Hetzner's last reported {@code RateLimit-Limit}; Prometheus: {@code talosburst_hcloud_ratelimit_limit}. */
    static final String RATELIMIT_LIMIT = "talosburst.hcloud.ratelimit.limit";
    /** Gauge of Hetzner's last reported {@code RateLimit-Remaining}; Prometheus: {@code talosburst_hcloud_ratelimit_reported_remaining}. */
    static final String RATELIMIT_REPORTED = "talosburst.hcloud.ratelimit.reported.remaining";
    /** Timer of time spent waiting for budget; Prometheus: {@code talosburst_hcloud_ratelimit_wait_seconds}. */
    static final String RATELIMIT_WAIT = "talosburst.hcloud.ratelimit.wait";
    /**
     * Gauge of the project's hourly request budget this client spent in the last hour (0–1, e.g. 0.33 = a third);
     * Prometheus: {@code talosburst_hcloud_budget_used_ratio}.
     */
    static final String BUDGET_USED = "talosburst.hcloud.budget.used.ratio";

    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(2500),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30)
    };

    /** Status tag when no HTTP response arrived. */
    static final String NO_RESPONSE = "none";

    private final MeterRegistry registry;
    private final Timer budgetWait;
    /** Last {@code RateLimit-*} headers seen; NaN until the first response carried them. */
    private final AtomicReference<RateLimitHeaders> reported = new AtomicReference<>();

    private final java.time.Clock clock;
    /** Requests per minute of the last hour (ring of 60), for {@link #BUDGET_USED}. */
    private final long[] perMinute = new long[60];

    private final long[] minuteOf = new long[60];

    HcloudMetrics(MeterRegistry registry, RequestBudget budget, java.time.Clock clock, int projectLimit) {
        this.registry = registry;
        this.clock = clock;
        Gauge.builder(BUDGET_USED, this, m -> (double) m.requestsLastHour() / projectLimit)
                .description("Share of the project's hourly Hetzner request budget spent in the last hour")
                .strongReference(true)
                .register(registry);
        Gauge.builder(RATELIMIT_REMAINING, budget, RequestBudget::remaining)
                .description("Requests the client may still send before waiting for Hetzner's bucket to refill")
                .strongReference(true)
                .register(registry);
        Gauge.builder(
                        RATELIMIT_LIMIT,
                        reported,
                        r -> r.get() == null ? Double.NaN : r.get().limit())
                .description("Hetzner's request budget per hour (RateLimit-Limit of the last response; NaN before one)")
                .strongReference(true)
                .register(registry);
        Gauge.builder(
                        RATELIMIT_REPORTED,
                        reported,
                        r -> r.get() == null ? Double.NaN : r.get().remaining())
                .description(
                        "Requests Hetzner says are left (RateLimit-Remaining of the last response; NaN before one)")
                .strongReference(true)
                .register(registry);
        this.budgetWait = Timer.builder(RATELIMIT_WAIT)
                .description("Time spent waiting for request budget")
                .register(registry);
    }

    /** Requests sent in the last 60 minutes. */
    synchronized long requestsLastHour() {
        long minute = clock.millis() / 60_000;
        long sum = 0;
        for (int i = 0; i < 60; i++) {
            if (minute - minuteOf[i] < 60) {
                sum += perMinute[i];
            }
        }
        return sum;
    }

    private synchronized void count() {
        long minute = clock.millis() / 60_000;
        int slot = (int) (minute % 60);
        if (minuteOf[slot] != minute) {
            minuteOf[slot] = minute;
            perMinute[slot] = 0;
        }
        perMinute[slot]++;
    }

    void exchanged(ApiRequest request, String status, long nanos) {
        count();
        Counter.builder(REQUESTS)
                .description("Hetzner API requests sent")
                .tag("endpoint", request.endpoint())
                .tag("method", request.method())
                .tag("status", status)
                .register(registry)
                .increment();
        Timer.builder(DURATION)
                .description("Hetzner API request duration")
                .tag("endpoint", request.endpoint())
                .tag("method", request.method())
                .tag("status", status)
                // A few fixed buckets (not a full percentile histogram) keep histogram_quantile possible at low
                // cardinality.
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Hetzner reported its budget on a response. */
    void reported(RateLimitHeaders headers) {
        reported.set(headers);
    }

    void waitedForBudget(Duration waited) {
        budgetWait.record(waited);
    }
}
