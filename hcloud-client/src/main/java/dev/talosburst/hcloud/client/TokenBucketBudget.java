package dev.talosburst.hcloud.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A token bucket mirroring Hetzner's: {@code capacity} requests, refilled evenly over one hour (3600/h = one per second).
 *
 * <p>Written by hand rather than with Resilience4j's RateLimiter because that one refills in fixed periods and cannot be
 * re-synchronised from {@code RateLimit-Remaining}; other clients (Terraform, the CLI) spend the same project budget, so
 * Hetzner's number must be able to lower ours. Time comes from the injected {@link Clock} and waits go through the
 * injected {@link Sleeper}, so tests run on virtual time.
 */
public final class TokenBucketBudget implements RequestBudget {

    private static final Duration HOUR = Duration.ofHours(1);

    private final Clock clock;
    private final Sleeper sleeper;
    private final double share;
    private long capacity;
    private long refillNanos;
    private double tokens;
    private Instant lastRefill;
    /** Earliest moment the next token may be taken after a 429 (null when not blocked). */
    private Instant blockedUntil;

    public TokenBucketBudget(long capacity, Clock clock, Sleeper sleeper) {
        this(capacity, 1.0, clock, sleeper);
    }

    /**
     * @param projectLimit the project's requests per hour (Hetzner: 3600)
     * @param share        the part of it this client may spend (0–1]: the bucket holds and refills {@code share × limit}
     */
    public TokenBucketBudget(long projectLimit, double share, Clock clock, Sleeper sleeper) {
        if (projectLimit < 1) {
            throw new IllegalArgumentException("budget capacity must be at least 1, got " + projectLimit);
        }
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("budget share must be above 0 and at most 1, got " + share);
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.share = share;
        long capacity = ours(projectLimit);
        this.capacity = capacity;
        this.refillNanos = HOUR.toNanos() / capacity;
        this.tokens = capacity;
        this.lastRefill = clock.instant();
    }

    @Override
    public Duration acquire() throws InterruptedException {
        Duration waited = Duration.ZERO;
        while (true) {
            Duration wait;
            synchronized (this) {
                Instant now = clock.instant();
                refill(now);
                if (tokens >= 1 && (blockedUntil == null || !now.isBefore(blockedUntil))) {
                    tokens -= 1;
                    blockedUntil = null;
                    return waited;
                }
                wait = waitFrom(now);
            }
            // Sleep outside the lock so observe() from other responses can still lower or raise the estimate.
            sleeper.sleep(wait);
            waited = waited.plus(wait);
        }
    }

    @Override
    public synchronized void observe(RateLimitHeaders headers) {
        Instant now = clock.instant();
        refill(now);
        long ours = ours(headers.limit());
        if (ours != capacity) {
            capacity = ours;
            refillNanos = HOUR.toNanos() / capacity;
        }
        // Hetzner is the source of truth about what is left, but only ever lowers our estimate: a response that was
        // in flight while we refilled must not hand out tokens twice.
        tokens = Math.min(Math.min(tokens, headers.remaining()), capacity);
    }

    @Override
    public synchronized void exhausted(RateLimitHeaders headersOrNull) {
        Instant now = clock.instant();
        if (headersOrNull != null) {
            observe(headersOrNull);
        }
        tokens = 0;
        lastRefill = now;
        // The next unit appears after one refill interval, or later when the reported reset implies a slower refill
        // (reset = when the bucket is full again): Hetzner's word wins whenever it asks us to wait longer.
        long waitNanos = refillNanos;
        if (headersOrNull != null
                && headersOrNull.reset() != null
                && headersOrNull.reset().isAfter(now)) {
            long missing = Math.max(1, headersOrNull.limit() - headersOrNull.remaining());
            waitNanos = Math.max(
                    waitNanos, Duration.between(now, headersOrNull.reset()).toNanos() / missing);
        }
        Instant next = now.plusNanos(waitNanos);
        blockedUntil = next;
    }

    @Override
    public synchronized Duration timeUntilNextRequest() {
        Instant now = clock.instant();
        refill(now);
        if (tokens >= 1 && (blockedUntil == null || !now.isBefore(blockedUntil))) {
            return Duration.ZERO;
        }
        return waitFrom(now);
    }

    @Override
    public synchronized long remaining() {
        refill(clock.instant());
        return (long) Math.floor(tokens);
    }

    private Duration waitFrom(Instant now) {
        if (blockedUntil != null && now.isBefore(blockedUntil)) {
            return Duration.between(now, blockedUntil);
        }
        double missing = 1 - tokens;
        long nanos = (long) Math.ceil(missing * refillNanos);
        return Duration.ofNanos(Math.max(nanos, 1_000_000));
    }

    /** Our part of a project limit: never more than the share, never less than one request. */
    private long ours(long projectLimit) {
        return Math.max(1, (long) Math.floor(projectLimit * share));
    }

    private void refill(Instant now) {
        if (now.isAfter(lastRefill)) {
            long elapsed = Duration.between(lastRefill, now).toNanos();
            tokens = Math.min(capacity, tokens + (double) elapsed / refillNanos);
            lastRefill = now;
        }
    }

    @Override
    public synchronized String toString() {
        return "TokenBucketBudget[capacity=" + capacity + ", remaining=" + (long) Math.floor(tokens) + "]";
    }
}
