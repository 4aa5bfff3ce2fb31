package dev.talosburst.events.ledger;

import dev.talosburst.events.model.HourlyBilling;
import dev.talosburst.events.model.NodeCloudEvent;
import dev.talosburst.events.model.NodeEventData;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reference billing computation over node lifecycle events (the billing service and the demo feed it).
 *
 * <p>Duplicates (same {@code ce_source} + {@code ce_id}) are dropped. Order does not matter: every event
 * carries the server's facts, and they are merged per server — creation time, the earliest deletion time
 * seen, and the price of the earliest event that carries one (the price captured at creation). Usage is
 * then computed with {@link HourlyBilling}: from {@code createdAt} to {@code deletedAt} (or {@code now} for
 * servers still alive), every started hour billed at the hourly price and attributed to its UTC start day,
 * at most the monthly price per server and UTC calendar month when the price carries it (hours past the
 * cap still count as node-hours, at no cost).
 * Servers never created (no {@code createdAt}) cost nothing. Not thread-safe.
 */
public final class BillingLedger {

    /** Currency reported for servers whose events carry no price. */
    public static final String UNPRICED = "UNPRICED";

    private static final HourlyBilling.Rate UNPRICED_RATE =
            new HourlyBilling.Rate(BigDecimal.ZERO, BigDecimal.ZERO, null, null);

    private final Set<String> seen = new HashSet<>();
    private final Map<String, ServerUsage> servers = new HashMap<>();
    private long duplicates;

    private static final class ServerUsage {
        String pool;
        Instant createdAt;
        Instant deletedAt;
        NodeEventData.Price price;
        Instant priceSeenAt;
    }

    /** Accounts one event; returns false (and ignores it) if an event with the same source and id was seen. */
    public boolean accept(NodeCloudEvent event) {
        if (!seen.add(event.source() + " " + event.id())) {
            duplicates++;
            return false;
        }
        if (!event.isServerEvent()) {
            return true;
        }
        NodeEventData data = event.parsedData();
        ServerUsage u = servers.computeIfAbsent(event.source() + " " + event.subject(), k -> new ServerUsage());
        if (u.pool == null) {
            u.pool = data.pool();
        }
        NodeEventData.Server s = data.server();
        if (s == null) {
            return true;
        }
        if (s.phases() != null) {
            u.createdAt = earliest(u.createdAt, s.phases().createdAt());
            u.deletedAt = earliest(u.deletedAt, s.phases().deletedAt());
        }
        if (s.price() != null && (u.priceSeenAt == null || data.occurredAt().isBefore(u.priceSeenAt))) {
            u.price = s.price();
            u.priceSeenAt = data.occurredAt();
        }
        return true;
    }

    /** Number of duplicate events dropped so far. */
    public long duplicatesDropped() {
        return duplicates;
    }

    /** Usage per pool, UTC day and currency, sorted by pool then day; servers still alive are billed until {@code now}. */
    public List<PoolDayUsage> usage(Instant now) {
        record Key(String pool, LocalDate day, String currency) {}
        Map<Key, long[]> hours = new HashMap<>();
        Map<Key, BigDecimal[]> amounts = new HashMap<>();
        for (ServerUsage u : servers.values()) {
            if (u.createdAt == null) {
                continue;
            }
            Instant end = u.deletedAt != null ? u.deletedAt : now;
            String currency = u.price == null ? UNPRICED : u.price.currency();
            HourlyBilling.Rate rate = u.price == null ? UNPRICED_RATE : u.price.rate();
            for (HourlyBilling.BilledHour h : HourlyBilling.billedHours(u.createdAt, end, rate)) {
                Key k = new Key(Objects.requireNonNullElse(u.pool, "?"), h.day(), currency);
                hours.computeIfAbsent(k, x -> new long[1])[0]++;
                BigDecimal[] a = amounts.computeIfAbsent(k, x -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO});
                a[0] = a[0].add(h.net());
                a[1] = a[1].add(h.gross());
            }
        }
        List<PoolDayUsage> out = new ArrayList<>();
        for (var e : hours.entrySet()) {
            BigDecimal[] a = amounts.get(e.getKey());
            out.add(new PoolDayUsage(
                    e.getKey().pool(), e.getKey().day(), e.getKey().currency(), e.getValue()[0], a[0], a[1]));
        }
        out.sort(Comparator.comparing(PoolDayUsage::pool)
                .thenComparing(PoolDayUsage::day)
                .thenComparing(PoolDayUsage::currency));
        return out;
    }

    /** Totals per pool and currency over all days: pool → currency → usage with {@code day} null. */
    public Map<String, Map<String, PoolDayUsage>> totalsByPool(Instant now) {
        Map<String, Map<String, PoolDayUsage>> out = new TreeMap<>();
        for (PoolDayUsage d : usage(now)) {
            out.computeIfAbsent(d.pool(), p -> new TreeMap<>())
                    .merge(
                            d.currency(),
                            new PoolDayUsage(
                                    d.pool(), null, d.currency(), d.nodeHours(), d.amountNet(), d.amountGross()),
                            (x, y) -> new PoolDayUsage(
                                    x.pool(),
                                    null,
                                    x.currency(),
                                    x.nodeHours() + y.nodeHours(),
                                    x.amountNet().add(y.amountNet()),
                                    x.amountGross().add(y.amountGross())));
        }
        return out;
    }

    private static Instant earliest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isBefore(b) ? a : b;
    }
}
