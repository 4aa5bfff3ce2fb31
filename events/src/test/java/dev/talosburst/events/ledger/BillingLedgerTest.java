package dev.talosburst.events.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.events.model.NodeEventMapper;
import dev.talosburst.events.testing.CataloguePrices;
import dev.talosburst.events.testing.EngineEvents;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ledger applies Hetzner's monthly cap per server and calendar month, with prices from the simulator's catalogue. */
class BillingLedgerTest {

    // cx22 in fsn1: 0.0060 EUR/h, at most 3.79 EUR/month net (0.00714 / 4.5101 gross).
    private final EngineEvents pool = new EngineEvents("cap", "cx22", "fsn1", CataloguePrices.of("cx22", "fsn1"));
    private final NodeEventMapper mapper = new NodeEventMapper(NodeEventMapper.DATA_SCHEMA_V1);

    @Test
    void aServerRunningPastTheCapCostsTheMonthlyPriceAndAShortOneItsHours() {
        Instant longCreated = Instant.parse("2026-10-01T00:00:00Z");
        Instant shortCreated = Instant.parse("2026-10-10T10:00:00Z");
        List<LifecycleEvent> events = new ArrayList<>();
        // "cap-long": 800 hours from 1 Oct 00:00 -> 744 h in October (capped at 3.79), 56 h in November (0.336).
        events.addAll(pool.serverUp("cap-long", 1, longCreated.minusSeconds(20)));
        events.addAll(
                pool.serverDown("cap-long", 1, longCreated.minusSeconds(20), longCreated.plus(Duration.ofHours(800))));
        // "cap-short": 10 hours -> 0.06, far below the cap.
        events.addAll(pool.serverUp("cap-short", 2, shortCreated.minusSeconds(20)));
        events.addAll(pool.serverDown(
                "cap-short", 2, shortCreated.minusSeconds(20), shortCreated.plus(Duration.ofHours(10))));

        BillingLedger ledger = new BillingLedger();
        events.forEach(e -> ledger.accept(mapper.toCloudEvent(e)));
        Instant now = Instant.parse("2026-12-01T00:00:00Z");

        PoolDayUsage total = ledger.totalsByPool(now).get("cap").get("EUR");
        assertThat(total.nodeHours()).isEqualTo(810);
        assertThat(total.amountNet()).isEqualByComparingTo("4.186"); // 3.79 + 0.336 + 0.06
        assertThat(total.amountGross()).isEqualByComparingTo("4.98134"); // 4.5101 + 56 x 0.00714 + 10 x 0.00714

        // The day the cap is crossed: hours 625..632 of the long server start on 27 Oct; 7 x 0.0060 + the 0.004 left.
        assertThat(day(ledger, now, "2026-10-27").amountNet()).isEqualByComparingTo("0.046");
        // After the cap the hours still count, at no cost, until the month ends.
        PoolDayUsage oct28 = day(ledger, now, "2026-10-28");
        assertThat(oct28.nodeHours()).isEqualTo(24);
        assertThat(oct28.amountNet()).isEqualByComparingTo(BigDecimal.ZERO);
        assertThat(day(ledger, now, "2026-11-01").amountNet())
                .isEqualByComparingTo("0.144"); // 24 x 0.0060, a new month
        // The short server's day: its 10 hours plus the long server's 24 (still below the cap on 10 Oct).
        assertThat(day(ledger, now, "2026-10-10").amountNet()).isEqualByComparingTo("0.204"); // 34 x 0.0060
    }

    private static PoolDayUsage day(BillingLedger ledger, Instant now, String day) {
        return ledger.usage(now).stream()
                .filter(u -> u.day().equals(LocalDate.parse(day)))
                .findFirst()
                .orElseThrow();
    }
}
