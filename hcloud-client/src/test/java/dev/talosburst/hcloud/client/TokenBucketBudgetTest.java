package dev.talosburst.hcloud.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenBucketBudgetTest {

    /** A clock that only moves when the budget sleeps. */
    static final class VirtualTime extends Clock implements Sleeper {
        Instant now = Instant.parse("2026-11-26T00:00:00Z");
        final List<Duration> sleeps = new ArrayList<>();

        @Override
        public void sleep(Duration duration) {
            sleeps.add(duration);
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void hands_out_capacity_without_waiting_then_one_per_refill_interval() throws Exception {
        VirtualTime time = new VirtualTime();
        TokenBucketBudget budget = new TokenBucketBudget(3600, time, time);
        for (int i = 0; i < 3600; i++) {
            assertThat(budget.acquire()).isZero();
        }
        assertThat(budget.remaining()).isZero();
        assertThat(budget.acquire()).isEqualTo(Duration.ofSeconds(1));
        assertThat(budget.acquire()).isEqualTo(Duration.ofSeconds(1));
        assertThat(time.sleeps).hasSize(2);
    }

    @Test
    void refill_rate_follows_capacity_per_hour() throws Exception {
        VirtualTime time = new VirtualTime();
        TokenBucketBudget budget = new TokenBucketBudget(60, time, time);
        for (int i = 0; i < 60; i++) {
            budget.acquire();
        }
        assertThat(budget.timeUntilNextRequest()).isEqualTo(Duration.ofMinutes(1));
        time.now = time.now.plus(Duration.ofMinutes(30));
        assertThat(budget.remaining()).isEqualTo(30);
        time.now = time.now.plus(Duration.ofHours(5));
        assertThat(budget.remaining()).as("never more than capacity").isEqualTo(60);
    }

    @Test
    void hetzners_remaining_lowers_the_estimate_but_never_raises_it() throws Exception {
        VirtualTime time = new VirtualTime();
        TokenBucketBudget budget = new TokenBucketBudget(3600, time, time);
        budget.observe(new RateLimitHeaders(3600, 10, time.now.plusSeconds(3590)));
        assertThat(budget.remaining()).isEqualTo(10);
        budget.observe(new RateLimitHeaders(3600, 3000, null));
        assertThat(budget.remaining())
                .as("a stale, higher number must not hand out tokens twice")
                .isEqualTo(10);
        for (int i = 0; i < 10; i++) {
            assertThat(budget.acquire()).isZero();
        }
        assertThat(budget.acquire()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void a_smaller_limit_reported_by_hetzner_shrinks_the_bucket_and_slows_the_refill() throws Exception {
        VirtualTime time = new VirtualTime();
        TokenBucketBudget budget = new TokenBucketBudget(3600, time, time);
        budget.observe(new RateLimitHeaders(1800, 0, null));
        assertThat(budget.acquire()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void after_429_waits_one_refill_interval_or_longer_when_the_reset_says_so() throws Exception {
        VirtualTime time = new VirtualTime();
        TokenBucketBudget budget = new TokenBucketBudget(3600, time, time);
        budget.exhausted(new RateLimitHeaders(3600, 0, time.now.plusSeconds(3600)));
        assertThat(budget.timeUntilNextRequest()).isEqualTo(Duration.ofSeconds(1));
        assertThat(budget.acquire()).isEqualTo(Duration.ofSeconds(1));

        // Reset 100 s away although only one request is missing: Hetzner refills slower than documented; honour it.
        budget.exhausted(new RateLimitHeaders(3600, 3599, time.now.plusSeconds(100)));
        assertThat(budget.acquire()).isEqualTo(Duration.ofSeconds(100));
    }

    @Test
    void after_429_without_headers_waits_one_interval() throws Exception {
        VirtualTime time = new VirtualTime();
        TokenBucketBudget budget = new TokenBucketBudget(3600, time, time);
        budget.exhausted(null);
        assertThat(budget.remaining()).isZero();
        assertThat(budget.acquire()).isEqualTo(Duration.ofSeconds(1));
    }
}
