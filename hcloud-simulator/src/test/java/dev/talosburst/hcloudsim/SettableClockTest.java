package dev.talosburst.hcloudsim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class SettableClockTest {

    @Test
    void movesOnlyWhenTold() {
        SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(clock.instant()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(clock.advance(Duration.ofSeconds(90))).isEqualTo(Instant.parse("2026-01-01T00:01:30Z"));
        clock.set(Instant.parse("2030-01-01T00:00:00Z"));
        assertThat(clock.millis())
                .isEqualTo(Instant.parse("2030-01-01T00:00:00Z").toEpochMilli());
    }

    @Test
    void zonedViewSharesTime() {
        SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
        var berlin = clock.withZone(ZoneId.of("Europe/Berlin"));
        clock.advance(Duration.ofHours(1));
        assertThat(berlin.instant()).isEqualTo(clock.instant());
        assertThat(berlin.getZone()).isEqualTo(ZoneId.of("Europe/Berlin"));
    }
}
