package dev.talosburst.events.publish;

import dev.talosburst.events.model.NodeCloudEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * The events accepted but not yet acknowledged by Kafka: a bounded in-memory queue (by sequence number) in front of
 * the optional local journal. With a journal, events beyond {@code capacity} wait in the journal only and are re-read
 * as the queue drains (bounded by disk, not memory); without one, an event finding the queue full is refused.
 *
 * <p>Not thread-safe: the sink calls it under its own lock.
 */
final class Backlog {

    private static final Logger LOG = Logger.getLogger(KafkaEventSink.class);

    /** One pending event; {@code inFlight}, {@code via}, {@code notBeforeMillis} and {@code refusals} belong to the sender. */
    static final class Pending {
        final long seq;
        final NodeCloudEvent event;
        final long acceptedMillis;
        boolean inFlight;
        /** The producer it was last handed to. */
        Object via;

        long notBeforeMillis;
        int refusals;

        Pending(long seq, NodeCloudEvent event, long acceptedMillis) {
            this.seq = seq;
            this.event = event;
            this.acceptedMillis = acceptedMillis;
        }
    }

    /** Where an added event waits. */
    enum Added {
        MEMORY,
        JOURNAL_ONLY,
        REFUSED
    }

    /** What the journal of a previous run held: events to deliver first, and events Kafka had acknowledged. */
    record Replay(List<NodeCloudEvent> unacknowledged, List<NodeCloudEvent> acknowledged, int duplicates) {}

    private final EventJournal journal;
    private final int capacity;
    private final Clock clock;
    /** A prefix (by seq) of everything pending. */
    private final TreeMap<Long, Pending> memory = new TreeMap<>();

    private long nextSeq = 1;
    private long lastSeqInMemory;
    /** The highest seq taken into the backlog (queued, spilled or discarded): a refill reads no line past it. */
    private long lastSeqAdded;

    private long spilled;
    private boolean journalDirty;
    /** Where in the journal file the next re-read of journal-only events starts (reset by a truncate). */
    private long refillPosition;

    private long lastAddMillis;
    /** Done but not yet marked so in the journal. */
    private List<Long> acknowledgedSeqs = new java.util.ArrayList<>();
    /** Seqs the journal marks (or will mark) acknowledged, and duplicates: never re-read into memory. */
    private final java.util.Set<Long> acknowledgedInFile = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** @param journal null without a journal */
    Backlog(EventJournal journal, int capacity, Clock clock) {
        this.journal = journal;
        this.capacity = capacity;
        this.clock = clock;
    }

    boolean journaled() {
        return journal != null;
    }

    /** Loads the journal of a previous run (before any {@link #add}): its unacknowledged events keep their order and go first. */
    Replay replay() {
        if (journal == null) {
            return new Replay(List.of(), List.of(), 0);
        }
        try {
            List<EventJournal.Entry> entries = journal.unacknowledged(0, Integer.MAX_VALUE);
            List<EventJournal.Entry> acked = journal.acknowledged();
            List<NodeCloudEvent> acknowledged =
                    acked.stream().map(EventJournal.Entry::event).toList();
            acknowledgedInFile.addAll(
                    acked.stream().map(EventJournal.Entry::seq).toList());
            long last = journal.lastSeq();
            List<NodeCloudEvent> unacknowledged = new java.util.ArrayList<>();
            // An id already in the file (acknowledged, or an earlier line): a twin handed over just before a crash,
            // whose suppression was not yet marked. One id, one content: the first line's.
            java.util.Set<String> ids = new java.util.HashSet<>();
            acknowledged.forEach(e -> ids.add(e.id()));
            int duplicates = 0;
            for (EventJournal.Entry e : entries) {
                if (!ids.add(e.event().id())) {
                    discard(e.seq(), true);
                    duplicates++;
                    continue;
                }
                unacknowledged.add(e.event());
                if (memory.size() < capacity && spilled == 0) {
                    memory.put(e.seq(), new Pending(e.seq(), e.event(), clock.millis()));
                    lastSeqInMemory = e.seq();
                } else {
                    spilled++;
                }
            }
            nextSeq = last + 1;
            lastSeqAdded = last;
            journalDirty = last > 0;
            if (!entries.isEmpty()) {
                LOG.infof("replaying %d lifecycle events from the journal of a previous run", unacknowledged.size());
            }
            return new Replay(unacknowledged, acknowledged, duplicates);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the event journal; fix or move it aside", e);
        }
    }

