package dev.talosburst.events.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.events.testing.CataloguePrices;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent.HourlyPrice;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class HourlyBillingTest {

    private static final Instant C = Instant.parse("2026-11-20T22:30:00Z");

    @Test
    void everyStartedHourIsBilledAndAtLeastOne() {
        assertThat(HourlyBilling.billableHours(C, C)).isEqualTo(1);
        assertThat(HourlyBilling.billableHours(C, C.plusSeconds(10))).isEqualTo(1);
        assertThat(HourlyBilling.billableHours(C, C.plusSeconds(3600))).isEqualTo(1);
        assertThat(HourlyBilling.billableHours(C, C.plusSeconds(3601))).isEqualTo(2);
        assertThat(HourlyBilling.billableHours(C, C.plusSeconds(3600).plusNanos(1)))
                .isEqualTo(2);
        assertThat(HourlyBilling.billableHours(C, C.plusSeconds(3 * 3600 - 1))).isEqualTo(3);
        // A deletion reported before the creation (clock skew) still costs the first hour, never a negative amount.
        assertThat(HourlyBilling.billableHours(C, C.minusSeconds(60))).isEqualTo(1);
    }

    @Test
    void hoursAreAttributedToTheUtcDayTheyStartOn() {
        assertThat(HourlyBilling.billedHourDays(C, C.plusSeconds(2 * 3600 + 1)))
                .containsExactly(
                        LocalDate.parse("2026-11-20"), LocalDate.parse("2026-11-20"), LocalDate.parse("2026-11-21"));
    }

    @Test
    void amountIsExact() {
        assertThat(HourlyBilling.amount(3, new BigDecimal("0.0071400000000000")))
                .isEqualByComparingTo("0.02142");
    }

    // cx22 in fsn1 per the simulator's catalogue: 0.0060 EUR/h and 3.79 EUR/month net (0.00714 and 4.5101 gross).
    private static final HourlyPrice CX22 = CataloguePrices.of("cx22", "fsn1");
    private static final HourlyBilling.Rate CAPPED =
            new HourlyBilling.Rate(CX22.net(), CX22.gross(), CX22.monthlyNet(), CX22.monthlyGross());
    private static final Instant OCT_1 = Instant.parse("2026-10-01T00:00:00Z");

    @Test
    void catalogueGivesTheHandComputationsTheirInputs() {
        assertThat(CX22.net()).isEqualByComparingTo("0.0060");
        assertThat(CX22.gross()).isEqualByComparingTo("0.00714");
        assertThat(CX22.monthlyNet()).isEqualByComparingTo("3.79");
        assertThat(CX22.monthlyGross()).isEqualByComparingTo("4.5101");
        assertThat(CAPPED.rule()).isEqualTo(HourlyBilling.RULE_MONTHLY_CAP);
    }

    @Test
    void tenHoursStayBelowTheMonthlyCap() {
        HourlyBilling.Amount a = HourlyBilling.amount(OCT_1, OCT_1.plus(Duration.ofHours(10)), CAPPED);
        assertThat(a.net()).isEqualByComparingTo("0.06"); // 10 x 0.0060
        assertThat(a.gross()).isEqualByComparingTo("0.0714"); // 10 x 0.00714
    }

    @Test
    void sevenHundredHoursInOneMonthCostTheMonthlyPrice() {
        // 700 x 0.0060 = 4.20 > 3.79: capped (October has 744 hours, so all 700 are in one month).
        HourlyBilling.Amount a = HourlyBilling.amount(OCT_1, OCT_1.plus(Duration.ofHours(700)), CAPPED);
        assertThat(a.net()).isEqualByComparingTo("3.79");
        assertThat(a.gross()).isEqualByComparingTo("4.5101");
        // Without the monthly price (events written before it was carried) the amount is the uncapped upper bound.
        HourlyBilling.Rate uncapped = new HourlyBilling.Rate(CX22.net(), CX22.gross(), null, null);
        assertThat(uncapped.rule()).isEqualTo(HourlyBilling.RULE);
        assertThat(HourlyBilling.amount(OCT_1, OCT_1.plus(Duration.ofHours(700)), uncapped)
                        .net())
                .isEqualByComparingTo("4.20");
    }

    @Test
    void theCapIsPerUtcCalendarMonthAndTheCrossingHourCostsTheRemainder() {
        // 800 hours from 1 Oct 00:00: 744 in October (capped: 3.79), 56 in November (56 x 0.0060 = 0.336).
        Instant end = OCT_1.plus(Duration.ofHours(800));
        HourlyBilling.Amount a = HourlyBilling.amount(OCT_1, end, CAPPED);
        assertThat(a.net()).isEqualByComparingTo("4.126");
        assertThat(a.gross()).isEqualByComparingTo("4.90994"); // 4.5101 + 56 x 0.00714
        List<HourlyBilling.BilledHour> hours = HourlyBilling.billedHours(OCT_1, end, CAPPED);
        assertThat(hours).hasSize(800);
        // 631 hours cost 3.786; the 632nd costs the 0.004 left below 3.79, later October hours nothing.
        assertThat(hours.get(630).net()).isEqualByComparingTo("0.0060");
        assertThat(hours.get(631).net()).isEqualByComparingTo("0.004");
        assertThat(hours.get(631).gross()).isEqualByComparingTo("0.00476"); // 4.5101 - 631 x 0.00714
        assertThat(hours.get(632).net()).isEqualByComparingTo("0");
        assertThat(hours.get(743).net()).isEqualByComparingTo("0");
        assertThat(hours.get(744).day()).isEqualTo(LocalDate.parse("2026-11-01"));
        assertThat(hours.get(744).net()).isEqualByComparingTo("0.0060");
    }
}
