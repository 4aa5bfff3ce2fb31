package dev.talosburst.hcloud.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.talosburst.provisioner.cloud.CloudApiException;
import dev.talosburst.provisioner.cloud.CloudApiException.Kind;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.exception.AcquirePermissionCancelledException;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Sends {@link ApiRequest}s to Hetzner with the token, the request budget, a bulkhead, one circuit breaker per
 * {@link EndpointFamily} and retries with jittered exponential backoff; turns every failure into a classified
 * {@link CloudApiException}.
 *
 * <p>Order per attempt: breaker permission (fail fast, nothing sent) → bulkhead slot → budget unit → HTTP. The retry loop
 * wraps the attempts and sleeps through the injected {@link Sleeper}; Resilience4j's Retry is driven through its
 * {@code AsyncContext} (which returns the delay instead of sleeping), because its synchronous path sleeps with a JVM-global
 * function tests could not virtualise per client.
 */
final class HcloudTransport {

    private static final Logger LOG = Logger.getLogger(HcloudTransport.class);
    private static final String USER_AGENT = "talos-burst-hcloud-client";

    private final URI base;
    private final ApiToken token;
    private final Duration requestTimeout;
    private final RequestBudget budget;
    private final Sleeper sleeper;
    private final HttpClient http;
    private final ObjectMapper json;
    private final HcloudMetrics metrics;
    private final Bulkhead bulkhead;
    private final Map<EndpointFamily, CircuitBreaker> breakers = new EnumMap<>(EndpointFamily.class);
    private final Map<EndpointFamily, Retry> retries = new EnumMap<>(EndpointFamily.class);
    private final Clock clock;
    /** When a failure that is being retried was last logged: said at once, then at most once a minute. */
    private java.time.Instant retryLoggedAt;