    /** The sequence number of the first event of this run (after {@link #replay}). */
    long nextSeq() {
        return nextSeq;
    }

    /** The time an event is accepted at, on the sink's clock. */
    long now() {
        return clock.millis();
    }

    /**
     * Any thread, without the caller's lock (the journal orders its own writes): appends {@code ce} to the journal; false
     * without a journal or when the write failed (logged; the event is then held in memory only, if there is room).
     */
    boolean append(long seq, NodeCloudEvent ce) {
        if (journal == null) {
            return false;
        }
        try {
            journal.append(seq, ce);
            return true;
        } catch (IOException e) {
            LOG.errorf("cannot append event %s to the journal (%s); it is held in memory only", ce.id(), e.toString());
            return false;
        }
    }

    /** Queues event {@code seq} in memory if there is room, else leaves it in the journal only (if it is there). */
    Added add(long seq, NodeCloudEvent ce, boolean journaledNow, long acceptedMillis) {
        lastAddMillis = Math.max(lastAddMillis, acceptedMillis);
        lastSeqAdded = seq;
        if (journaledNow) {
            journalDirty = true;
        }
        if (memory.size() < capacity && spilled == 0) {
            memory.put(seq, new Pending(seq, ce, acceptedMillis));
            lastSeqInMemory = seq;
            return Added.MEMORY;
        }
        if (journaledNow) {
            spilled++;
            return Added.JOURNAL_ONLY;
        }
        return Added.REFUSED;
    }

    /** Event {@code seq} is not queued after all (a duplicate): its journal line, if any, is marked done. */
    void discard(long seq, boolean journaledNow) {
        lastSeqAdded = seq;
        if (journaledNow) {
            journalDirty = true;
            acknowledgedSeqs.add(seq);
            acknowledgedInFile.add(seq); // never re-read into memory by a refill
        }
    }

    /** Events in memory, oldest first (the sender picks the head of each key). */
    Collection<Pending> inMemory() {
        return memory.values();
    }

    /**
     * {@code p} needs no delivery any more (acknowledged by Kafka, or suppressed): off the queue now, off the journal at
     * the next {@link #writeAcknowledgements} (the file write happens outside the caller's lock).
     */
    void done(Pending p) {
        memory.remove(p.seq);
        if (journal != null) {
            acknowledgedSeqs.add(p.seq);
        }
    }

    /** Under the caller's lock: the sequence numbers done since the last call, for {@link #writeAcknowledgements}. */
    List<Long> takeAcknowledgements() {
        if (acknowledgedSeqs.isEmpty()) {
            return List.of();
        }
        List<Long> out = acknowledgedSeqs;
        acknowledgedSeqs = new java.util.ArrayList<>();
        return out;
    }

    /**
     * Without the caller's lock (sender thread, before any truncate): marks {@code seqs} acknowledged in the journal in
     * one write. Lost in a crash, they only cause a re-publication of identical records (or a suppression).
     */
    void writeAcknowledgements(List<Long> seqs) {
        if (journal == null || seqs.isEmpty()) {
            return;
        }
        try {
            journal.acknowledge(seqs);
        } catch (IOException e) {
            LOG.warnf(
                    "cannot record %d acknowledgements in the journal (%s); those events may be re-published with the same"
                            + " content, consumers drop them by id",
                    seqs.size(), e.toString());
        }
    }

    /** Everything pending: in memory and in the journal only. */
    long size() {
        return memory.size() + spilled;
    }

    /** How long the oldest pending event has waited (memory holds the oldest: the journal-only ones are newer); 0 when none. */
    long oldestMillis() {
        var first = memory.firstEntry();
        return first == null ? 0 : Math.max(0, clock.millis() - first.getValue().acceptedMillis);
    }

