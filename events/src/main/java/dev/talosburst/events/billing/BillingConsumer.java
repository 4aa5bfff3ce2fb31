package dev.talosburst.events.billing;

import dev.talosburst.events.model.NodeCloudEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import com.sun.net.httpserver.HttpServer;
import dev.talosburst.events.model.EventJson;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetSocketAddress;

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
 * <p>Run (see events/README.md for the classpath): {@code java -cp ... dev.talosburst.events.billing.BillingConsumer
 * --bootstrap kafka:9092 [--topic talos-burst.node-lifecycle.v1] [--once] [--interval 60] [--http 127.0.0.1:8089]
 * [--timeout 30]}; with {@code --http} the latest table is also served at {@code /usage} (JSON) and {@code /usage.txt}.
 * When Kafka does not answer within {@code --timeout} seconds it exits with status 1 and a message naming the
 * bootstrap servers; bad arguments exit with status 2.
 */
public final class BillingConsumer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(BillingConsumer.class);
    /** Default {@code --timeout}: how long to wait for Kafka's first answers (topic metadata, end offsets). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Kafka's clients log every refused connection; on the command line (slf4j → java.util.logging) they are capped. Held
     * strongly: java.util.logging forgets the level of a logger that is garbage collected.
     */
    private static final List<java.util.logging.Logger> KAFKA_LOGGERS = List.of(
            java.util.logging.Logger.getLogger("org.apache.kafka"),
            java.util.logging.Logger.getLogger("org.apache.kafka.clients.NetworkClient"));

    private final KafkaConsumer<String, byte[]> consumer;
    private final BillingLedger ledger = new BillingLedger();
    private final Map<TopicPartition, Long> endAtStart;
    private long skipped;
    /** What the HTTP endpoint serves: replaced after each {@link #publishSnapshot}, read by the server threads. */
    private volatile List<PoolDayUsage> snapshot = List.of();

    /** A consumer of {@code topic}, positioned at the beginning of every partition; waits {@link #DEFAULT_TIMEOUT} for Kafka. */
    public BillingConsumer(String bootstrapServers, String topic, Map<String, String> clientOverrides) {
        this(bootstrapServers, topic, clientOverrides, DEFAULT_TIMEOUT);
    }

    /**
     * A consumer of {@code topic}, positioned at the beginning of every partition.
     *
     * @param timeout how long to wait for Kafka's answers while positioning
     * @throws IllegalStateException when Kafka does not answer within {@code timeout} (the message names the servers)
     * @throws IllegalArgumentException when the topic does not exist
     */
    public BillingConsumer(String bootstrapServers, String topic, Map<String, String> clientOverrides, Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "talos-burst-billing");
        p.putAll(clientOverrides);
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo i : consumer.partitionsFor(topic, timeout)) {
                parts.add(new TopicPartition(topic, i.partition()));
            }
            if (parts.isEmpty()) {
                throw new IllegalArgumentException("topic '" + topic + "' does not exist on " + bootstrapServers
                        + "; pass the lifecycle topic with --topic");
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            endAtStart = consumer.endOffsets(parts, timeout);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            consumer.close(Duration.ZERO);
            throw new IllegalStateException("cannot reach Kafka at " + bootstrapServers + " (--bootstrap): no answer within "
                    + timeout.toSeconds() + " s (--timeout): " + e.getMessage(), e);
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
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

    /** Makes the current usage (servers still alive billed until {@code now}) what {@link #serve} answers. */
    public void publishSnapshot(java.time.Instant now) {
        snapshot = List.copyOf(ledger.usage(now));
    }

    /**
     * Serves the last published snapshot over HTTP: {@code GET /usage} as JSON (amounts as decimal strings),
     * {@code GET /usage.txt} as the table. Read-only; stop it with {@code HttpServer.stop}.
     */
    public HttpServer serve(InetSocketAddress address) throws IOException {
        HttpServer server = HttpServer.create(address, 0);
        server.createContext("/usage", exchange -> {
            try (exchange) {
                if (!"GET".equals(exchange.getRequestMethod())) {
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                boolean text = exchange.getRequestURI().getPath().equals("/usage.txt");
                boolean json = exchange.getRequestURI().getPath().equals("/usage");
                if (!text && !json) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                byte[] body = text ? format(snapshot).getBytes(StandardCharsets.UTF_8) : EventJson.write(snapshot);
                exchange.getResponseHeaders().set("Content-Type", text ? "text/plain; charset=utf-8" : "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
        return server;
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
    public static void main(String[] args) throws IOException {
        String bootstrap = null;
        String topic = NodeCloudEvent.DEFAULT_TOPIC;
        boolean once = false;
        long interval = 60;
        InetSocketAddress http = null;
        Duration timeout = DEFAULT_TIMEOUT;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = value(args, ++i, "--bootstrap");
                case "--topic" -> topic = value(args, ++i, "--topic");
                case "--once" -> once = true;
                case "--interval" -> interval = seconds(value(args, ++i, "--interval"), "--interval");
                case "--http" -> http = address(value(args, ++i, "--http"));
                case "--timeout" -> timeout = Duration.ofSeconds(seconds(value(args, ++i, "--timeout"), "--timeout"));
                default -> usage("unknown argument '" + args[i] + "'");
            }
        }
        if (bootstrap == null) {
            usage("--bootstrap is required");
        }
        KAFKA_LOGGERS.get(0).setLevel(java.util.logging.Level.WARNING);
        KAFKA_LOGGERS.get(1).setLevel(java.util.logging.Level.SEVERE);
        PrintStream out = System.out;
        Clock clock = Clock.systemUTC();
        BillingConsumer consumer;
        try {
            consumer = new BillingConsumer(bootstrap, topic, Map.of(), timeout);
        } catch (IllegalStateException | IllegalArgumentException e) {
            System.err.println("billing consumer: " + e.getMessage());
            System.exit(1);
            return;
        }
        try (BillingConsumer c = consumer) {
            c.readToEnd(Duration.ofMinutes(5));
            c.publishSnapshot(clock.instant());
            out.print(format(c.snapshot));
            HttpServer server = once || http == null ? null : c.serve(http);
            while (!once) {
                long until = System.nanoTime() + Duration.ofSeconds(interval).toNanos();
                while (System.nanoTime() < until) {
                    c.poll(Duration.ofMillis(500));
                }
                c.publishSnapshot(clock.instant());
                out.print(format(c.snapshot));
            }
            if (server != null) {
                server.stop(0);
            }
        }
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length) {
            usage(name + " needs a value");
        }
        return args[i];
    }

    private static long seconds(String value, String name) {
        try {
            long n = Long.parseLong(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        usage(name + " needs a number of seconds > 0, was '" + value + "'");
        return 0;
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            usage("--http needs host:port, e.g. 127.0.0.1:8089");
        }
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    private static void usage(String problem) {
        System.err.println(problem + "\nusage: BillingConsumer --bootstrap host:port [--topic name] [--once] [--interval seconds]"
                + " [--http host:port] [--timeout seconds]");
        System.exit(2);
    }
}