    HcloudTransport(
            HcloudSettings settings,
            RequestBudget budget,
            Clock clock,
            Sleeper sleeper,
            MeterRegistry registry,
            HttpClient http,
            ObjectMapper json) {
        String basePath = settings.endpoint().toString();
        this.base = URI.create(basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath);
        this.token = settings.token();
        this.clock = clock;
        this.requestTimeout = settings.requestTimeout();
        this.budget = budget;
        this.sleeper = sleeper;
        this.http = http;
        this.json = json;
        this.metrics = new HcloudMetrics(registry, budget, clock, settings.budgetCapacity());

        CircuitBreakerConfig breakerConfig = CircuitBreakerConfig.custom()
                .slidingWindow(
                        settings.breakerWindow(),
                        settings.breakerMinimumCalls(),
                        CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .failureRateThreshold(settings.breakerFailureRate())
                .waitDurationInOpenState(settings.breakerOpenDuration())
                .permittedNumberOfCallsInHalfOpenState(1)
                .recordException(ErrorClassification::isHealthFailure)
                .clock(clock)
                .build();
        CircuitBreakerRegistry breakerRegistry = CircuitBreakerRegistry.of(breakerConfig);
        RetryConfig retryConfig = RetryConfig.custom()
                .maxAttempts(settings.maxRetries() + 1)
                .retryOnException(ErrorClassification::isWorthRetryingNow)
                .intervalBiFunction(backoff(settings.retryBase(), settings.retryCap()))
                .build();
        RetryRegistry retryRegistry = RetryRegistry.of(retryConfig);
        for (EndpointFamily family : EndpointFamily.values()) {
            CircuitBreaker breaker = breakerRegistry.circuitBreaker(family.breakerName());
            // Operators must see when a family of Hetzner endpoints is cut off and when it comes back.
            breaker.getEventPublisher()
                    .onStateTransition(e ->
                            LOG.warnf("Circuit breaker %s: %s", e.getCircuitBreakerName(), e.getStateTransition()));
            breakers.put(family, breaker);
            retries.put(family, retryRegistry.retry(family.breakerName()));
        }
        BulkheadRegistry bulkheadRegistry = BulkheadRegistry.of(BulkheadConfig.custom()
                .maxConcurrentCalls(settings.maxConcurrentRequests())
                .maxWaitDuration(settings.bulkheadMaxWait())
                .build());
        this.bulkhead = bulkheadRegistry.bulkhead("hcloud");
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakerRegistry).bindTo(registry);
        TaggedRetryMetrics.ofRetryRegistry(retryRegistry).bindTo(registry);
        TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheadRegistry).bindTo(registry);
    }

    /** The breaker guarding a family (exposed for health checks and tests). */
    CircuitBreaker breaker(EndpointFamily family) {
        return breakers.get(family);
    }

    /**
     * Sends the request, retrying what is worth retrying; returns the parsed JSON body ({@link MissingNode} when empty).
     *
     * @throws CloudApiException classified failure after the last attempt
     */
    JsonNode send(ApiRequest request) {
        Retry.AsyncContext<Object> retry = retries.get(request.family()).asyncContext();
        int attempt = 1;
        while (true) {
            try {
                JsonNode result = attempt(request);
                retry.onComplete();
                return result;
            } catch (CloudApiException failure) {
                long delayMillis = retry.onError(failure);
                if (delayMillis < 0) {
                    throw failure;
                }
                LOG.debugf(
                        "Retrying %s in %d ms (attempt %d failed: %s)",
                        request, delayMillis, attempt, failure.getMessage());
                announceRetry(failure, delayMillis, attempt);
                pause(request, Duration.ofMillis(delayMillis));
                attempt++;
            }
        }
    }

    private JsonNode attempt(ApiRequest request) {
        CircuitBreaker breaker = breakers.get(request.family());
        if (!breaker.tryAcquirePermission()) {
            throw new CloudApiException(
                    Kind.RETRYABLE,
                    ErrorClassification.CIRCUIT_OPEN,
                    0,
                    "Hetzner API " + request + " at " + base + " not sent: circuit breaker " + breaker.getName()
                            + " is open after repeated server errors or timeouts; it lets a probe through after the open period",
                    null);
        }
        long start = System.nanoTime();
        try {
            JsonNode result = withinBulkhead(request);
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            return result;
        } catch (CloudApiException failure) {
            if (ErrorClassification.BULKHEAD_FULL.equals(failure.code())
                    || ErrorClassification.INTERRUPTED.equals(failure.code())) {
                // Nothing reached Hetzner: neither success nor failure for the breaker.
                breaker.releasePermission();
            } else {
                // The breaker's recordException predicate decides whether this counts as a failure (5xx, no answer) or
                // not (4xx).
                breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, failure);
            }
            throw failure;
        } catch (RuntimeException unexpected) {
            breaker.releasePermission();
            throw unexpected;
        }
    }

    private JsonNode withinBulkhead(ApiRequest request) {
        try {
            bulkhead.acquirePermission();
        } catch (AcquirePermissionCancelledException e) {
            // the worker was interrupted (shut down) while waiting for a free slot: nothing was sent
            throw interrupted(request, e);
        } catch (BulkheadFullException e) {
            throw new CloudApiException(
                    Kind.RETRYABLE,
                    ErrorClassification.BULKHEAD_FULL,
                    0,
                    "Hetzner API " + request + " not sent: "
                            + bulkhead.getBulkheadConfig().getMaxConcurrentCalls() + " requests already in flight",
                    null);
        }
        try {
            Duration waited = budget.acquire();
            metrics.waitedForBudget(waited);
            if (!waited.isZero()) {
                LOG.debugf("Waited %d ms for request budget before %s", waited.toMillis(), request);
            }
            return exchange(request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(request, e);
        } finally {
            bulkhead.onComplete();
        }
    }

    private JsonNode exchange(ApiRequest request) throws InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + request.path() + request.queryString()))
                .timeout(requestTimeout)
                .header("Authorization", token.authorizationHeader())
                .header("Accept", "application/json")
                .header("User-Agent", USER_AGENT);
        if (request.body() != null) {
            builder.header("Content-Type", "application/json")
                    .method(request.method(), HttpRequest.BodyPublishers.ofByteArray(request.body()));
        } else {
            builder.method(request.method(), HttpRequest.BodyPublishers.noBody());
        }
        long start = System.nanoTime();
        HttpResponse<String> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            metrics.exchanged(request, HcloudMetrics.NO_RESPONSE, System.nanoTime() - start);
            LOG.debugf(
                    "%s got no response after %d ms: %s",
                    request,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                    e.getClass().getSimpleName());
            throw ErrorClassification.fromNetwork(request, e, base);
        }
        long nanos = System.nanoTime() - start;
        int status = response.statusCode();
        metrics.exchanged(request, Integer.toString(status), nanos);
        Optional<RateLimitHeaders> rateLimit = RateLimitHeaders.from(response.headers());
        rateLimit.ifPresent(metrics::reported);
        String correlationId = response.headers().firstValue("X-Correlation-Id").orElse(null);
        if (status == 429) {
            budget.exhausted(rateLimit.orElse(null));
        } else {
            rateLimit.ifPresent(budget::observe);
        }
        LOG.debugf(
                "%s -> %d in %d ms (remaining budget %d, X-Correlation-Id %s)",
                request, status, TimeUnit.NANOSECONDS.toMillis(nanos), budget.remaining(), correlationId);
        if (status >= 200 && status < 300) {
            String body = response.body();
            if (body == null || body.isBlank()) {
                return MissingNode.getInstance();
            }
            try {
                return json.readTree(body);
            } catch (IOException e) {
                throw new CloudApiException(
                        Kind.RETRYABLE,
                        "invalid_response",
                        status,
                        "Hetzner API " + request + " answered HTTP " + status + " with a body that is not JSON",
                        correlationId);
            }
        }
        CloudApiException failure = ErrorClassification.fromResponse(
                request, status, response.body(), correlationId, json, text -> token.scrub(request.scrub(text)));
        LOG.debugf("%s failed: %s", request, failure.getMessage());
        throw failure;
    }

    /**
     * Hetzner not answering is said at once (not only after every retry failed, which takes half a minute), then at most
     * once a minute while it lasts.
     */
    private void announceRetry(CloudApiException failure, long delayMillis, int attempt) {
        if (!ErrorClassification.isHealthFailure(failure)) {
            return;
        }
        java.time.Instant now = clock.instant();
        synchronized (this) {
            if (retryLoggedAt != null && now.isBefore(retryLoggedAt.plus(Duration.ofMinutes(1)))) {
                return;
            }
            retryLoggedAt = now;
        }
        LOG.warnf(
                "Hetzner Cloud API at %s is not answering: %s; retrying in %d ms (attempt %d)",
                base, failure.getMessage(), delayMillis, attempt);
    }

    private void pause(ApiRequest request, Duration delay) {
        try {
            sleeper.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(request, e);
        }
    }

    private CloudApiException interrupted(ApiRequest request, Exception e) {
        return new CloudApiException(
                Kind.RETRYABLE,
                ErrorClassification.INTERRUPTED,
                0,
                "Hetzner API " + request + " interrupted while waiting",
                null,
                e);
    }

    /**
     * Full-jitter exponential backoff (hcloud-go's policy: base, doubling, capped), and never sooner than the request
     * budget allows after a 429.
     */
    private IntervalBiFunction<Object> backoff(Duration base, Duration cap) {
        return (attempt, outcome) -> {
            long baseMillis = base.toMillis();
            long ceiling = Math.min(cap.toMillis(), baseMillis << Math.min(attempt - 1, 20));
            long delay = ceiling <= baseMillis
                    ? baseMillis
                    : ThreadLocalRandom.current().nextLong(baseMillis, ceiling + 1);
            if (outcome.isLeft() && outcome.getLeft() instanceof CloudApiException e && e.httpStatus() == 429) {
                delay = Math.max(delay, budget.timeUntilNextRequest().toMillis());
            }
            return delay;
        };
    }
}