    /** What a refill should read: from where, after which seq, how many; null when nothing is to be read. */
    record RefillPlan(long position, long afterSeq, long uptoSeq, int max) {}

    /**
     * Under the caller's lock: the next re-read of events that waited in the journal only, once at least a quarter of
     * the queue is free (or it is empty), so the journal is read in large chunks rather than one event at a time.
     */
    RefillPlan planRefill() {
        int room = capacity - memory.size();
        if (journal == null || spilled == 0 || room <= 0 || (room < Math.max(1, capacity / 4) && !memory.isEmpty())) {
            return null;
        }
        return new RefillPlan(refillPosition, lastSeqInMemory, lastSeqAdded, room);
    }

    /**
     * Without the caller's lock (a large read must not stall {@code emit}): reads the planned chunk. Only the sender
     * plans, reads and applies refills, and the journal is never truncated while events wait in it only.
     */
    EventJournal.Chunk read(RefillPlan plan) {
        try {
            return journal.readFrom(plan.position(), plan.afterSeq(), plan.uptoSeq(), plan.max(), acknowledgedInFile);
        } catch (IOException e) {
            LOG.warnf("cannot read spilled events from the journal: %s", e.toString());
            return null;
        }
    }

    /** Under the caller's lock: queues the events of a chunk read for {@code plan}. */
    void applyRefill(RefillPlan plan, EventJournal.Chunk chunk) {
        if (chunk == null || plan.position() != refillPosition) {
            return;
        }
        for (EventJournal.Entry e : chunk.entries()) {
            memory.put(e.seq(), new Pending(e.seq(), e.event(), clock.millis()));
            lastSeqInMemory = e.seq();
        }
        refillPosition = chunk.nextPosition();
        if (chunk.entries().isEmpty() && refillPosition >= journalSizeOrZero()) {
            spilled = 0; // nothing more in the file: the count was off (e.g. lines a crash tore)
        } else {
            spilled = Math.max(0, spilled - chunk.entries().size());
        }
    }

    private long journalSizeOrZero() {
        try {
            return journal.size();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Journal size from which a drained journal is emptied at once rather than after {@link #TRUNCATE_IDLE_MILLIS}. */
    static final long TRUNCATE_AT_BYTES = 1 << 20;
    /** How long no event may have been added before a small drained journal is emptied. */
    static final long TRUNCATE_IDLE_MILLIS = 1_000;

    /**
     * True when the journal may be emptied: nothing is pending and no state record waits ({@code statesWaiting} false):
     * acknowledged events are kept until their state records are written, so a crash in between cannot make the next
     * start forget a published server (its later deletion would never be reconciled). Not at every drain: a truncate
     * waits for the disk (the group commit's write-back) while {@code emit} cannot journal; so only once the file
     * reached {@link #TRUNCATE_AT_BYTES}, or no event came for {@link #TRUNCATE_IDLE_MILLIS}, or when {@code closing}.
     * The journal is thus bounded by the events of the current outage plus at most about 1 MiB.
     */
    boolean truncatable(boolean statesWaiting, boolean closing) {
        if (journal == null
                || !journalDirty
                || !memory.isEmpty()
                || spilled != 0
                || statesWaiting
                || !acknowledgedSeqs.isEmpty()) {
            return false;
        }
        return closing
                || journalSizeOrZero() >= TRUNCATE_AT_BYTES
                || clock.millis() - lastAddMillis >= TRUNCATE_IDLE_MILLIS;
    }

    /** Empties the journal; only after {@link #truncatable} and while no event is being journaled. */
    void truncate() {
        try {
            journal.truncate();
            journalDirty = false;
            refillPosition = 0;
            acknowledgedInFile.clear();
        } catch (IOException e) {
            LOG.warnf("cannot truncate the event journal: %s", e.toString());
        }
    }

    void close() {
        if (journal == null) {
            return;
        }
        try {
            journal.close();
        } catch (IOException e) {
            LOG.warnf("closing the event journal: %s", e.toString());
        }
    }
}
