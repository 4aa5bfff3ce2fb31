package dev.talosburst.billing;

import dev.talosburst.events.ledger.BillingLedger;
import dev.talosburst.events.ledger.PoolDayUsage;
import dev.talosburst.events.model.NodeCloudEvent;
import dev.talosburst.events.model.NodeEventData;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Node-hours and cost per pool (and per UTC day inside the retention window), computed by the events module's
 * {@link BillingLedger} (Hetzner's started hour rule and monthly cap), kept across restarts by a {@link UsageStore}: an
 * event is stored before it is counted, and an id seen before is never counted again. State stays bounded: events older
 * than the window (of servers deleted before it) are folded into per-pool totals and their ids forgotten; an event older
 * than the window that arrives is not counted (its id may have been forgotten). Thread-safe.
 */
final class BillingBook implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(BillingBook.class);

    /** Outcome of one event. */
    enum Outcome {
        COUNTED,
        DUPLICATE,
        EXPIRED
    }

    private BillingLedger ledger = new BillingLedger();
    private Set<String> seen = new HashSet<>();
    /** Servers whose events are kept (not archived): a late event of one of them changes nothing (facts merge). */
    private Set<String> servers = new HashSet<>();
    /** pool + currency → totals of the pruned events (day null). */
    private final Map<String, PoolDayUsage> archived = new TreeMap<>();

    private long archivedEvents;
    private LocalDate windowStart;
    private LocalDate prunedFor;
    private final int retentionDays;
    private final UsageStore store;
    private final Clock clock;
    private final Counter counted;
    private final Counter duplicates;
    private final Counter expired;
    private final MultiGauge nodeHours;
    private final MultiGauge amountNet;
    private final MultiGauge amountGross;

    BillingBook(Path dataDir, Clock clock, MeterRegistry registry, int retentionDays) {
        this.store = UsageStore.open(dataDir);
        this.clock = clock;
        this.retentionDays = retentionDays;
        this.counted = events(registry, "counted", "Lifecycle events accounted");
        this.duplicates =
                events(registry, "duplicate", "Lifecycle events dropped because their id was accounted before");
        this.expired = events(
                registry,
                "expired",
                "Lifecycle events dropped because they are older than talosburst.billing.retention-days");
        this.nodeHours = MultiGauge.builder("talosburst.billing.node.hours")
                .description("Billed (started) node-hours per pool since the start of accounting")
                .register(registry);
        this.amountNet = MultiGauge.builder("talosburst.billing.amount.net")
                .description("Net cost per pool and currency since the start of accounting (Hetzner's hourly rule,"
                        + " monthly cap per server)")
                .register(registry);
        this.amountGross = MultiGauge.builder("talosburst.billing.amount.gross")
                .description("Gross cost per pool and currency since the start of accounting")
                .register(registry);
        load();
        LOG.infof(
                "billing: %d accounted events loaded from %s (%d older ones archived)",
                seen.size(), dataDir, archivedEvents);
        maintain();
        refreshMetrics();
    }

    private static Counter events(MeterRegistry registry, String result, String description) {
        return Counter.builder("talosburst.billing.events")
                .tag("result", result)
                .description(description)
                .register(registry);
    }

    /** Accounts {@code e} unless its id was accounted before or it is older than the window; stored durably first. */
    synchronized Outcome record(NodeCloudEvent e) {
        maintain();
        if (seen.contains(key(e))) {
            duplicates.increment();
            return Outcome.DUPLICATE;
        }
        if (e.time().isBefore(windowStartInstant())) {
            // its id may have been pruned: counting it could count it twice
            LOG.warnf(
                    "billing: event %s of %s is older than the retention window (since %s) and is not counted;"
                            + " keep talosburst.billing.retention-days above the topic's retention",
                    e.id(), e.time(), windowStart);
            expired.increment();
            return Outcome.EXPIRED;
        }
        Instant deleted = deletedAt(e);
        if (deleted != null && deleted.isBefore(windowStartInstant()) && !servers.contains(serverKey(e))) {
            // a late event of a server finished before the window: it may be archived already, its cost is final
            LOG.warnf(
                    "billing: event %s is about server %s deleted at %s, before the retention window (since %s);"
                            + " not counted",
                    e.id(), e.subject(), deleted, windowStart);
            expired.increment();
            return Outcome.EXPIRED;
        }
        try {
            store.append(e);
        } catch (IOException ex) {
            throw new UncheckedIOException(
                    "cannot store event " + e.id() + " in the billing store; it is not acknowledged", ex);
        }
        seen.add(key(e));
        servers.add(serverKey(e));
        ledger.accept(e);
        counted.increment();
        refreshMetrics();
        return Outcome.COUNTED;
    }

    /** Usage per pool, UTC day and currency for the days of the retention window; servers alive are billed until now. */
    synchronized List<PoolDayUsage> usage() {
        maintain();
        return ledger.usage(clock.instant()).stream()
                .filter(u -> !u.day().isBefore(windowStart))
                .toList();
    }

    /** Totals per pool and currency since accounting started (day null), archived and retained events together. */
    synchronized List<PoolDayUsage> totals() {
        Map<String, PoolDayUsage> out = new TreeMap<>(archived);
        ledger.totalsByPool(clock.instant()).values().stream()
                .flatMap(m -> m.values().stream())
                .forEach(t -> out.merge(totalKey(t), t, BillingBook::sum));
        return List.copyOf(out.values());
    }

    synchronized long duplicatesDropped() {
        return (long) duplicates.count();
    }

    synchronized long eventsCounted() {
        return archivedEvents + seen.size();
    }

    Instant now() {
        return clock.instant();
    }

    /** Re-computes the gauges (alive servers keep accruing: also called on each scrape of the JSON endpoint). */
    synchronized void refreshMetrics() {
        maintain();
        List<PoolDayUsage> totals = totals();
        nodeHours.register(rows(totals, u -> u.nodeHours()), true);
        amountNet.register(rows(totals, PoolDayUsage::amountNet), true);
        amountGross.register(rows(totals, PoolDayUsage::amountGross), true);
    }

    private static List<MultiGauge.Row<?>> rows(List<PoolDayUsage> totals, Function<PoolDayUsage, Number> value) {
        return totals.stream()
                .<MultiGauge.Row<?>>map(
                        u -> MultiGauge.Row.of(Tags.of("pool", u.pool(), "currency", u.currency()), value.apply(u)))
                .toList();
    }

    /** Prunes when the window moved to a new UTC day (at start, and then at most once a day). */
    synchronized void maintain() {
        LocalDate start = clock.instant().atZone(ZoneOffset.UTC).toLocalDate().minusDays(retentionDays - 1L);
        windowStart = start;
        if (start.equals(prunedFor)) {
            return;
        }
        try {
            prune();
            prunedFor = start;
        } catch (IOException ex) {
            // the old file is intact (the rename is atomic): tried again at the next event or scrape
            LOG.errorf("billing: cannot compact the billing store, retrying later: %s", ex.getMessage());
        }
    }

    private Instant windowStartInstant() {
        return windowStart.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /**
     * Folds the events of servers finished before the window (and other events older than it) into the archive and
     * rewrites the store without them. Events inside the window are always kept, so their ids still deduplicate.
     */
    private void prune() throws IOException {
        Instant cutoff = windowStartInstant();
        Map<String, List<NodeCloudEvent>> byServer = new LinkedHashMap<>();
        List<NodeCloudEvent> all = new ArrayList<>();
        store.load(a -> {}, e -> {
            all.add(e);
            byServer.computeIfAbsent(serverKey(e), k -> new ArrayList<>()).add(e);
        });
        Set<String> prunable = new HashSet<>();
        byServer.forEach((server, events) -> {
            if (finishedBefore(events, cutoff)) {
                prunable.add(server);
            }
        });
        if (prunable.isEmpty()) {
            return;
        }
        BillingLedger old = new BillingLedger();
        List<NodeCloudEvent> kept = new ArrayList<>();
        Set<String> keptIds = new HashSet<>();
        long pruned = 0;
        for (NodeCloudEvent e : all) {
            if (prunable.contains(serverKey(e))) {
                if (old.accept(e)) {
                    pruned++;
                }
            } else if (keptIds.add(key(e))) {
                kept.add(e);
            }
        }
        Map<String, PoolDayUsage> newArchive = new TreeMap<>(archived);
        old.totalsByPool(cutoff).values().stream()
                .flatMap(m -> m.values().stream())
                .forEach(t -> newArchive.merge(totalKey(t), t, BillingBook::sum));
        store.rewrite(new UsageStore.Archive(archivedEvents + pruned, List.copyOf(newArchive.values())), kept);
        archived.clear();
        archived.putAll(newArchive);
        archivedEvents += pruned;
        BillingLedger rebuilt = new BillingLedger();
        kept.forEach(rebuilt::accept);
        ledger = rebuilt;
        seen = keptIds;
        servers = new HashSet<>();
        kept.forEach(e -> servers.add(serverKey(e)));
        LOG.infof(
                "billing: %d events older than %s archived into per-pool totals, %d kept",
                pruned, windowStart, kept.size());
    }

    /** All events before {@code cutoff}, and the server deleted (or never created) before it: its cost is final. */
    private static boolean finishedBefore(List<NodeCloudEvent> events, Instant cutoff) {
        boolean created = false;
        Instant deleted = null;
        for (NodeCloudEvent e : events) {
            if (!e.time().isBefore(cutoff)) {
                return false;
            }
            if (!e.isServerEvent()) {
                continue;
            }
            NodeEventData.Server s = e.parsedData().server();
            created |= s != null && s.phases() != null && s.phases().createdAt() != null;
            Instant d = deletedAt(e);
            if (d != null && (deleted == null || d.isBefore(deleted))) {
                deleted = d;
            }
        }
        return !created || (deleted != null && deleted.isBefore(cutoff));
    }

    /** The deletion time the event carries, null when none (or not a server event). */
    private static Instant deletedAt(NodeCloudEvent e) {
        if (!e.isServerEvent()) {
            return null;
        }
        NodeEventData.Server s = e.parsedData().server();
        return s == null || s.phases() == null ? null : s.phases().deletedAt();
    }

    private void load() {
        store.load(
                a -> {
                    archivedEvents = a.events();
                    a.totals().forEach(t -> archived.put(totalKey(t), t));
                },
                e -> {
                    if (seen.add(key(e))) {
                        servers.add(serverKey(e));
                        ledger.accept(e);
                    }
                });
    }

    private static String key(NodeCloudEvent e) {
        return e.source() + " " + e.id();
    }

    /** Events of one server together; pool-level events each on their own (they bill nothing). */
    private static String serverKey(NodeCloudEvent e) {
        return e.isServerEvent() ? "server " + e.source() + " " + e.subject() : "event " + key(e);
    }

    private static String totalKey(PoolDayUsage t) {
        return t.pool() + " " + t.currency();
    }

    private static PoolDayUsage sum(PoolDayUsage x, PoolDayUsage y) {
        return new PoolDayUsage(
                x.pool(),
                null,
                x.currency(),
                x.nodeHours() + y.nodeHours(),
                x.amountNet().add(y.amountNet()),
                x.amountGross().add(y.amountGross()));
    }

    @Override
    public void close() throws IOException {
        store.close();
    }
}
