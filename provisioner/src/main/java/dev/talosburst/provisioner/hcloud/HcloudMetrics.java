package dev.talosburst.provisioner.hcloud;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The client's own meters. Tags are templated endpoints ({@code /servers/{id}}), methods and statuses only: never ids,
 * query values, names or anything secret.
 */
final class HcloudMetrics {

    /** Counter of HTTP requests sent; Prometheus: {@code hcloud_api_requests_total{endpoint,method,status}}. */
    static final String REQUESTS = "hcloud.api.requests";
    /** Timer of HTTP exchanges; Prometheus: {@code hcloud_api_request_duration_seconds}. */
    static final String DURATION = "hcloud.api.request.duration";
    /** Gauge of requests the client believes it may still send; Prometheus: {@code hcloud_api_ratelimit_remaining}. */
    static final String RATELIMIT_REMAINING = "hcloud.api.ratelimit.remaining";
    /**
     * Gauge of the project's hourly request budget this client spent in the last hour (0–1, e.g. 0.33 = a third);
     * Prometheus: {@code hcloud_api_budget_used_ratio}.
     */
    static final String BUDGET_USED = "hcloud.api.budget.used.ratio";
    /** Timer of time spent waiting for budget; Prometheus: {@code hcloud_api_ratelimit_wait_seconds}. */
    static final String RATELIMIT_WAIT = "hcloud.api.ratelimit.wait";

    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    /** Status tag when no HTTP response arrived. */
    static final String NO_RESPONSE = "none";

    private final MeterRegistry registry;
    private final Timer budgetWait;
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
        this.budgetWait = Timer.builder(RATELIMIT_WAIT).description("Time spent waiting for request budget").register(registry);
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
        Counter.builder(REQUESTS).description("Hetzner API requests sent")
                .tag("endpoint", request.endpoint()).tag("method", request.method()).tag("status", status)
                .register(registry).increment();
        Timer.builder(DURATION).description("Hetzner API request duration")
                .tag("endpoint", request.endpoint()).tag("method", request.method()).tag("status", status)
                // A few fixed buckets (not a full percentile histogram) keep histogram_quantile possible at low cardinality.
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    void waitedForBudget(Duration waited) {
        budgetWait.record(waited);
    }
}
