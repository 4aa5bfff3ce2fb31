package dev.talosburst.events.billing;

import dev.talosburst.events.model.NodeCloudEvent;
import dev.talosburst.events.model.NodeEventMapper;
import dev.talosburst.events.testing.CataloguePrices;
import dev.talosburst.events.testing.EngineEvents;
import dev.talosburst.events.testing.TestBroker;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent.HourlyPrice;
import dev.talosburst.provisioner.lifecycle.Transition;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class BillingConsumerTest {

    private static final Instant NOW = Instant.parse("2026-11-21T10:15:00Z");
    private static final LocalDate DAY1 = LocalDate.parse("2026-11-20");
    private static final LocalDate DAY2 = LocalDate.parse("2026-11-21");
    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    @Test
    void duplicatesAndOutOfOrderPartitionsGiveTheHandComputedTotals() throws Exception {
        HourlyPrice cx22 = CataloguePrices.of("cx22", "fsn1");
        HourlyPrice ccx23 = CataloguePrices.of("ccx23", "fsn1");
        EngineEvents poolA = new EngineEvents("a-cx22", "cx22", "fsn1", cx22);
        EngineEvents poolB = new EngineEvents("b-ccx23", "ccx23", "fsn1", ccx23);
        List<LifecycleEvent> events = new ArrayList<>();
        // s1: created 10:00:20, deleted 12:30:40 on day 1 -> 2 h 30 min 20 s -> 3 hours on day 1.
        Instant t1 = Instant.parse("2026-11-20T10:00:00Z");
        events.addAll(poolA.serverUp("a-cx22-1", 1, t1));
        events.addAll(poolA.serverDown("a-cx22-1", 1, t1, Instant.parse("2026-11-20T12:30:40Z")));
        // s2: created 23:30:00 day 1, deleted 01:10:00 day 2 -> 1 h 40 min -> hour 1 on day 1, hour 2 on day 2.
        Instant t2 = Instant.parse("2026-11-20T23:29:40Z");
        events.addAll(poolA.serverUp("a-cx22-2", 2, t2));
        events.addAll(poolA.serverDown("a-cx22-2", 2, t2, Instant.parse("2026-11-21T01:10:00Z")));
        // s3: created 05:00:00 day 2, deleted 10 s later -> 1 hour on day 2.
        Instant t3 = Instant.parse("2026-11-21T04:59:40Z");
        events.addAll(poolA.serverUp("a-cx22-3", 3, t3).subList(0, 2));
        events.addAll(poolA.serverDown("a-cx22-3", 3, t3, Instant.parse("2026-11-21T05:00:10Z")).subList(0, 1));
        // s4: created 08:00:00 day 2, still running at 10:15 -> 2 h 15 min -> 3 hours on day 2.
        Instant t4 = Instant.parse("2026-11-21T07:59:40Z");
        events.addAll(poolB.serverUp("b-ccx23-1", 4, t4));
        // s5: creation failed -> never billed.
        events.add(poolA.server(Transition.SERVER_CREATE_REQUESTED, "a-cx22-5", null,
                poolA.facts("a-cx22-5", t1, null, null, null, null), t1));
        events.add(new LifecycleEvent(Transition.SERVER_CREATE_FAILED, EngineEvents.CLUSTER, "a-cx22", "a-cx22-5", "", t1.plusSeconds(5),
                null, poolA.facts("a-cx22-5", t1, null, null, null, null), "resource_unavailable",
                Map.of("errorCode", "resource_unavailable", "errorClass", "1")));
        events.add(poolA.scaleUp(1, 3, 3, t1));

        String topic = "billing-" + System.nanoTime();
        NodeEventMapper mapper = new NodeEventMapper(NodeEventMapper.DATA_SCHEMA_V1);
        List<NodeCloudEvent> ces = new ArrayList<>(events.stream().map(mapper::toCloudEvent).toList());
        // Re-publications (same id) of several events, including a deletion and a creation.
        List<NodeCloudEvent> dups = List.of(ces.get(1), ces.get(4), ces.get(5), ces.get(10), ces.get(ces.size() - 1));
        ces.addAll(dups);
        Collections.shuffle(ces, new Random(42));
        produceScattered(topic, ces);

        try (BillingConsumer consumer = new BillingConsumer(broker.bootstrapServers(), topic, Map.of())) {
            consumer.readToEnd(Duration.ofSeconds(20));
            assertThat(consumer.caughtUp()).isTrue();
            BillingLedger ledger = consumer.ledger();
            assertThat(ledger.duplicatesDropped()).isEqualTo(dups.size());
            assertThat(consumer.skipped()).isEqualTo(1); // the foreign record

            BigDecimal a = cx22.net();
            BigDecimal ag = cx22.gross();
            BigDecimal b = ccx23.net();
            BigDecimal bg = ccx23.gross();
            assertThat(ledger.usage(NOW)).usingRecursiveFieldByFieldElementComparator(
                    org.assertj.core.api.recursive.comparison.RecursiveComparisonConfiguration.builder()
                            .withComparatorForType(BigDecimal::compareTo, BigDecimal.class).build())
                    .containsExactly(
                            new PoolDayUsage("a-cx22", DAY1, "EUR", 4, a.multiply(BigDecimal.valueOf(4)), ag.multiply(BigDecimal.valueOf(4))),
                            new PoolDayUsage("a-cx22", DAY2, "EUR", 2, a.multiply(BigDecimal.valueOf(2)), ag.multiply(BigDecimal.valueOf(2))),
                            new PoolDayUsage("b-ccx23", DAY2, "EUR", 3, b.multiply(BigDecimal.valueOf(3)), bg.multiply(BigDecimal.valueOf(3))));
            // cx22 in fsn1: 0.0060 EUR/h net; 6 hours = 0.0360 EUR.
            assertThat(ledger.totalsByPool(NOW).get("a-cx22").get("EUR").amountNet()).isEqualByComparingTo("0.0360");
            assertThat(BillingConsumer.format(ledger.usage(NOW))).contains("a-cx22", "2026-11-21", "0.0240");

            consumer.publishSnapshot(NOW);
            com.sun.net.httpserver.HttpServer server = consumer.serve(new java.net.InetSocketAddress("127.0.0.1", 0));
            try {
                java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + server.getAddress().getPort();
                java.net.http.HttpResponse<String> json = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(base + "/usage")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(json.statusCode()).isEqualTo(200);
                com.fasterxml.jackson.databind.JsonNode rows = dev.talosburst.events.model.EventJson.mapper().readTree(json.body());
                assertThat(rows).hasSize(3);
                assertThat(rows.get(2).get("pool").asText()).isEqualTo("b-ccx23");
                assertThat(rows.get(2).get("nodeHours").asLong()).isEqualTo(3);
                assertThat(new BigDecimal(rows.get(2).get("amountNet").asText())).isEqualByComparingTo(b.multiply(BigDecimal.valueOf(3)));
                java.net.http.HttpResponse<String> missing = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(base + "/other")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(missing.statusCode()).isEqualTo(404);
            } finally {
                server.stop(0);
            }
        }

        // The command line prints the same table (servers still alive are billed until the real "now").
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.out;
        System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            BillingConsumer.main(new String[] {"--bootstrap", broker.bootstrapServers(), "--topic", topic, "--once"});
        } finally {
            System.setOut(original);
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("POOL", "a-cx22", "2026-11-20", "0.0240", "b-ccx23");
    }

    /** Writes events to explicit partitions that break per-server order, plus one foreign record. */
    private static void produceScattered(String topic, List<NodeCloudEvent> ces) throws Exception {
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (Admin a = Admin.create(admin)) {
            a.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            int i = 0;
            for (NodeCloudEvent e : ces) {
                // Deletions first partition, creations last: a consumer reading partition 0 first sees ends before starts.
                int partition = switch (e.transition()) {
                    case SERVER_DELETED, NODE_REMOVED -> 0;
                    case SERVER_CREATED -> 2;
                    default -> i++ % 3;
                };
                ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, partition, e.key(), e.data());
                e.headers().forEach((k, v) -> r.headers().add(new RecordHeader(k, v.getBytes(StandardCharsets.UTF_8))));
                producer.send(r);
            }
            producer.send(new ProducerRecord<>(topic, 1, "junk", "{\"hello\":1}".getBytes(StandardCharsets.UTF_8)));
            producer.flush();
        }
    }

    @Test
    void consumerRefusesAMissingTopicWithAClearMessage() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BillingConsumer(broker.bootstrapServers(), "no-such-topic-" + System.nanoTime(), Map.of()))
                .hasMessageContaining("does not exist").hasMessageContaining("--topic");
    }

}
