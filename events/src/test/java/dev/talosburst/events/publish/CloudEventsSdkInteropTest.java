package dev.talosburst.events.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.events.model.EventIds;
import dev.talosburst.events.model.NodeEventMapper;
import dev.talosburst.events.testing.DataSchema;
import dev.talosburst.events.testing.EngineEvents;
import dev.talosburst.events.testing.TestBroker;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import io.cloudevents.CloudEvent;
import io.cloudevents.SpecVersion;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Interoperability: what the sink writes (plain kafka-clients headers, no CloudEvents SDK) is read by the CloudEvents
 * SDK's Kafka deserializer ({@code io.cloudevents:cloudevents-kafka}) as binary-mode CloudEvents 1.0 with every attribute.
 */
class CloudEventsSdkInteropTest {

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    @Test
    void theCloudEventsSdkDecodesEveryRecordOfTheTopic() {
        String topic = "interop-" + UUID.randomUUID();
        Instant t0 = Instant.parse("2026-11-20T10:00:00Z");
        EngineEvents engine = EngineEvents.cx22Fsn1("workers");
        List<LifecycleEvent> emitted = new ArrayList<>();
        emitted.add(engine.scaleUp(1, 1, 1, t0));
        emitted.addAll(engine.serverUp("workers-1", 4711, t0.plusSeconds(1)));
        emitted.addAll(engine.serverDown("workers-1", 4711, t0.plusSeconds(1), t0.plusSeconds(3 * 3600)));
        try (KafkaEventSink sink = new KafkaEventSink(
                EventPublisherSettings.defaults(broker.bootstrapServers())
                        .withTopic(topic)
                        .withTopicLayout(1, (short) 1)
                        .withDelivery(Duration.ofSeconds(3), Duration.ofMillis(200)),
                new SimpleMeterRegistry())) {
            sink.start();
            emitted.forEach(sink::emit);
            await().atMost(Duration.ofSeconds(60)).until(() -> sink.pending() == 0);
        }

        List<ConsumerRecord<String, CloudEvent>> records = readWithSdk(topic, emitted.size());
        assertThat(records).hasSize(emitted.size());
        Map<String, LifecycleEvent> byId =
                emitted.stream().collect(Collectors.toMap(e -> EventIds.forIdentity(e.identity()), e -> e));
        for (ConsumerRecord<String, CloudEvent> r : records) {
            CloudEvent ce = r.value();
            LifecycleEvent e = byId.remove(ce.getId());
            assertThat(e).as("emitted event with id %s", ce.getId()).isNotNull();
            assertThat(ce.getSpecVersion()).isEqualTo(SpecVersion.V1);
            assertThat(ce.getSource()).isEqualTo(URI.create(NodeEventMapper.sourceOf(e.clusterId())));
            assertThat(ce.getType())
                    .isEqualTo("dev.talosburst.node." + e.transition().eventName() + ".v1");
            assertThat(ce.getSubject()).isEqualTo(e.subject());
            assertThat(ce.getTime()).isNotNull();
            assertThat(ce.getTime().toInstant()).isEqualTo(e.at());
            assertThat(ce.getTime().getOffset()).isEqualTo(ZoneOffset.UTC);
            assertThat(ce.getDataSchema()).isEqualTo(URI.create(NodeEventMapper.DATA_SCHEMA_V1));
            assertThat(ce.getDataContentType()).isEqualTo("application/json");
            assertThat(ce.getData()).isNotNull();
            assertThat(DataSchema.errors(ce.getData().toBytes())).isEmpty();
            assertThat(r.key()).isEqualTo(e.subject());
        }
        assertThat(byId).isEmpty();
    }

    private static List<ConsumerRecord<String, CloudEvent>> readWithSdk(String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, CloudEvent>> out = new ArrayList<>();
        try (KafkaConsumer<String, CloudEvent> c =
                new KafkaConsumer<>(p, new StringDeserializer(), new CloudEventDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo i : c.partitionsFor(topic, Duration.ofSeconds(10))) {
                parts.add(new TopicPartition(topic, i.partition()));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
