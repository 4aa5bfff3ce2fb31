package dev.talosburst.hcloudsim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitTest extends SimulatorTestSupport {

    @Override
    protected SimulatorOptions.Builder options(SimulatorOptions.Builder defaults) {
        return defaults.rateLimit(5, 1.0);
    }

    @Test
    void everyResponseCarriesRateLimitHeaders() {
        ApiClient.Reply ok = api.get("/locations");
        ApiClient.Reply unauthorized = api.withToken("wrong").get("/locations");
        ApiClient.Reply notFound = api.get("/servers/1");

        for (ApiClient.Reply r : new ApiClient.Reply[] {ok, unauthorized, notFound}) {
            assertThat(r.header("RateLimit-Limit")).isEqualTo("5");
            assertThat(r.header("RateLimit-Remaining")).isNotNull();
            assertThat(r.header("RateLimit-Reset")).isNotNull();
            assertThat(r.header("X-Correlation-Id")).isNotBlank();
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
        }
        assertThat(ok.header("RateLimit-Remaining")).isEqualTo("4");
        assertThat(unauthorized.header("RateLimit-Remaining"))
                .as("unauthenticated requests count too")
                .isEqualTo("3");
        assertThat(notFound.header("RateLimit-Remaining")).isEqualTo("2");
        long now = START.getEpochSecond();
        assertThat(Long.parseLong(notFound.header("RateLimit-Reset")))
                .as("full again in 3 s")
                .isEqualTo(now + 3);
    }

    @Test
    void exhaustedBucketAnswers429UntilItRefills() {
        for (int i = 0; i < 5; i++) {
            assertThat(api.get("/locations").status()).isEqualTo(200);
        }
        ApiClient.Reply limited = api.get("/locations");
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.errorCode()).isEqualTo("rate_limit_exceeded");
        assertThat(limited.header("RateLimit-Remaining")).isEqualTo("0");
        assertThat(Long.parseLong(limited.header("RateLimit-Reset"))).isEqualTo(START.getEpochSecond() + 5);
        assertThat(api.createServer("blocked", null).status())
                .as("a limited POST does not take effect")
                .isEqualTo(429);
        assertThat(sim.inspect().servers()).isEmpty();

        clock.advance(Duration.ofMillis(999));
        assertThat(api.get("/locations").status()).isEqualTo(429);
        clock.advance(Duration.ofMillis(1));
        ApiClient.Reply refilled = api.get("/locations");
        assertThat(refilled.status()).isEqualTo(200);
        assertThat(refilled.header("RateLimit-Remaining")).isEqualTo("0");

        clock.advance(Duration.ofHours(1));
        assertThat(api.get("/locations").header("RateLimit-Remaining"))
                .as("never above capacity")
                .isEqualTo("4");
        assertThat(sim.inspect().rateLimitRemaining()).isEqualTo(4);
    }

    @Test
    void drainedBucketGivesGenuine429sUntilRefilled() {
        sim.faults().drainRateLimit();

        ApiClient.Reply limited = api.get("/servers");

        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.header("RateLimit-Remaining")).isEqualTo("0");
        assertThat(Long.parseLong(limited.header("RateLimit-Reset"))).isEqualTo(START.getEpochSecond() + 5);
        clock.advance(Duration.ofSeconds(2));
        assertThat(api.get("/servers").status()).isEqualTo(200);
    }
}
