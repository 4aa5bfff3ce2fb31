package dev.talosburst.billing;

import dev.talosburst.events.ledger.BillingLedger;
import dev.talosburst.events.ledger.PoolDayUsage;
import dev.talosburst.events.model.NodeCloudEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Node-hours and cost per pool and UTC day, computed by the events module's {@link BillingLedger} (Hetzner's started
 * hour rule and monthly cap), kept across restarts by a {@link UsageStore}: an event is stored before it is counted,
 * and an id seen before is never counted again. Thread-safe.
 */
final class BillingBook implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(BillingBook.class);

    /** Outcome of one event. */
    enum Outcome {
        COUNTED,
        DUPLICATE
    }

    private final BillingLedger ledger = new BillingLedger();
    private final Set<String> seen = new HashSet<>();
    private final UsageStore store;
    private final Clock clock;
    private final Counter counted;
    private final Counter duplicates;
    private final MultiGauge nodeHours;
    private final MultiGauge amountNet;
    private final MultiGauge amountGross;

    BillingBook(Path dataDir, Clock clock, MeterRegistry registry) {
        this.store = UsageStore.open(dataDir);
        this.clock = clock;
        this.counted = Counter.builder("talosburst.billing.events")
                .tag("result", "counted")
                .description("Lifecycle events accounted")
                .register(registry);
        this.duplicates = Counter.builder("talosburst.billing.events")
                .tag("result", "duplicate")
                .description("Lifecycle events dropped because their id was accounted before")
                .register(registry);
        this.nodeHours = MultiGauge.builder("talosburst.billing.node.hours")
                .description("Billed (started) node-hours per pool and UTC day")
                .register(registry);
        this.amountNet = MultiGauge.builder("talosburst.billing.amount.net")
                .description("Net cost per pool, UTC day and currency (Hetzner's hourly rule, monthly cap per server)")
                .register(registry);
        this.amountGross = MultiGauge.builder("talosburst.billing.amount.gross")
                .description("Gross cost per pool, UTC day and currency")
                .register(registry);
        int[] loaded = {0};
        store.load(e -> {
            if (seen.add(key(e))) {
                ledger.accept(e);
                loaded[0]++;
            }
        });
        LOG.infof("billing: %d accounted events loaded from %s", loaded[0], dataDir);
        refreshMetrics();
    }

    /** Accounts {@code e} unless its id was accounted before; stored durably first. */
    synchronized Outcome record(NodeCloudEvent e) {
        if (!seen.add(key(e))) {
            duplicates.increment();
            return Outcome.DUPLICATE;
        }
        try {
            store.append(e);
        } catch (IOException ex) {
            seen.remove(key(e));
            throw new UncheckedIOException(
                    "cannot store event " + e.id() + " in the billing store; it is not acknowledged", ex);
        }
        ledger.accept(e);
        counted.increment();
        refreshMetrics();
        return Outcome.COUNTED;
    }

    /** Usage per pool, UTC day and currency; servers still alive are billed until now. */
    synchronized List<PoolDayUsage> usage() {
        return ledger.usage(clock.instant());
    }

    synchronized long duplicatesDropped() {
        return (long) duplicates.count();
    }

    synchronized long eventsCounted() {
        return seen.size();
    }

    Instant now() {
        return clock.instant();
    }

    /** Re-computes the gauges (alive servers keep accruing: also called on each scrape of the JSON endpoint). */
    synchronized void refreshMetrics() {
        List<PoolDayUsage> usage = ledger.usage(clock.instant());
        nodeHours.register(
                usage.stream()
                        .map(u -> MultiGauge.Row.of(
                                Tags.of("pool", u.pool(), "day", u.day().toString(), "currency", u.currency()),
                                u.nodeHours()))
                        .toList(),
                true);
        amountNet.register(
                usage.stream()
                        .map(u -> MultiGauge.Row.of(
                                Tags.of("pool", u.pool(), "day", u.day().toString(), "currency", u.currency()),
                                u.amountNet()))
                        .toList(),
                true);
        amountGross.register(
                usage.stream()
                        .map(u -> MultiGauge.Row.of(
                                Tags.of("pool", u.pool(), "day", u.day().toString(), "currency", u.currency()),
                                u.amountGross()))
                        .toList(),
                true);
    }

    private static String key(NodeCloudEvent e) {
        return e.source() + " " + e.id();
    }

    @Override
    public void close() throws IOException {
        store.close();
    }
}
