package dev.talosburst.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class HetznerRequestTest {

    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    @Test
    void aFailedRequestIsDueAfterItsBackOffAndNeverWhileOneIsInFlight() {
        HetznerRequest r = new HetznerRequest();
        assertThat(r.take()).isTrue();
        assertThat(r.take()).as("one at a time").isFalse();
        r.failed(T0.plusSeconds(10));
        assertThat(r.inFlight()).isFalse();
        assertThat(r.retryDue(T0.plusSeconds(9))).isFalse();
        assertThat(r.retryDue(T0.plusSeconds(10))).isTrue();
        assertThat(r.take()).isTrue();
        assertThat(r.retryDue(T0.plusSeconds(20)))
                .as("taken: the retry is this one")
                .isFalse();
        r.ended();
        assertThat(r.retryDue(T0.plusSeconds(20))).isFalse();
    }

    @Test
    void aRetryCanBeTakenOrBroughtForwardButNotWhileInFlight() {
        HetznerRequest r = new HetznerRequest();
        r.failed(T0.plusSeconds(60));
        r.retryNow(T0);
        assertThat(r.retryDue(T0)).isTrue();
        r.retryTaken();
        assertThat(r.retryDue(T0.plusSeconds(120))).isFalse();

        r.take();
        r.retryNow(T0);
        r.ended();
        assertThat(r.retryDue(T0))
                .as("not scheduled while the request was in flight")
                .isFalse();
    }

    @Test
    void anAbandonedRequestIsNotRetried() {
        HetznerRequest r = new HetznerRequest();
        r.take();
        r.failed(null);
        assertThat(r.retryDue(T0.plusSeconds(3600))).isFalse();
        assertThat(r.take()).isTrue();
    }
}
