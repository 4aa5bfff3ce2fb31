package dev.talosburst.events.publish;

import dev.talosburst.events.model.NodeCloudEvent;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * The events accepted but not yet acknowledged by Kafka: a bounded in-memory queue (by sequence number) in front of
 * the optional local journal. With a journal, events beyond {@code capacity} wait in the journal only and are re-read
 * as the queue drains (bounded by disk, not memory); without one, an event finding the queue full is refused.
 *
 * <p>Not thread-safe: the sink calls it under its own lock.
 */
final class Backlog {

    private static final Logger LOG = Logger.getLogger(KafkaEventSink.class);

    /** One pending event; {@code inFlight}, {@code notBeforeMillis} and {@code refusals} belong to the sender. */
    static final class Pending {
        final long seq;
        final NodeCloudEvent event;
        final long acceptedMillis;
        boolean inFlight;
        long notBeforeMillis;
        int refusals;

        Pending(long seq, NodeCloudEvent event, long acceptedMillis) {
            this.seq = seq;
            this.event = event;
            this.acceptedMillis = acceptedMillis;
        }
    }

    /** Where an added event waits. */
    enum Added { MEMORY, JOURNAL_ONLY, REFUSED }

    /** What the journal of a previous run held: events to deliver first, and events Kafka had acknowledged. */
    record Replay(List<NodeCloudEvent> unacknowledged, List<NodeCloudEvent> acknowledged) {
    }

    private final EventJournal journal;
    private final int capacity;
    private final Clock clock;
    /** A prefix (by seq) of everything pending. */
    private final TreeMap<Long, Pending> memory = new TreeMap<>();
    private long nextSeq = 1;
    private long lastSeqInMemory;
    private long spilled;
    private boolean journalDirty;

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
            return new Replay(List.of(), List.of());
        }
        try {
            List<EventJournal.Entry> entries = journal.unacknowledged(0, Integer.MAX_VALUE);
            List<NodeCloudEvent> acknowledged = journal.acknowledged().stream().map(EventJournal.Entry::event).toList();
            long last = journal.lastSeq();
            for (EventJournal.Entry e : entries) {
                if (memory.size() < capacity && spilled == 0) {
                    memory.put(e.seq(), new Pending(e.seq(), e.event(), clock.millis()));
                    lastSeqInMemory = e.seq();
                } else {
                    spilled++;
                }
            }
            nextSeq = last + 1;
            journalDirty = last > 0;
            if (!entries.isEmpty()) {
                LOG.infof("replaying %d lifecycle events from the journal of a previous run", entries.size());
            }
            return new Replay(entries.stream().map(EventJournal.Entry::event).toList(), acknowledged);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the event journal; fix or move it aside", e);
        }
    }

    /** Appends {@code ce} to the journal (when configured) and queues it in memory if there is room. */
    Added add(NodeCloudEvent ce) {
        long seq = nextSeq++;
        boolean journaledNow = false;
        if (journal != null) {
            try {
                journal.append(seq, ce);
                journaledNow = true;
                journalDirty = true;
            } catch (IOException e) {
                LOG.errorf("cannot append event %s to the journal (%s); it is held in memory only", ce.id(), e.toString());
            }
        }
        if (memory.size() < capacity && spilled == 0) {
            memory.put(seq, new Pending(seq, ce, clock.millis()));
            lastSeqInMemory = seq;
            return Added.MEMORY;
        }
        if (journaledNow) {
            spilled++;
            return Added.JOURNAL_ONLY;
        }
        return Added.REFUSED;
    }

    /** Events in memory, oldest first (the sender picks the head of each key). */
    Collection<Pending> inMemory() {
        return memory.values();
    }

    /** {@code p} needs no delivery any more (acknowledged by Kafka, or suppressed): off the queue and off the journal. */
    void done(Pending p) {
        memory.remove(p.seq);
        if (journal == null) {
            return;
        }
        try {
            journal.acknowledge(p.seq);
        } catch (IOException e) {
            LOG.warnf("cannot record acknowledgement of %s in the journal (%s); it may be re-published with the same content,"
                    + " consumers drop it by id", p.event.id(), e.toString());
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

    /** Moves events that waited in the journal only into memory as room frees up. */
    void refill() {
        int room = capacity - memory.size();
        if (journal == null || spilled == 0 || room <= 0) {
            return;
        }
        try {
            List<EventJournal.Entry> entries = journal.unacknowledged(lastSeqInMemory, room);
            for (EventJournal.Entry e : entries) {
                memory.put(e.seq(), new Pending(e.seq(), e.event(), clock.millis()));
                lastSeqInMemory = e.seq();
            }
            spilled = entries.isEmpty() ? 0 : Math.max(0, spilled - entries.size());
        } catch (IOException e) {
            LOG.warnf("cannot read spilled events from the journal: %s", e.toString());
        }
    }

    /**
     * Empties the journal once nothing is pending and no state record waits ({@code statesWaiting} false): acknowledged
     * events are kept until their state records are written, so a crash in between cannot make the next start forget a
     * published server (its later deletion would never be reconciled).
     */
    void truncateIfDrained(boolean statesWaiting) {
        if (journal == null || !journalDirty || !memory.isEmpty() || spilled != 0 || statesWaiting) {
            return;
        }
        try {
            journal.truncate();
            journalDirty = false;
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
