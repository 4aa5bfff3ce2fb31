package dev.talosburst.hcloud.client;

import java.time.Duration;

/**
 * The client's share of Hetzner's request budget. Every HTTP request takes one unit first, waiting when none is left,
 * so the client slows down instead of earning {@code 429 rate_limit_exceeded}.
 */
public interface RequestBudget {

    /** Takes one request unit, waiting (through the injected sleeper) until one is available; returns how long it waited. */
    Duration acquire() throws InterruptedException;

    /** Re-synchronises with what Hetzner reported on a response. */
    void observe(RateLimitHeaders headers);

    /** Hetzner said {@code 429}: nothing is left until the next refill (or the reported reset, if sooner). */
    void exhausted(RateLimitHeaders headersOrNull);

    /** How long until the next unit is available (zero when one is available now). */
    Duration timeUntilNextRequest();

    /** Units available right now (whole requests). */
    long remaining();
}
