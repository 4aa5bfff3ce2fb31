package dev.talosburst.events.publish;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.events.model.NodeCloudEvent;
import dev.talosburst.events.model.NodeEventMapper;
import dev.talosburst.events.testing.EngineEvents;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hand-over from {@code emit} to the backlog: what is decided when, and what a crash in between leaves behind. */
class SinkQueueTest {

    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    private final EngineEvents engine = EngineEvents.cx22Fsn1("q");
    private final NodeEventMapper mapper = new NodeEventMapper(NodeEventMapper.DATA_SCHEMA_V1);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SinkMeters meters = new SinkMeters(registry);

    @Test
    void aTwinHandedOverBeforeItsFirstIsTakenInIsSuppressedThenAndMarkedDoneInTheJournal(@TempDir Path dir)
            throws Exception {
        EventJournal journal = EventJournal.open(dir, false);
        SinkQueue queue = queue(journal, 100);
        LifecycleEvent created = engine.serverUp("q-1", 7, T0).get(1);
        LifecycleEvent twin = twinOf(created);

        assertThat(queue.offer(created, mapper.toCloudEvent(created))).isEqualTo(SinkQueue.Offered.QUEUED);
        assertThat(queue.offer(twin, mapper.toCloudEvent(twin))).isEqualTo(SinkQueue.Offered.QUEUED);
        assertThat(queue.size())
                .as("handed over, not yet taken in: still pending")
                .isEqualTo(2);

        List<Long> done;
        synchronized (queue.lock) {
            queue.admit();
            assertThat(queue.backlog.inMemory()).extracting(p -> p.event).containsExactly(mapper.toCloudEvent(created));
            done = queue.backlog.takeAcknowledgements();
        }
        assertThat(queue.size()).isEqualTo(1);
        assertThat(registry.get("talosburst.events.duplicates.suppressed")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(done).as("the twin's journal line is marked done").containsExactly(2L);

        // Once the first is taken in, a third copy is suppressed on the caller's thread and never journaled.
        assertThat(queue.offer(twin, mapper.toCloudEvent(twin))).isEqualTo(SinkQueue.Offered.SUPPRESSED);
        assertThat(journal.lastSeq()).isEqualTo(2);
        queue.backlog.close();
    }

    @Test
    void aJournalLeftWithTwoUnacknowledgedTwinsReplaysTheFirstOnly(@TempDir Path dir) throws Exception {
        LifecycleEvent created = engine.serverUp("q-2", 8, T0).get(1);
        NodeCloudEvent first = mapper.toCloudEvent(created);
        // A crash after both were journaled and before the twin's suppression was marked.
        journalTwins(dir, created, false);

        EventJournal journal = EventJournal.open(dir, false);
        SinkQueue queue = queue(journal, 100); // replays the journal
        synchronized (queue.lock) {
            assertThat(queue.backlog.inMemory()).extracting(p -> p.event).containsExactly(first);
            assertThat(queue.backlog.takeAcknowledgements()).containsExactly(2L);
        }
        assertThat(queue.size()).isEqualTo(1);
        queue.backlog.close();
    }

    @Test
    void withoutAJournalAFullQueueRefusesOnTheCallersThread() {
        SinkQueue queue = queue(null, 2);
        List<LifecycleEvent> up = engine.serverUp("q-3", 9, T0);
        assertThat(queue.offer(up.get(0), mapper.toCloudEvent(up.get(0)))).isEqualTo(SinkQueue.Offered.QUEUED);
        assertThat(queue.offer(up.get(1), mapper.toCloudEvent(up.get(1)))).isEqualTo(SinkQueue.Offered.QUEUED);
        // Nothing taken in yet: what waits in the hand-over counts against the capacity.
        assertThat(queue.offer(up.get(2), mapper.toCloudEvent(up.get(2)))).isEqualTo(SinkQueue.Offered.REFUSED);
        synchronized (queue.lock) {
            queue.admit();
        }
        assertThat(queue.size()).isEqualTo(2);
        assertThat(queue.offer(up.get(2), mapper.toCloudEvent(up.get(2)))).isEqualTo(SinkQueue.Offered.REFUSED);
    }

    @Test
    void aJournaledTwinOfAnAcknowledgedEventIsNotReplayed(@TempDir Path dir) throws Exception {
        journalTwins(dir, engine.serverUp("q-4", 10, T0).get(1), true);
        EventJournal journal = EventJournal.open(dir, false);
        SinkQueue queue = queue(journal, 100);
        assertThat(queue.size()).isZero();
        assertThat(registry.get("talosburst.events.duplicates.suppressed")
                        .counter()
                        .count())
                .isEqualTo(1);
        queue.backlog.close();
    }

    @Test
    void theJournalIsNotEmptiedWhileAnEventWaitsInTheHandOver(@TempDir Path dir) throws Exception {
        EventJournal journal = EventJournal.open(dir, false);
        SinkQueue queue = queue(journal, 100);
        LifecycleEvent requested = engine.serverUp("q-5", 11, T0).get(0);
        queue.offer(requested, mapper.toCloudEvent(requested));
        queue.truncateIfDrained(false, true); // closing: would empty a drained journal at once
        assertThat(journal.unacknowledged(0, 10)).hasSize(1);
        assertThat(queue.size()).isEqualTo(1);
        queue.backlog.close();
    }

    @Test
    void aStalledSenderDoesNotLetTheHandOverGrowPastItsLimit(@TempDir Path dir) {
        SinkQueue queue = queue(EventJournal.open(dir, false), 10);
        int n = SinkQueue.INBOX_LIMIT + 100;
        for (int i = 0; i < n; i++) {
            LifecycleEvent e = engine.serverUp("q-6-" + i, 100 + i, T0).get(0);
            assertThat(queue.offer(e, mapper.toCloudEvent(e))).isEqualTo(SinkQueue.Offered.QUEUED);
        }
        // Nobody took anything in: the caller did, past the limit; 10 wait in memory, the rest in the journal only.
        assertThat(registry.get("talosburst.events.spilled").counter().count())
                .isGreaterThan(SinkQueue.INBOX_LIMIT - 10);
        assertThat(queue.size()).isEqualTo(n);
        synchronized (queue.lock) {
            assertThat(queue.backlog.inMemory()).hasSize(10);
        }
        queue.backlog.close();
    }

    /** The same transition again with other facts (e.g. an adoption after a restart): same id, other content. */
    private LifecycleEvent twinOf(LifecycleEvent e) {
        LifecycleEvent twin =
                engine.server(e.transition(), e.subject(), e.serverId(), e.server(), e.at().plusSeconds(30));
        assertThat(mapper.toCloudEvent(twin).id())
                .isEqualTo(mapper.toCloudEvent(e).id());
        return twin;
    }

    /** A journal of a previous run: {@code e} then its twin, the first acknowledged when {@code firstAcknowledged}. */
    private void journalTwins(Path dir, LifecycleEvent e, boolean firstAcknowledged) throws Exception {
        try (EventJournal j = EventJournal.open(dir, false)) {
            j.append(1, mapper.toCloudEvent(e));
            j.append(2, mapper.toCloudEvent(twinOf(e)));
            if (firstAcknowledged) {
                j.acknowledge(1);
            }
        }
    }

    private SinkQueue queue(EventJournal journal, int capacity) {
        SinkQueue queue = new SinkQueue(new Backlog(journal, capacity, Clock.systemUTC()), meters, capacity);
        queue.replay();
        return queue;
    }
}
