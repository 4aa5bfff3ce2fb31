package dev.talosburst.autoscaler.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.talosburst.proto.externalgrpc.CloudProviderGrpc;
import dev.talosburst.proto.externalgrpc.ExternalGrpcNode;
import dev.talosburst.proto.externalgrpc.Instance;
import dev.talosburst.proto.externalgrpc.NodeGroupDeleteNodesRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupIncreaseSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupNodesRequest;
import dev.talosburst.provisioner.directory.InMemoryNodeDirectory;
import dev.talosburst.provisioner.directory.NodeDirectory;
import io.grpc.ManagedChannel;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The whole path billing depends on: CA's calls over gRPC → the engine → the Hetzner simulator → lifecycle events
 * as CloudEvents on a real Kafka broker, read back with a plain consumer.
 */
@QuarkusTest
@TestProfile(KafkaEventsProfile.class)
class LifecycleEventsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    NodeDirectory nodes;

    @Test
    void aScaleUpOfThreeAndAScaleDownOfOneProduceExactlyTheExpectedEvents() throws Exception {
        ManagedChannel channel = GrpcTestChannels.plaintext();
        try {
            CloudProviderGrpc.CloudProviderBlockingStub ca = CloudProviderGrpc.newBlockingStub(channel);
            String pool = "cx22-fsn1";
            ca.withDeadlineAfter(5, TimeUnit.SECONDS)
                    .nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest.newBuilder()
                            .setId(pool)
                            .setDelta(3)
                            .build());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> instances(ca, pool).stream()
                                    .filter(i -> i.getId().startsWith("hcloud://"))
                                    .count()
                            == 3);
            List<Instance> instances = instances(ca, pool);

            // the kubelets register and turn Ready (the in-memory directory stands in for the cluster here)
            InMemoryNodeDirectory kubelets = (InMemoryNodeDirectory) nodes;
            List<String> names = new ArrayList<>();
            for (Instance instance : instances) {
                String name = serverName(instance.getId());
                names.add(name);
                kubelets.register(name, Map.of("talos-burst.dev/pool", pool));
                kubelets.setReady(name, true);
            }
            String victim = names.get(0);
            ca.withDeadlineAfter(5, TimeUnit.SECONDS)
                    .nodeGroupDeleteNodes(NodeGroupDeleteNodesRequest.newBuilder()
                            .setId(pool)
                            .addNodes(ExternalGrpcNode.newBuilder()
                                    .setName(victim)
                                    .setProviderID(instances.get(0).getId()))
                            .build());

            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = consumer()) {
                consumer.subscribe(List.of("talos-burst.node-lifecycle.v1"));
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    consumer.poll(Duration.ofMillis(500)).forEach(records::add);
                    return records.stream()
                            .filter(r -> r.key().equals(victim))
                            .map(LifecycleEventsTest::type)
                            .toList()
                            .contains("node-removed");
                });
                // and nothing more trickles in for this scale-up
                consumer.poll(Duration.ofSeconds(2)).forEach(records::add);
            }

            JsonSchema schema = schema();
            Set<String> ids = new HashSet<>();
            for (ConsumerRecord<String, String> record : records) {
                assertThat(ids.add(header(record, "ce_id"))).as("ce_id unique").isTrue();
                assertThat(header(record, "ce_specversion")).isEqualTo("1.0");
                assertThat(header(record, "content-type")).isEqualTo("application/json");
                assertThat(header(record, "ce_type"))
                        .startsWith("dev.talosburst.node.")
                        .endsWith(".v1");
                assertThat(header(record, "ce_subject")).isEqualTo(record.key());
                assertThat(schema.validate(JSON.readTree(record.value())))
                        .as("schema-valid: " + record.value())
                        .isEmpty();
            }
            assertThat(typesFor(records, victim))
                    .containsExactly(
                            "server-create-requested",
                            "server-created",
                            "node-registered",
                            "node-ready",
                            "server-deleted",
                            "node-removed");
            for (String survivor : names.subList(1, 3)) {
                assertThat(typesFor(records, survivor))
                        .containsExactly("server-create-requested", "server-created", "node-registered", "node-ready");
            }
            assertThat(typesFor(records, pool)).containsExactly("scale-up-requested", "scale-down-requested");
            JsonNode created = JSON.readTree(records.stream()
                    .filter(r -> r.key().equals(victim) && type(r).equals("server-created"))
                    .findFirst()
                    .orElseThrow()
                    .value());
            assertThat(created.at("/server/type").asText()).isEqualTo("cx22");
            assertThat(created.at("/server/price/hourlyNet").asText()).isNotBlank();
            assertThat(created.toString()).doesNotContain("token");
        } finally {
            GrpcTestChannels.close(channel);
        }
    }

    private static List<Instance> instances(CloudProviderGrpc.CloudProviderBlockingStub ca, String pool) {
        return ca.withDeadlineAfter(5, TimeUnit.SECONDS)
                .nodeGroupNodes(NodeGroupNodesRequest.newBuilder().setId(pool).build())
                .getInstancesList();
    }

    private String serverName(String instanceId) {
        long id = Long.parseLong(instanceId.substring("hcloud://".length()));
        return nodesNameById(id);
    }

    @Inject
    dev.talosburst.autoscaler.wiring.EmbeddedHetzner hetzner;

    private String nodesNameById(long id) {
        return hetzner.local()
                .unwrap(dev.talosburst.hcloudsim.HcloudSimulator.class)
                .inspect()
                .server(id)
                .orElseThrow()
                .name();
    }

    private static List<String> typesFor(List<ConsumerRecord<String, String>> records, String key) {
        return records.stream()
                .filter(r -> r.key().equals(key))
                .map(LifecycleEventsTest::type)
                .toList();
    }

    private static String type(ConsumerRecord<String, String> record) {
        String type = header(record, "ce_type");
        return type.substring("dev.talosburst.node.".length(), type.length() - ".v1".length());
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static KafkaConsumer<String, String> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaEventsProfile.Broker.bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "lifecycle-events-test");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return new KafkaConsumer<>(props);
    }

    private static JsonSchema schema() throws Exception {
        try (InputStream in = LifecycleEventsTest.class.getResourceAsStream("/schemas/node-lifecycle-v1.schema.json")) {
            assertThat(in).as("the events module ships its JSON Schema").isNotNull();
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(in);
        }
    }
}
