package dev.talosburst.events.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.talosburst.events.model.NodeCloudEvent;
import dev.talosburst.events.model.NodeEventMapper;
import dev.talosburst.events.testing.EngineEvents;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventJournalTest {

    private final EngineEvents engine = EngineEvents.cx22Fsn1("j");
    private final NodeEventMapper mapper = new NodeEventMapper(NodeEventMapper.DATA_SCHEMA_V1);

    @Test
    void unacknowledgedEventsSurviveReopenAndATornLastLine(@TempDir Path dir) throws Exception {
        List<NodeCloudEvent> events = engine.serverUp("j-1", 5, Instant.parse("2026-11-20T10:00:00Z")).stream()
                .map(mapper::toCloudEvent)
                .toList();
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
            assertThat(j.unacknowledged(0, 100))
                    .extracting(EventJournal.Entry::seq)
                    .containsExactly(2L, 4L);
            assertThat(j.unacknowledged(0, 100).get(0).event()).isEqualTo(events.get(1));
            assertThat(j.unacknowledged(2, 100))
                    .extracting(EventJournal.Entry::seq)
                    .containsExactly(4L);
            // Acknowledged events stay readable until truncation: their state records may still be missing.
            assertThat(j.acknowledged()).extracting(EventJournal.Entry::seq).containsExactly(1L, 3L);
            assertThat(j.acknowledged().get(1).event()).isEqualTo(events.get(2));
            assertThat(j.lastSeq()).isEqualTo(4);
            j.append(6, events.get(0));
            assertThat(j.unacknowledged(0, 100))
                    .extracting(EventJournal.Entry::seq)
                    .containsExactly(2L, 4L, 6L);
            j.truncate();
            assertThat(j.unacknowledged(0, 100)).isEmpty();
        }
        assertThat(Files.readString(dir.resolve(EventJournal.FILE_NAME), StandardCharsets.UTF_8))
                .isEmpty();
    }

    @Test
    void appendedLinesAreInTheFileAtOnceAndOnDiskAfterTheGroupCommit(@TempDir Path dir) throws Exception {
        List<NodeCloudEvent> events = engine.serverUp("g-1", 7, Instant.parse("2026-11-20T10:00:00Z")).stream()
                .map(mapper::toCloudEvent)
                .toList();
        try (EventJournal j = EventJournal.open(dir, true)) {
            for (int i = 0; i < events.size(); i++) {
                j.append(i + 1, events.get(i));
            }
            // what a killed process leaves behind: the file as another reader sees it, before any fsync is awaited
            assertThat(Files.readAllLines(dir.resolve(EventJournal.FILE_NAME))).hasSize(events.size());
            assertThat(j.awaitSynced(10_000)).isTrue();
            assertThat(j.syncedLag()).isZero();
        }
    }

    @Test
    void readingForwardFromAPositionSkipsAcknowledgedAndLeavesAnIncompleteLineForLater(@TempDir Path dir)
            throws Exception {
        List<NodeCloudEvent> events = new java.util.ArrayList<>();
        for (int s = 0; s < 3; s++) {
            engine.serverUp("r-" + s, 10 + s, Instant.parse("2026-11-20T10:00:00Z")).stream()
                    .map(mapper::toCloudEvent)
                    .forEach(events::add);
        }
        try (EventJournal j = EventJournal.open(dir, false)) {
            for (int i = 0; i < events.size(); i++) {
                j.append(i + 1, events.get(i));
                if (i % 3 == 0) {
                    j.acknowledge(List.of((long) i + 1));
                }
            }
            EventJournal.Chunk first = j.readFrom(0, 2, Long.MAX_VALUE, 4, java.util.Set.of(5L));
            assertThat(first.entries()).extracting(EventJournal.Entry::seq).containsExactly(3L, 4L, 6L, 7L);
            assertThat(first.entries().get(0).event()).isEqualTo(events.get(2));
            // lines past uptoSeq are events not yet taken into the backlog: not read, not consumed
            EventJournal.Chunk upTo9 = j.readFrom(first.nextPosition(), 7, 9, 100, java.util.Set.of());
            assertThat(upTo9.entries()).extracting(EventJournal.Entry::seq).containsExactly(8L, 9L);
            EventJournal.Chunk rest = j.readFrom(upTo9.nextPosition(), 9, Long.MAX_VALUE, 100, java.util.Set.of());
            assertThat(rest.entries()).extracting(EventJournal.Entry::seq).containsExactly(10L, 11L, 12L);
            assertThat(rest.nextPosition()).isEqualTo(j.size());

            // half a line (an append in progress): not consumed, read whole once it is complete
            Files.writeString(dir.resolve(EventJournal.FILE_NAME), "{\"seq\":13,", StandardOpenOption.APPEND);
            EventJournal.Chunk none = j.readFrom(rest.nextPosition(), 12, Long.MAX_VALUE, 100, java.util.Set.of());
            assertThat(none.entries()).isEmpty();
            assertThat(none.nextPosition()).isEqualTo(rest.nextPosition());
        }
    }

    @Test
    void aLineWrittenAfterTheSyncerFellAsleepIsStillForced(@TempDir Path dir) throws Exception {
        NodeCloudEvent e = mapper.toCloudEvent(engine.serverUp("sleep-1", 1, Instant.parse("2026-11-20T10:00:00Z"))
                .get(0));
        try (EventJournal j = EventJournal.open(dir, true)) {
            j.append(1, e);
            assertThat(j.awaitSynced(5_000)).isTrue();
            // Past the active window the syncer sleeps until an append wakes it (it polls before that).
            Thread.sleep(EventJournal.ACTIVE_WINDOW.toMillis() + 300);
            j.append(2, e);
            assertThat(j.awaitSynced(5_000)).isTrue();
            assertThat(j.syncedLag()).isZero();
        }
    }

    @Test
    void aSecondProcessCannotShareTheJournal(@TempDir Path dir) throws Exception {
        try (EventJournal j = EventJournal.open(dir, false)) {
            assertThat(j.size()).isZero();
            assertThatThrownBy(() -> EventJournal.open(dir, false))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("locked by another talos-burst process")
                    .hasMessageContaining(dir.toString());
        }
    }

    @Test
    void settingsRefuseNonsenseAndNeverPrintOverrideValues() {
        assertThatThrownBy(() -> EventPublisherSettings.defaults(" ")).hasMessageContaining("bootstrapServers");
        assertThatThrownBy(() -> EventPublisherSettings.defaults("k:9092").withQueue(0, 1))
                .hasMessageContaining("queueCapacity");
        EventPublisherSettings s = new EventPublisherSettings(
                "k:9092",
                "t",
                "t.state",
                10,
                5,
                null,
                true,
                java.time.Duration.ofSeconds(5),
                java.time.Duration.ofSeconds(1),
                true,
                1,
                (short) 1,
                null,
                java.util.Map.of(
                        "sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"hunter2\";"));
        assertThat(s.toString()).contains("sasl.jaas.config").doesNotContain("hunter2");
        assertThat(s.stateRetryMax()).isEqualTo(EventPublisherSettings.DEFAULT_STATE_RETRY_MAX);
        assertThat(s.withDelivery(java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(2))
                        .stateUnhealthyAfter())
                .isEqualTo(EventPublisherSettings.DEFAULT_STATE_UNHEALTHY_AFTER);
        assertThatThrownBy(() -> s.withStateRetry(java.time.Duration.ofMinutes(1), java.time.Duration.ofSeconds(-1)))
                .hasMessageContaining("stateUnhealthyAfter");
    }
}
