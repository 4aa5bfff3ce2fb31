package dev.talosburst.events.billing;

import dev.talosburst.events.model.NodeCloudEvent;
import dev.talosburst.events.publish.EventPublisherSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.io.PrintStream;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reference billing consumer: reads the whole lifecycle topic from the beginning (no consumer group, so
 * every run recomputes from the full history), feeds a {@link BillingLedger}, and prints node-hours and
 * cost per pool and UTC day. Records that are not talos-burst node events are skipped and counted.
 *
 * <p>Run: {@code java -cp ... dev.talosburst.events.billing.BillingConsumer --bootstrap kafka:9092
 * [--topic talos-burst.node-lifecycle.v1] [--once] [--interval 60]}.
 */
public final class BillingConsumer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(BillingConsumer.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final BillingLedger ledger = new BillingLedger();
    private final Map<TopicPartition, Long> endAtStart;
    private long skipped;

    /** A consumer of {@code topic}, positioned at the beginning of every partition. */
    public BillingConsumer(String bootstrapServers, String topic, Map<String, String> clientOverrides) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "talos-burst-billing");
        p.putAll(clientOverrides);
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (PartitionInfo i : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
            parts.add(new TopicPartition(topic, i.partition()));
        }
        if (parts.isEmpty()) {
            consumer.close();
            throw new IllegalArgumentException("topic '" + topic + "' does not exist on " + bootstrapServers
                    + "; pass the lifecycle topic with --topic");
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        endAtStart = consumer.endOffsets(parts, Duration.ofSeconds(30));
    }

    /** Reads what is available within {@code timeout}; returns the number of records read. */
    public int poll(Duration timeout) {
        int n = 0;
        for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
            n++;
            Map<String, String> headers = new HashMap<>();
            for (Header h : r.headers()) {
                headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
            }
            try {
                ledger.accept(NodeCloudEvent.fromHeaders(headers, r.value()));
            } catch (RuntimeException e) {
                skipped++;
                LOG.warnf("skipping record %s-%d@%d: %s", r.topic(), r.partition(), r.offset(), e.getMessage());
            }
        }
        return n;
    }

    /** True once everything that was in the topic when this consumer started has been read. */
    public boolean caughtUp() {
        for (var e : endAtStart.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Reads until {@link #caughtUp()} or {@code max} elapsed. */
    public void readToEnd(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (!caughtUp() && System.nanoTime() < deadline) {
            poll(Duration.ofMillis(200));
        }
    }

    /** The ledger fed so far. */
    public BillingLedger ledger() {
        return ledger;
    }

    /** Records skipped because they were not node lifecycle CloudEvents. */
    public long skipped() {
        return skipped;
    }

    /** A fixed-width table of usage, amounts rounded half-up to 4 decimals for display only. */
    public static String format(List<PoolDayUsage> usage) {
        StringBuilder b = new StringBuilder(String.format("%-24s %-10s %-9s %10s %14s %14s%n", "POOL", "DAY", "CURRENCY",
                "NODE-HOURS", "NET", "GROSS"));
        for (PoolDayUsage u : usage) {
            b.append(String.format("%-24s %-10s %-9s %10d %14s %14s%n", u.pool(), u.day(), u.currency(), u.nodeHours(),
                    u.amountNet().setScale(4, RoundingMode.HALF_UP).toPlainString(),
                    u.amountGross().setScale(4, RoundingMode.HALF_UP).toPlainString()));
        }
        return b.toString();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }

    /** Command line entry point; see the class comment for arguments. */
    public static void main(String[] args) throws InterruptedException {
        String bootstrap = null;
        String topic = EventPublisherSettings.DEFAULT_TOPIC;
        boolean once = false;
        long interval = 60;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = value(args, ++i, "--bootstrap");
                case "--topic" -> topic = value(args, ++i, "--topic");
                case "--once" -> once = true;
                case "--interval" -> interval = Long.parseLong(value(args, ++i, "--interval"));
                default -> usage("unknown argument '" + args[i] + "'");
            }
        }
        if (bootstrap == null) {
            usage("--bootstrap is required");
        }
        PrintStream out = System.out;
        Clock clock = Clock.systemUTC();
        try (BillingConsumer c = new BillingConsumer(bootstrap, topic, Map.of())) {
            c.readToEnd(Duration.ofMinutes(5));
            out.print(format(c.ledger().usage(clock.instant())));
            while (!once) {
                long until = System.nanoTime() + Duration.ofSeconds(interval).toNanos();
                while (System.nanoTime() < until) {
                    c.poll(Duration.ofMillis(500));
                }
                out.print(format(c.ledger().usage(clock.instant())));
            }
        }
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length) {
            usage(name + " needs a value");
        }
        return args[i];
    }

    private static void usage(String problem) {
        System.err.println(problem + "\nusage: BillingConsumer --bootstrap host:port [--topic name] [--once] [--interval seconds]");
        System.exit(2);
    }
}
