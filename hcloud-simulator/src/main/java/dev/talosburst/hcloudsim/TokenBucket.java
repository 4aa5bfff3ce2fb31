package dev.talosburst.hcloudsim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** Hetzner's rate limit: a bucket of {@code capacity} requests refilled gradually, driven by the clock. */
final class TokenBucket {

    /** The outcome of one request against the bucket, with the values for the {@code RateLimit-*} headers. */
    record Outcome(boolean allowed, int limit, int remaining, long resetEpochSecond) {}

    private final Clock clock;
    private final int capacity;
    private final double refillPerSecond;
    private double tokens;
    private Instant last;

    TokenBucket(Clock clock, int capacity, double refillPerSecond) {
        this.clock = clock;
        this.capacity = capacity;
        this.refillPerSecond = refillPerSecond;
        this.tokens = capacity;
        this.last = clock.instant();
    }

    /** Takes one token if there is one. */
    synchronized Outcome take() {
        refill();
        boolean allowed = tokens >= 1.0;
        if (allowed) {
            tokens -= 1.0;
        }
        return outcome(allowed);
    }

    /** The current state without taking a token. */
    synchronized Outcome peek() {
        refill();
        return outcome(true);
    }

    /** Empties the bucket. */
    synchronized void drain() {
        tokens = 0;
        last = clock.instant();
    }

    private void refill() {
        Instant now = clock.instant();
        if (now.isAfter(last)) {
            double seconds = Duration.between(last, now).toNanos() / 1e9;
            tokens = Math.min(capacity, tokens + seconds * refillPerSecond);
        }
        // A clock set backwards must not refill or drain the bucket; it simply restarts counting from there.
        last = now;
    }

    private Outcome outcome(boolean allowed) {
        long secondsToFull = (long) Math.ceil((capacity - tokens) / refillPerSecond);
        long reset = clock.instant().getEpochSecond() + secondsToFull;
        return new Outcome(allowed, capacity, (int) Math.floor(tokens), reset);
    }
}
