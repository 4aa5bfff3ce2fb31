package dev.talosburst.events.billing;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;

class HourlyBillingTest {

    private static final Instant C = Instant.parse("2026-11-20T22:30:00Z");

    @Test
    void everyStartedHourIsBilledAndAtLeastOne() {
        assertThat(HourlyBilling.billableHours(C, C)).isEqualTo(1);
        assertThat(HourlyBilling.billableHours(C, C.plusSeconds(10))).isEqualTo(1);
        assertThat(HourlyBilling.billableHours(C, C.plusSeconds(3600))).isEqualTo(1);
        assertThat(HourlyBilling.billableHours(C, C.plusSeconds(3601))).isEqualTo(2);
        assertThat(HourlyBilling.billableHours(C, C.plusSeconds(3600).plusNanos(1))).isEqualTo(2);
        assertThat(HourlyBilling.billableHours(C, C.plusSeconds(3 * 3600 - 1))).isEqualTo(3);
        // A deletion reported before the creation (clock skew) still costs the first hour, never a negative amount.
        assertThat(HourlyBilling.billableHours(C, C.minusSeconds(60))).isEqualTo(1);
    }

    @Test
    void hoursAreAttributedToTheUtcDayTheyStartOn() {
        assertThat(HourlyBilling.billedHourDays(C, C.plusSeconds(2 * 3600 + 1))).containsExactly(
                LocalDate.parse("2026-11-20"), LocalDate.parse("2026-11-20"), LocalDate.parse("2026-11-21"));
    }

    @Test
    void amountIsExact() {
        assertThat(HourlyBilling.amount(3, new BigDecimal("0.0071400000000000"))).isEqualByComparingTo("0.02142");
    }
}
