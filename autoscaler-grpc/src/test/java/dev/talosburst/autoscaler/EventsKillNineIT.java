package dev.talosburst.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.autoscaler.testing.PackagedApp;
import dev.talosburst.events.testing.TestBroker;
import dev.talosburst.hcloudsim.HcloudSimulator;
import dev.talosburst.hcloudsim.ServerSnapshot;
import dev.talosburst.hcloudsim.SimulatorOptions;
import dev.talosburst.proto.externalgrpc.CloudProviderGrpc;
import dev.talosburst.proto.externalgrpc.NodeGroupIncreaseSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupTargetSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupsRequest;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar with events on against a real broker and an external Hetzner simulator (which outlives the process):
 * IncreaseSize over gRPC, SIGKILL while Hetzner is still answering the creations, a restart on the same journal, the
 * scale-up finished; then the topic read by an independent consumer through the CloudEvents SDK: every server at Hetzner
 * has its transitions, no id carries two contents, each server's events are in order, and the suppression counter equals
 * the suppressions the process logged.
 *
 * <p>The kill lands in the window after Kafka acknowledged events and before anything recorded that: the state topic
 * refuses records during the first run (none of its state records or checkpoints lands), and the journal is left as a
 * kill just before its acknowledgement lines were written would leave it (they are removed). The restarted process must
 * learn from the event topic's tail that those journaled events are in Kafka and suppress them, one count each.
 */
class EventsKillNineIT {

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    private static final String POOL = "kill-fsn1";
    private static final String CLUSTER = "it-kill";
    private static final String TOPIC = "kill-nine.node-lifecycle.v1";
    private static final int SERVERS = 4;

