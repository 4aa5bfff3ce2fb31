package dev.talosburst.demo;

import dev.talosburst.events.ledger.BillingLedger;
import dev.talosburst.events.ledger.PoolDayUsage;
import dev.talosburst.events.model.NodeCloudEvent;
import dev.talosburst.provisioner.lifecycle.Transition;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The billing side of the demo: reads the lifecycle topic from the beginning with a plain {@link KafkaConsumer}, feeds
 * every event to the events module's {@link BillingLedger} and renders the cost per pool it computes.
 */
public final class BillingReport implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final BillingLedger ledger = new BillingLedger();
    private final Map<String, Integer> eventsByType = new TreeMap<>();
    /** Pool → servers with a server-created event; servers with a server-deleted event. */
    private final Map<String, Set<String>> created = new TreeMap<>();

    private final Set<String> deleted = new HashSet<>();
    private int records;

    public BillingReport(String bootstrapServers, String topic) {
        this.topic = topic;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "talos-burst-demo-billing");
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Reads until every server that was created has its server-deleted event, or fails after {@code timeout}. */
    public void readUntilAllDeleted(int expectedServers, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        assign(deadline);
        while (true) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                accept(r);
            }
            int createdCount = created.values().stream().mapToInt(Set::size).sum();
            boolean allDeleted = created.values().stream().flatMap(Set::stream).allMatch(deleted::contains);
            if (createdCount >= expectedServers && allDeleted) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new DemoFailure("billing: the topic " + topic + " holds server-created for " + createdCount
                        + " of " + expectedServers + " servers and server-deleted for " + deleted.size() + " after "
                        + timeout.toSeconds() + " s");
            }
        }
    }

    private void assign(long deadline) {
        while (true) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (infos != null && !infos.isEmpty()) {
                List<TopicPartition> parts = infos.stream()
                        .map(i -> new TopicPartition(topic, i.partition()))
                        .toList();
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new DemoFailure(
                        "billing: the topic " + topic + " does not exist; talos-burst published no events");
            }
        }
    }

    private void accept(ConsumerRecord<String, byte[]> r) {
        records++;
        Map<String, String> headers = new HashMap<>();
        for (Header h : r.headers()) {
            headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        NodeCloudEvent event = NodeCloudEvent.fromHeaders(headers, r.value());
        if (!ledger.accept(event)) {
            return;
        }
        eventsByType.merge(event.transition().eventName(), 1, Integer::sum);
        if (event.transition() == Transition.SERVER_CREATED) {
            created.computeIfAbsent(event.parsedData().pool(), p -> new HashSet<>())
                    .add(event.subject());
        } else if (event.transition() == Transition.SERVER_DELETED || event.transition() == Transition.SERVER_REAPED) {
            deleted.add(event.subject());
        }
    }

    /** Lifecycle events read, by type, in lifecycle order. */
    public Map<String, Integer> eventsByType() {
        Map<String, Integer> ordered = new java.util.LinkedHashMap<>();
        for (Transition t : Transition.values()) {
            Integer n = eventsByType.get(t.eventName());
            if (n != null) {
                ordered.put(t.eventName(), n);
            }
        }
        return ordered;
    }

    /** The cost table: one row per pool (servers, node-hours, € net and gross) and a total. */
    public String table(Instant now) {
        Map<String, Map<String, PoolDayUsage>> totals = ledger.totalsByPool(now);
        StringBuilder b = new StringBuilder(String.format(
                Locale.ROOT, "%-12s %8s %11s %12s %12s%n", "POOL", "SERVERS", "NODE-HOURS", "NET", "GROSS"));
        long servers = 0;
        long hours = 0;
        BigDecimal net = BigDecimal.ZERO;
        BigDecimal gross = BigDecimal.ZERO;
        List<String> currencies = new ArrayList<>();
        for (var pool : totals.entrySet()) {
            for (PoolDayUsage u : pool.getValue().values()) {
                int count = created.getOrDefault(pool.getKey(), Set.of()).size();
                b.append(String.format(
                        Locale.ROOT,
                        "%-12s %8d %11d %12s %12s%n",
                        pool.getKey(),
                        count,
                        u.nodeHours(),
                        money(u.currency(), u.amountNet()),
                        money(u.currency(), u.amountGross())));
                servers += count;
                hours += u.nodeHours();
                net = net.add(u.amountNet());
                gross = gross.add(u.amountGross());
                currencies.add(u.currency());
            }
        }
        String currency = currencies.stream().distinct().count() == 1 ? currencies.get(0) : "mixed";
        b.append(String.format(
                Locale.ROOT,
                "%-12s %8d %11d %12s %12s%n",
                "total",
                servers,
                hours,
                money(currency, net),
                money(currency, gross)));
        return b.toString();
    }

    private static String money(String currency, BigDecimal amount) {
        String value = amount.setScale(4, RoundingMode.HALF_UP).toPlainString();
        return "EUR".equals(currency) ? "€" + value : value + " " + currency;
    }

    /** Records read, including duplicates. */
    public int records() {
        return records;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
