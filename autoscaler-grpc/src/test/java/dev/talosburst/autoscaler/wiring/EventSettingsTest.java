package dev.talosburst.autoscaler.wiring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.autoscaler.config.ConfigFixture;
import dev.talosburst.autoscaler.config.TalosBurstConfig;
import dev.talosburst.events.publish.EventPublisherSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The event sink's record keeps defaults of its own (for tests and library callers); operators' defaults are the
 * {@code @WithDefault}s of {@code talosburst.events.*}. These tests fail when the two drift apart or an option is not
 * passed on.
 */
class EventSettingsTest {

    @Test
    void theSinksRecordDefaultsAreTheOptionsDefaults() {
        TalosBurstConfig config = ConfigFixture.load(Map.of(
                "talosburst.events.bootstrap-servers", "kafka:9092",
                "talosburst.events.journal-dir", "/var/lib/talos-burst/journal"));
        assertThat(LifecycleEventPublishing.settings(config.events()))
                .isEqualTo(EventPublisherSettings.defaults("kafka:9092")
                        .withJournal(Path.of("/var/lib/talos-burst/journal")));
    }

    @Test
    void everyEventOptionReachesTheSink() {
        TalosBurstConfig config = ConfigFixture.load(Map.of(
                "talosburst.events.bootstrap-servers", "k1:9092,k2:9092",
                "talosburst.events.journal-dir", "/j",
                "talosburst.events.topic", "billing.nodes",
                "talosburst.events.queue-capacity", "500",
                "talosburst.events.backlog-warn-threshold", "50",
                "talosburst.events.create-topics", "false",
                "talosburst.events.partitions", "12",
                "talosburst.events.replication-factor", "1",
                "talosburst.events.unreachable-after", "90s",
                "talosburst.events.kafka.\"security.protocol\"", "SSL"));
        EventPublisherSettings set = LifecycleEventPublishing.settings(config.events());
        assertThat(set.bootstrapServers()).isEqualTo("k1:9092,k2:9092");
        assertThat(set.journalDir()).isEqualTo(Path.of("/j"));
        assertThat(set.topic()).isEqualTo("billing.nodes");
        assertThat(set.stateTopic()).isEqualTo("billing.nodes.state");
        assertThat(set.queueCapacity()).isEqualTo(500);
        assertThat(set.backlogWarnThreshold()).isEqualTo(50);
        assertThat(set.createTopics()).isFalse();
        assertThat(set.partitions()).isEqualTo(12);
        assertThat(set.replicationFactor()).isEqualTo((short) 1);
        assertThat(set.unreachableAfter()).isEqualTo(Duration.ofSeconds(90));
        assertThat(set.producerOverrides()).containsEntry("security.protocol", "SSL");
    }
}