    private HcloudSimulator hetzner;
    private PackagedApp app;
    private ManagedChannel channel;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (app != null) {
            app.close();
        }
        if (hetzner != null) {
            hetzner.close();
        }
    }

    @Test
    void killNineMidScaleUpLeavesEveryTransitionOnceInOrder(@TempDir Path journal) throws Exception {
        hetzner = HcloudSimulator.start(SimulatorOptions.builder()
                .host("127.0.0.1")
                .port(0)
                .token("it-kill-token")
                .initializing(Duration.ofMillis(500))
                .starting(Duration.ofSeconds(1))
                .build());
        // Hetzner takes 3 s to answer a create: the kill lands while creations are in flight.
        hetzner.faults().latency("POST", "/v1/servers", Duration.ofSeconds(3));
        int grpcPort = PackagedApp.freePort();
        managementPort = PackagedApp.freePort();
        // Every state record (and checkpoint) is larger than this state topic accepts during the first run.
        broker.createStateTopicRefusingRecords(TOPIC + ".state", 3);

        app = talosBurst("events-kill-nine-first", journal, grpcPort, managementPort)
                .start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort)
                .usePlaintext()
                .build();
        awaitPool();
        ca().nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest.newBuilder()
                .setId(POOL)
                .setDelta(SERVERS)
                .build());
        // kill once server-create-requested of two servers is in Kafka: their creates are then in flight at Hetzner
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(() -> readTopic().values().stream()
                                .filter(events -> types(events).contains("server-create-requested"))
                                .count()
                        >= 2);
        int exit = app.kill();
        assertThat(exit).as("killed by SIGKILL").isEqualTo(137);
        int answeredBeforeKill = hetzner.inspect().requestCount("POST", "/v1/servers");
        // creates in flight at the kill still happen at Hetzner (their answers go nowhere): they land within the
        // latency
        Thread.sleep(3_500);
        int createsBeforeKill = hetzner.inspect().requestCount("POST", "/v1/servers");
        hetzner.faults().clear();
        try (Admin admin = admin()) {
            admin.incrementalAlterConfigs(Map.of(
                            new ConfigResource(ConfigResource.Type.TOPIC, TOPIC + ".state"),
                            List.of(new AlterConfigOp(
                                    new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, ""),
                                    AlterConfigOp.OpType.DELETE))))
                    .all()
                    .get();
        }
        long inKafkaNotRecorded = forgetAcknowledgements(journal, readTopic());
        assertThat(inKafkaNotRecorded)
                .as("journaled server events Kafka acknowledged before the kill")
                .isPositive();

        app = talosBurst("events-kill-nine-second", journal, grpcPort, managementPort)
                .start();
        awaitPool();
        // cluster-autoscaler asks again for what the restarted talos-burst does not count yet
        int target = ca().nodeGroupTargetSize(
                        NodeGroupTargetSizeRequest.newBuilder().setId(POOL).build())
                .getTargetSize();
        if (target < SERVERS) {
            ca().nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest.newBuilder()
                    .setId(POOL)
                    .setDelta(SERVERS - target)
                    .build());
        }
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> running().size() >= SERVERS);
        List<ServerSnapshot> servers = running();

        // every server Hetzner has: requested, created (by talos-burst or, if the kill took its answer, the reconciler)
        Map<String, List<CloudEvent>> byServer = new HashMap<>();
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    byServer.clear();
                    byServer.putAll(readTopic());
                    for (ServerSnapshot s : servers) {
                        assertThat(types(byServer.get(s.name())))
                                .as("events of %s (%d creates were sent before the kill)", s.name(), createsBeforeKill)
                                .contains("server-create-requested", "server-created");
                    }
                });
        Map<String, String> contentById = new HashMap<>();
        Set<String> conflicting = new HashSet<>();
        int records = 0;
        for (List<CloudEvent> events : byServer.values()) {
            for (CloudEvent e : events) {
                records++;
                String content = e.getTime() + "|" + new String(e.getData().toBytes(), StandardCharsets.UTF_8);
                String before = contentById.putIfAbsent(e.getId(), content);
                if (before != null && !before.equals(content)) {
                    conflicting.add(e.getId());
                }
            }
        }
        assertThat(conflicting)
                .as("ids with two contents among %d records", records)
                .isEmpty();
        for (ServerSnapshot s : servers) {
            List<String> types = types(byServer.get(s.name()));
            assertThat(types.stream().filter(t -> t.equals("server-created")).count())
                    .as("server-created of %s", s.name())
                    .isEqualTo(1);
            assertThat(types.indexOf("server-create-requested"))
                    .as("order of %s: %s", s.name(), types)
                    .isLessThan(types.indexOf("server-created"));
            if (types.contains("server-adopted")) {
                // adopted by the restarted engine before the reconciler published the server-created the kill took: the
                // sink holds the adoption until that server-created passed it, so the topic reads in order, times too
                assertThat(types.indexOf("server-created"))
                        .as("order of %s: %s", s.name(), types)
                        .isLessThan(types.indexOf("server-adopted"));
                List<CloudEvent> events = byServer.get(s.name());
                assertThat(events.get(types.indexOf("server-created")).getTime())
                        .as("times of %s: %s", s.name(), types)
                        .isBefore(events.get(types.indexOf("server-adopted")).getTime());
            }
            assertThat(types.get(0))
                    .as("first event of %s: %s", s.name(), types)
                    .isEqualTo("server-create-requested");
            String createdData = new String(
                    byServer.get(s.name())
                            .get(types.indexOf("server-created"))
                            .getData()
                            .toBytes(),
                    StandardCharsets.UTF_8);
            assertThat(createdData)
                    .as("server-created of %s names Hetzner's id", s.name())
                    .contains("\"id\":" + s.id());
        }

        // the counter counts exactly what the restarted process logged as not re-published
        String log = app.output();
        long logged = log.lines().filter(l -> l.contains("not re-published")).count();
        double counted = metric("talosburst_events_duplicates_suppressed_total");
        assertThat(counted)
                .as("suppressions counted vs logged; see " + app.log())
                .isEqualTo((double) logged);
        assertThat(counted)
                .as("journaled events already in Kafka, each suppressed once; see " + app.log())
                .isEqualTo((double) inKafkaNotRecorded);
        System.out.printf(
                "kill -9 IT: %d creates answered before the kill, %d sent by the killed process, %d servers, %d records, %d distinct ids, %.0f suppressed after the restart%n",
                answeredBeforeKill, createsBeforeKill, servers.size(), records, contentById.size(), counted);
    }

    /**
     * Removes the journal's acknowledgement lines, as a kill right after Kafka's acks and before they were written would
     * have left it.
     *
     * @return how many journaled server events (not pool-level) the topic holds
     */
    private static long forgetAcknowledgements(Path journal, Map<String, List<CloudEvent>> topic) throws Exception {
        Set<String> inKafka = new HashSet<>();
        topic.values().forEach(events -> events.forEach(e -> inKafka.add(e.getId())));
        Path file = journal.resolve("node-lifecycle-events.journal");
        List<String> kept = new ArrayList<>();
        long count = 0;
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("{\"ack\":")) {
                continue;
            }
            kept.add(line);
            Matcher id = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(line);
            boolean poolLevel = line.contains("scale-up-requested") || line.contains("scale-down-requested");
            if (id.find() && inKafka.contains(id.group(1)) && !poolLevel) {
                count++;
            }
        }
        Files.write(file, kept);
        return count;
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    private PackagedApp.Builder talosBurst(String name, Path journal, int grpcPort, int managementPort) {
        return PackagedApp.named(name)
                .systemProperty("talosburst.cluster-id", CLUSTER)
                .systemProperty("talosburst.hcloud.embedded-simulator", false)
                .systemProperty("talosburst.hcloud.endpoint", hetzner.endpoint())
                .env("TALOSBURST_HCLOUD_TOKEN", "it-kill-token")
                .systemProperty("talosburst.talos.demo-user-data", true)
                .systemProperty("talosburst.grpc.plaintext", true)
                .systemProperty("talosburst.grpc.port", grpcPort)
                .systemProperty("talosburst.management.port", managementPort)
                .systemProperty("talosburst.engine.resync-interval", "1s")
                .systemProperty("talosburst.pools." + POOL + ".server-type", "cx22")
                .systemProperty("talosburst.pools." + POOL + ".location", "fsn1")
                .systemProperty("talosburst.pools." + POOL + ".max", SERVERS)
                .systemProperty("talosburst.events.bootstrap-servers", broker.bootstrapServers())
                .systemProperty("talosburst.events.journal-dir", journal)
                .systemProperty("talosburst.events.topic", TOPIC)
                .systemProperty("talosburst.events.partitions", 3)
                .systemProperty("talosburst.events.replication-factor", 1)
                .systemProperty("quarkus.log.category.\"dev.talosburst.events.publish.KafkaEventSink\".level", "DEBUG");
    }

    private void awaitPool() {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> {
                    assertThat(app.isAlive())
                            .as("application still running; see " + app.log())
                            .isTrue();
                    return ca().nodeGroups(NodeGroupsRequest.getDefaultInstance()).getNodeGroupsList().stream()
                            .anyMatch(g -> g.getId().equals(POOL));
                });
    }

    private List<ServerSnapshot> running() {
        return hetzner.inspect().servers().stream()
                .filter(s -> s.name().startsWith(POOL) && "running".equals(s.status()))
                .toList();
    }

    private CloudProviderGrpc.CloudProviderBlockingStub ca() {
        return CloudProviderGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    }

    /** The whole topic through the CloudEvents SDK's Kafka deserializer, per record key (server name), in offset order. */
    private static Map<String, List<CloudEvent>> readTopic() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, List<CloudEvent>> out = new HashMap<>();
        try (KafkaConsumer<String, CloudEvent> c =
                new KafkaConsumer<>(p, new StringDeserializer(), new CloudEventDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo info : c.partitionsFor(TOPIC, Duration.ofSeconds(10))) {
                parts.add(new TopicPartition(TOPIC, info.partition()));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, CloudEvent> r : c.poll(Duration.ofMillis(200))) {
                    out.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
                }
            }
        }
        return out;
    }

    private static List<String> types(List<CloudEvent> events) {
        if (events == null) {
            return List.of();
        }
        return events.stream()
                .map(e -> e.getType().replace("dev.talosburst.node.", "").replace(".v1", ""))
                .toList();
    }

    private double metric(String name) throws Exception {
        String body = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPortOf() + "/q/metrics"))
                                .header("Accept", "text/plain; version=0.0.4")
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$")
                .matcher(body);
        assertThat(m.find()).as("metric %s in /q/metrics", name).isTrue();
        return Double.parseDouble(m.group(2));
    }

    private int managementPort;

    private int managementPortOf() {
        return managementPort;
    }
}
