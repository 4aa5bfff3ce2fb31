package dev.talosburst.billing;

import dev.talosburst.events.testing.TestBroker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/** A real in-process KRaft broker for the Quarkus tests (as the events module's TestBroker), and a fresh data directory. */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    static volatile String bootstrapServers;
    private EmbeddedKafkaBroker broker;

    @Override
    public Map<String, String> start() {
        try {
            int[] ports = TestBroker.freePorts(2); // listener and controller: never the same port
            int port = ports[0];
            broker = new EmbeddedKafkaBroker()
                    .withKafkaHost("127.0.0.1")
                    .withKafkaPort(port)
                    .withControllerPort(ports[1])
                    .withAdditionalProperties(p -> p.put("group.initial.rebalance.delay.ms", "0"))
                    .start();
            bootstrapServers = "127.0.0.1:" + port;
            String dataDir = Files.createTempDirectory("talos-burst-billing-").toString();
            return Map.of(
                    "talosburst.billing.bootstrap-servers",
                    bootstrapServers,
                    "talosburst.billing.data-dir",
                    dataDir,
                    "talosburst.billing.topic",
                    BillingServiceTest.TOPIC,
                    // the events are of November 2026: a window of 100 years keeps them inside it whatever today is
                    "talosburst.billing.retention-days",
                    "36500");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.close();
        }
    }
}
