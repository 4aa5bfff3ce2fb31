package dev.talosburst.autoscaler.grpc;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

/** The application publishing lifecycle events to a real in-process Kafka broker (KRaft) with a journal. */
public class KafkaEventsProfile implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Broker.class));
    }

    /** Starts the broker on a free loopback port and points talosburst.events at it. */
    public static class Broker implements QuarkusTestResourceLifecycleManager {
        static volatile String bootstrapServers;
        private EmbeddedKafkaBroker broker;

        @Override
        public Map<String, String> start() {
            java.util.logging.Logger.getLogger("org.apache.kafka").setLevel(java.util.logging.Level.WARNING);
            java.util.logging.Logger.getLogger("kafka").setLevel(java.util.logging.Level.WARNING);
            broker = new EmbeddedKafkaBroker()
                    .withKafkaHost("127.0.0.1")
                    .withAdditionalProperties(p -> p.put("group.initial.rebalance.delay.ms", "0"))
                    .start();
            bootstrapServers = broker.getAdvertisedListeners();
            try {
                return Map.of(
                        "talosburst.events.bootstrap-servers",
                        bootstrapServers,
                        "talosburst.events.journal-dir",
                        Files.createTempDirectory("talos-burst-journal").toString(),
                        "talosburst.events.replication-factor",
                        "1",
                        "talosburst.events.partitions",
                        "3");
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
}
