package dev.talosburst.billing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.events.model.NodeCloudEvent;
import dev.talosburst.events.model.NodeEventMapper;
import dev.talosburst.events.publish.EventPublisherSettings;
import dev.talosburst.events.publish.KafkaEventSink;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The billing service against a real broker: events published by talos-burst's own sink (plus one record delivered
 * twice) give the hand-computed node-hours and cost per pool and day, in the JSON endpoint and the Prometheus metrics.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = true)
class BillingServiceTest {

    static final String TOPIC = "billing-test.node-lifecycle.v1";

    @Test
    void eventsFromTheTopicBecomeNodeHoursAndCostPerPoolAndDayOnce() throws Exception {
        List<LifecycleEvent> events = BillingEvents.twoServersOfPoolBurst();
        try (KafkaEventSink sink = new KafkaEventSink(
                EventPublisherSettings.defaults(KafkaBrokerResource.bootstrapServers)
                        .withTopic(TOPIC)
                        .withTopicLayout(2, (short) 1)
                        .withDelivery(Duration.ofSeconds(5), Duration.ofMillis(200)),
                new SimpleMeterRegistry())) {
            sink.start();
            events.forEach(sink::emit);
            await().atMost(Duration.ofSeconds(60)).until(() -> sink.pending() == 0);
        }
        sendAgain(new NodeEventMapper(NodeEventMapper.DATA_SCHEMA_V1)
                .toCloudEvent(events.get(0))); // a redelivered record

        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> given().get("/usage")
                        .then()
                        .statusCode(200)
                        .body("eventsCounted", org.hamcrest.Matchers.is(events.size()))
                        .body("duplicatesDropped", org.hamcrest.Matchers.is(1)));
        String usage = given().get("/usage").then().statusCode(200).extract().asString();
        // A: 10:00-12:30 on the 20th = 3 started hours; B: 23:30-01:10 = one hour on the 20th, one on the 21st (cx22:
        // 0.0060 net)
        assertThat(usage)
                .contains(
                        "{\"pool\":\"burst\",\"day\":\"2026-11-20\",\"currency\":\"EUR\",\"nodeHours\":4,\"amountNet\":\"0.0240\",\"amountGross\":\"0.028560\"}")
                .contains(
                        "{\"pool\":\"burst\",\"day\":\"2026-11-21\",\"currency\":\"EUR\",\"nodeHours\":1,\"amountNet\":\"0.0060\",\"amountGross\":\"0.007140\"}");
        given().get("/q/health/ready").then().statusCode(200);
        String metrics =
                given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics)
                // per pool since the start, no day label (series would grow every day): 4 + 1 hours, 5 × 0.0060 net
                .contains("talosburst_billing_node_hours{currency=\"EUR\",pool=\"burst\"} 5.0")
                .contains("talosburst_billing_amount_net{currency=\"EUR\",pool=\"burst\"} 0.03")
                .contains("talosburst_billing_amount_gross{currency=\"EUR\",pool=\"burst\"} 0.0357")
                .doesNotContain("day=")
                .contains("talosburst_billing_events_total{result=\"duplicate\"} 1.0");
    }

    private static void sendAgain(NodeCloudEvent e) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerResource.bootstrapServers);
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(TOPIC, e.key(), e.data());
            e.headers().forEach((k, v) -> r.headers().add(new RecordHeader(k, v.getBytes(StandardCharsets.UTF_8))));
            producer.send(r).get();
        }
    }
}
