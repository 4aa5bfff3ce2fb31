package dev.talosburst.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.events.publish.EventPublisherSettings;
import dev.talosburst.events.publish.KafkaEventSink;
import dev.talosburst.events.testing.TestBroker;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged billing service, started with the root README's command exactly as written (only the broker address
 * replaced), is killed with SIGKILL after it accounted events but before the consumer committed their offsets; Kafka
 * delivers them again after the restart, and the service does not count them twice: {@code /usage} and the Prometheus
 * metrics equal the hand-computed node-hours and cost. The restarted copy then stops cleanly on SIGTERM within
 * Kubernetes' default grace period.
 */
class BillingRestartIT {

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    private static final String TOPIC = "billing-restart.node-lifecycle.v1";
    private static final String GROUP = "talos-burst-billing";
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    void killedBeforeTheOffsetCommitItCountsRedeliveredEventsOnce(@TempDir Path dir) throws Exception {
        List<String> command = readmeCommand();
        Path data = dir.resolve("data");
        int port = freePort();
        publish(BillingEvents.twoServersOfPoolBurst());

        Process first = start(command, data, port, dir.resolve("first.log"), true);
        HttpClient http = HttpClient.newHttpClient();
        try {
            await().atMost(Duration.ofSeconds(120))
                    .ignoreExceptions()
                    .until(() -> get(http, port, "/usage").body().contains("\"eventsCounted\":4"));
            // accounted, yet not committed: the consumer commits at most every auto.commit.interval.ms (set to an hour)
            assertThat(committedOffsets())
                    .as("offsets committed before the kill")
                    .allSatisfy((tp, o) -> assertThat(o).isNull());
        } finally {
            first.destroyForcibly(); // SIGKILL: no shutdown hook, no commit on close
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(first.exitValue()).as("killed by SIGKILL").isEqualTo(137);

        publish(List.of(thirdServer()[0], thirdServer()[1])); // while the service is down

        boolean stoppedWithinGracePeriod;
        Process second = start(command, data, port, dir.resolve("second.log"), false);
        try {
            await().atMost(Duration.ofSeconds(120))
                    .ignoreExceptions()
                    .until(() -> get(http, port, "/usage").body().contains("\"eventsCounted\":6"));
            await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .until(() -> get(http, port, "/usage").body().contains("\"duplicatesDropped\":4"));
            String usage = get(http, port, "/usage").body();
            // A: 10:00-12:30 on the 20th = 3 started hours; B: 23:30-01:10 = 1 hour on the 20th, 1 on the 21st;
            // C: 02:00-04:30 on the 21st = 3 hours (cx22: 0.0060 net, 0.007140 gross an hour)
            assertThat(usage)
                    .contains("\"eventsCounted\":6")
                    .contains("\"duplicatesDropped\":4")
                    .contains(
                            "{\"pool\":\"burst\",\"day\":\"2026-11-20\",\"currency\":\"EUR\",\"nodeHours\":4,\"amountNet\":\"0.0240\",\"amountGross\":\"0.028560\"}")
                    .contains(
                            "{\"pool\":\"burst\",\"day\":\"2026-11-21\",\"currency\":\"EUR\",\"nodeHours\":4,\"amountNet\":\"0.0240\",\"amountGross\":\"0.028560\"}");
            String metrics = get(http, port, "/q/metrics").body();
            assertThat(metrics)
                    .contains("talosburst_billing_node_hours{currency=\"EUR\",pool=\"burst\"} 8.0")
                    .contains("talosburst_billing_amount_net{currency=\"EUR\",pool=\"burst\"} 0.048")
                    .contains("talosburst_billing_events_total{result=\"duplicate\"} 4.0");
        } finally {
            second.destroy(); // SIGTERM, as the kubelet sends it
            stoppedWithinGracePeriod = second.waitFor(30, TimeUnit.SECONDS);
            if (!stoppedWithinGracePeriod) {
                second.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // never left behind
            }
        }
        assertThat(stoppedWithinGracePeriod)
                .as("SIGTERM stopped the service within Kubernetes' default grace period of 30 s (see second.log)")
                .isTrue();
        assertThat(second.exitValue()).as("a clean stop on SIGTERM").isIn(0, 143);
    }

    /** The billing command of the root README, which billing/README.md documents identically. */
    static List<String> readmeCommand() throws IOException {
        String root = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        String line = root.lines()
                .filter(l -> l.startsWith("TALOSBURST_BILLING_BOOTSTRAP_SERVERS=") && l.contains(" java -jar "))
                .findFirst()
                .orElseThrow(() -> new AssertionError(
                        "README.md documents no 'TALOSBURST_BILLING_BOOTSTRAP_SERVERS=... java -jar' command"));
        assertThat(Files.readString(ROOT.resolve("billing/README.md"), StandardCharsets.UTF_8))
                .as("billing/README.md documents the same command")
                .contains(line);
        return List.of(line.trim().split("\\s+"));
    }

    /**
     * Runs {@code command} from the root of the clone; its env assignments go to the environment, Kafka's address
     * replaced. {@code holdOffsets}: no offset commit for an hour (a copy that is killed, never stopped: a SIGTERM waits
     * up to the commit interval for the offsets).
     */
    private static Process start(List<String> command, Path data, int port, Path log, boolean holdOffsets)
            throws IOException {
        Map<String, String> env = new HashMap<>();
        List<String> argv = new ArrayList<>();
        for (String word : command) {
            if (argv.isEmpty() && word.matches("[A-Z_]+=.*")) {
                String[] kv = word.split("=", 2);
                env.put(kv[0], kv[1].equals("kafka:9092") ? broker.bootstrapServers() : kv[1]);
            } else {
                argv.add(
                        argv.isEmpty() && word.equals("java")
                                ? Path.of(System.getProperty("java.home"), "bin", "java")
                                        .toString()
                                : word);
            }
        }
        assertThat(env).containsKey("TALOSBURST_BILLING_BOOTSTRAP_SERVERS");
        ProcessBuilder pb = new ProcessBuilder(argv)
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        // The test's own settings, beside the command: where to listen, read and store.
        pb.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
        pb.environment().put("TALOSBURST_BILLING_TOPIC", TOPIC);
        pb.environment().put("TALOSBURST_BILLING_DATA_DIR", data.toString());
        // the events are of November 2026: a window of 100 years keeps them inside it whatever today is
        pb.environment().put("TALOSBURST_BILLING_RETENTION_DAYS", "36500");
        if (holdOffsets) {
            pb.environment()
                    .put("JAVA_TOOL_OPTIONS", "-Dmp.messaging.incoming.node-lifecycle.auto.commit.interval.ms=3600000");
        }
        return pb.start();
    }

    private static void publish(List<LifecycleEvent> events) throws Exception {
        try (KafkaEventSink sink = new KafkaEventSink(
                EventPublisherSettings.defaults(broker.bootstrapServers())
                        .withTopic(TOPIC)
                        .withTopicLayout(2, (short) 1)
                        .withDelivery(Duration.ofSeconds(5), Duration.ofMillis(200)),
                new SimpleMeterRegistry())) {
            sink.start();
            events.forEach(sink::emit);
            await().atMost(Duration.ofSeconds(60)).until(() -> sink.pending() == 0);
        }
    }

    private static LifecycleEvent[] thirdServer() {
        return BillingEvents.server(
                "burst-c",
                3L,
                java.time.Instant.parse("2026-11-21T02:00:00Z"),
                java.time.Instant.parse("2026-11-21T04:30:00Z"));
    }

    private static Map<TopicPartition, OffsetAndMetadata> committedOffsets() throws Exception {
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> all = admin.listConsumerGroupOffsets(GROUP)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetAndMetadata> ours = new HashMap<>();
            all.forEach((tp, o) -> {
                if (tp.topic().equals(TOPIC)) {
                    ours.put(tp, o);
                }
            });
            return ours;
        }
    }

    private static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
