package dev.talosburst.events.publish;

import dev.talosburst.events.model.NodeCloudEvent;
import dev.talosburst.events.model.NodeEventMapper;
import dev.talosburst.events.testing.EngineEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventJournalTest {

    private final EngineEvents engine = EngineEvents.cx22Fsn1("j");
    private final NodeEventMapper mapper = new NodeEventMapper(NodeEventMapper.DATA_SCHEMA_V1);

    @Test
    void unacknowledgedEventsSurviveReopenAndATornLastLine(@TempDir Path dir) throws Exception {
        List<NodeCloudEvent> events = engine.serverUp("j-1", 5, Instant.parse("2026-11-20T10:00:00Z")).stream()
                .map(mapper::toCloudEvent).toList();
        try (EventJournal j = EventJournal.open(dir, true)) {
            for (int i = 0; i < events.size(); i++) {
                j.append(i + 1, events.get(i));
            }
            j.acknowledge(1);
            j.acknowledge(3);
        }
        // A crash in the middle of writing the next line.
        Files.writeString(dir.resolve(EventJournal.FILE_NAME), "{\"seq\":5,\"id\":\"torn", StandardOpenOption.APPEND);
        try (EventJournal j = EventJournal.open(dir, true)) {
            assertThat(j.unacknowledged(0, 100)).extracting(EventJournal.Entry::seq).containsExactly(2L, 4L);
            assertThat(j.unacknowledged(0, 100).get(0).event()).isEqualTo(events.get(1));
            assertThat(j.unacknowledged(2, 100)).extracting(EventJournal.Entry::seq).containsExactly(4L);
            // Acknowledged events stay readable until truncation: their state records may still be missing.
            assertThat(j.acknowledged()).extracting(EventJournal.Entry::seq).containsExactly(1L, 3L);
            assertThat(j.acknowledged().get(1).event()).isEqualTo(events.get(2));
            assertThat(j.lastSeq()).isEqualTo(4);
            j.append(6, events.get(0));
            assertThat(j.unacknowledged(0, 100)).extracting(EventJournal.Entry::seq).containsExactly(2L, 4L, 6L);
            j.truncate();
            assertThat(j.unacknowledged(0, 100)).isEmpty();
        }
        assertThat(Files.readString(dir.resolve(EventJournal.FILE_NAME), StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void aSecondProcessCannotShareTheJournal(@TempDir Path dir) throws Exception {
        try (EventJournal j = EventJournal.open(dir, false)) {
            assertThat(j.size()).isZero();
            assertThatThrownBy(() -> EventJournal.open(dir, false)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("locked by another talos-burst process").hasMessageContaining(dir.toString());
        }
    }

    @Test
    void settingsRefuseNonsenseAndNeverPrintOverrideValues() {
        assertThatThrownBy(() -> EventPublisherSettings.defaults(" ")).hasMessageContaining("bootstrapServers");
        assertThatThrownBy(() -> EventPublisherSettings.defaults("k:9092").withQueue(0, 1)).hasMessageContaining("queueCapacity");
        EventPublisherSettings s = new EventPublisherSettings("k:9092", "t", "t.state", 10, 5, null, true,
                java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(1), true, 1, (short) 1, null,
                java.util.Map.of("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"hunter2\";"));
        assertThat(s.toString()).contains("sasl.jaas.config").doesNotContain("hunter2");
        assertThat(s.stateRetryMax()).isEqualTo(EventPublisherSettings.DEFAULT_STATE_RETRY_MAX);
        assertThat(s.withDelivery(java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(2)).stateUnhealthyAfter())
                .isEqualTo(EventPublisherSettings.DEFAULT_STATE_UNHEALTHY_AFTER);
        assertThatThrownBy(() -> s.withStateRetry(java.time.Duration.ofMinutes(1), java.time.Duration.ofSeconds(-1)))
                .hasMessageContaining("stateUnhealthyAfter");
    }
}
