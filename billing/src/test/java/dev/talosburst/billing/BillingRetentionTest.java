package dev.talosburst.billing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.events.ledger.PoolDayUsage;
import dev.talosburst.events.model.NodeCloudEvent;
import dev.talosburst.events.model.NodeEventMapper;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The billing book stays bounded: as the (injected) clock moves the retention window on, events of servers finished
 * before it leave the store and the id set (their cost kept in per-pool totals), per-day usage before it leaves
 * {@code /usage}, and events inside it are still recognised after a restart.
 */
class BillingRetentionTest {

    private static final NodeEventMapper MAPPER = new NodeEventMapper(NodeEventMapper.DATA_SCHEMA_V1);

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        private Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        void set(Instant at) {
            now = at;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void eventsOlderThanTheWindowArePrunedTheFileShrinksAndEventsInsideItStayDeduplicatedAfterARestart(
            @TempDir Path dir) throws Exception {
        // A and B (20th-21st), C on the 28th: A 3 hours, B 2, C 3 = 8 hours at 0.0060 net, 0.007140 gross
        List<NodeCloudEvent> old = cloudEvents(BillingEvents.twoServersOfPoolBurst());
        List<NodeCloudEvent> recent = cloudEvents(List.of(BillingEvents.server(
                "burst-c", 3L, Instant.parse("2026-11-28T10:00:00Z"), Instant.parse("2026-11-28T12:30:00Z"))));
        TestClock clock = new TestClock(Instant.parse("2026-11-29T00:00:00Z")); // window of 10 days: 20th-29th
        Path file = dir.resolve(UsageStore.FILE_NAME);
        long fullSize;
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (BillingBook book = new BillingBook(dir, clock, registry, 10)) {
            Stream.concat(old.stream(), recent.stream())
                    .forEach(e -> assertThat(book.record(e)).isEqualTo(BillingBook.Outcome.COUNTED));
            assertThat(book.usage())
                    .extracting(PoolDayUsage::day)
                    .containsExactly(
                            LocalDate.parse("2026-11-20"),
                            LocalDate.parse("2026-11-21"),
                            LocalDate.parse("2026-11-28"));
            fullSize = Files.size(file);

            clock.set(Instant.parse("2026-12-05T08:00:00Z")); // window: 26th - 5th
            assertThat(book.usage()).extracting(PoolDayUsage::day).containsExactly(LocalDate.parse("2026-11-28"));
            assertThat(Files.size(file)).isLessThan(fullSize);
            assertThat(Files.readString(file)).doesNotContain(ids(old)).contains(ids(recent));
            assertEightHours(book, registry);

            // a pruned event delivered again is older than the window: not counted (its id is forgotten)
            assertThat(book.record(old.get(0))).isEqualTo(BillingBook.Outcome.EXPIRED);
            assertThat(book.record(recent.get(0))).isEqualTo(BillingBook.Outcome.DUPLICATE);
            // a late event (new id, time inside the window) about archived server A: its cost is already in the totals
            NodeCloudEvent late = MAPPER.toCloudEvent(BillingEvents.reaped(
                    "burst-a",
                    1L,
                    Instant.parse("2026-11-20T10:00:00Z"),
                    Instant.parse("2026-11-20T12:30:00Z"),
                    Instant.parse("2026-12-05T07:00:00Z")));
            assertThat(book.record(late)).isEqualTo(BillingBook.Outcome.EXPIRED);
            assertEightHours(book, registry);
            assertThat(book.eventsCounted()).isEqualTo(6);
        }
        long prunedSize = Files.size(file);

        SimpleMeterRegistry after = new SimpleMeterRegistry();
        try (BillingBook restarted = new BillingBook(dir, clock, after, 10)) {
            for (NodeCloudEvent e : recent) {
                assertThat(restarted.record(e)).isEqualTo(BillingBook.Outcome.DUPLICATE);
            }
            for (NodeCloudEvent e : old) {
                assertThat(restarted.record(e)).isEqualTo(BillingBook.Outcome.EXPIRED);
            }
            assertEightHours(restarted, after);
            assertThat(restarted.eventsCounted()).isEqualTo(6);
            assertThat(restarted.usage())
                    .singleElement()
                    .satisfies(u -> assertThat(u.nodeHours()).isEqualTo(3));
        }
        assertThat(Files.size(file)).isEqualTo(prunedSize);
    }

    @Test
    void aServerAliveSinceBeforeTheWindowKeepsItsEventsAndIsBilledUntilNow(@TempDir Path dir) throws Exception {
        LifecycleEvent[] server = BillingEvents.server(
                "burst-d", 4L, Instant.parse("2026-11-20T10:00:00Z"), Instant.parse("2026-11-20T12:00:00Z"));
        NodeCloudEvent created = MAPPER.toCloudEvent(server[0]); // the deletion never came
        TestClock clock = new TestClock(Instant.parse("2026-11-20T11:00:00Z"));
        try (BillingBook book = new BillingBook(dir, clock, new SimpleMeterRegistry(), 10)) {
            assertThat(book.record(created)).isEqualTo(BillingBook.Outcome.COUNTED);
            clock.set(Instant.parse("2026-12-05T10:00:00Z"));
            assertThat(book.record(created)).isEqualTo(BillingBook.Outcome.DUPLICATE);
            // 15 days of 24 hours since 20th 10:00; the days before the window are left out of the per-day list
            assertThat(book.totals())
                    .singleElement()
                    .satisfies(t -> assertThat(t.nodeHours())
                            .isEqualTo(Duration.ofDays(15).toHours()));
            assertThat(book.usage()).extracting(PoolDayUsage::day).first().isEqualTo(LocalDate.parse("2026-11-26"));
        }
        assertThat(Files.readString(dir.resolve(UsageStore.FILE_NAME))).contains(created.id());
    }

    private static void assertEightHours(BillingBook book, SimpleMeterRegistry registry) {
        assertThat(book.totals())
                .containsExactly(new PoolDayUsage(
                        "burst", null, "EUR", 8, new BigDecimal("0.0480"), new BigDecimal("0.057120")));
        Meter hours = registry.get("talosburst.billing.node.hours").meter();
        assertThat(hours.getId().getTags()).extracting(t -> t.getKey()).containsExactlyInAnyOrder("pool", "currency");
        assertThat(registry.get("talosburst.billing.node.hours")
                        .tag("pool", "burst")
                        .tag("currency", "EUR")
                        .gauge()
                        .value())
                .isEqualTo(8.0);
        assertThat(registry.get("talosburst.billing.amount.net").gauge().value())
                .isEqualTo(0.048);
        assertThat(registry.find("talosburst.billing.node.hours").gauges()).hasSize(1);
    }

    private static List<NodeCloudEvent> cloudEvents(List<LifecycleEvent> events) {
        return events.stream().map(MAPPER::toCloudEvent).toList();
    }

    private static String[] ids(List<NodeCloudEvent> events) {
        List<String> ids = new ArrayList<>();
        events.forEach(e -> ids.add("\"id\":\"" + e.id() + "\""));
        return ids.toArray(String[]::new);
    }
}
