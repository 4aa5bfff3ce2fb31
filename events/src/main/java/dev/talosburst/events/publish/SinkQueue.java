package dev.talosburst.events.publish;

import dev.talosburst.events.model.NodeCloudEvent;
import dev.talosburst.events.model.NodeEventData;
import dev.talosburst.events.reconcile.RecordedServer;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The events accepted and not yet acknowledged ({@link Backlog}) and what is recorded per server.
 *
 * <p>{@code emit} never takes the lock the sender thread works under: it journals the event and hands it over through a
 * lock-free inbox ({@link #offer}); whoever next holds the lock takes the inbox into the backlog, in order
 * ({@link #admit}). A thread holding a lock can always be preempted, and on two cores shared with a broker a sender
 * preempted inside a scan of the backlog made {@code emit} wait for milliseconds. The lock is still held briefly: never
 * around a Kafka call, a disk wait or JSON parsing.
 */
final class SinkQueue {

    private static final Logger LOG = Logger.getLogger(KafkaEventSink.class);

    /**
     * Admitted events beyond which the emitting thread takes them into the backlog itself: the sender is stalled (e.g. in
     * an admin call during an outage), and memory stays bounded by the queue's capacity plus this.
     */
    static final int INBOX_LIMIT = 1_024;

    /** What became of an offered event. */
    enum Offered {
        QUEUED,
        REFUSED,
        SUPPRESSED,
        CLOSED
    }

    /** An event journaled by {@code emit} and not yet in the backlog. */
    private static final class Admitted {
        final long seq;
        final LifecycleEvent event;
        final NodeCloudEvent ce;
        final boolean journaled;
        final long acceptedMillis;
        /** Parsed by the sender before it takes the lock ({@link #parseAdmitted}); null for pool-level events. */
        private volatile NodeEventData data;

        Admitted(long seq, LifecycleEvent event, NodeCloudEvent ce, boolean journaled, long acceptedMillis) {
            this.seq = seq;
            this.event = event;
            this.ce = ce;
            this.journaled = journaled;
            this.acceptedMillis = acceptedMillis;
        }

        NodeEventData data() {
            NodeEventData d = data;
            if (d == null && ce.isServerEvent()) {
                d = ce.parsedData();
                data = d;
            }
            return d;
        }
    }

    /** Guards {@link #backlog}, the writes to {@link #recorded} and the {@code inFlight}/{@code notBeforeMillis} of pending events. */
    final Object lock = new Object();
    /** Events accepted and not yet acknowledged: the in-memory queue in front of the journal. */
    final Backlog backlog;
    /**
     * Everything recorded per server ({@link KafkaEventSink#stateKey}): published state plus events not yet acknowledged.
     * Written under {@link #lock}; read without it by {@link #offer} (the records are immutable).
     */
    private final Map<String, RecordedServer> recorded = new ConcurrentHashMap<>();

    /** Per server key: events accepted and not yet acknowledged or found published (what {@link #recorded} must keep). */
    private final Map<String, Integer> pendingOf = new HashMap<>();

    private final SinkMeters meters;
    private final int capacity;

    /** Orders the emitting threads: sequence numbers, journal lines and the inbox in one order. Never held by the sender. */
    private final Object admission = new Object();

    private final ConcurrentLinkedQueue<Admitted> inbox = new ConcurrentLinkedQueue<>();
    /** At least the inbox's length (incremented before an add, decremented after a poll). */
    private final AtomicInteger inboxSize = new AtomicInteger();
    /** Guarded by {@link #admission}. */
    private long nextSeq = 1;
    /** The backlog's size at its last change: the capacity check of {@link #offer} without the lock. */
    private volatile long backlogSize;

    private volatile boolean closed;
    /** Set when events were taken in, cleared when the sender looks: events taken in by another thread wake it too. */
    private volatile boolean takenIn;
    /** {@link System#nanoTime} of the last offer: while events flow the sender looks for them without being woken. */
    private volatile long lastOfferNanos = System.nanoTime() - Long.MAX_VALUE / 2;

    SinkQueue(Backlog backlog, SinkMeters meters, int capacity) {
        this.backlog = backlog;
        this.meters = meters;
        this.capacity = capacity;
    }

    /** Before any emit: queues the previous run's unacknowledged events first; returns those Kafka had acknowledged. */
    List<NodeCloudEvent> replay() {
        synchronized (lock) {
            Backlog.Replay replay = backlog.replay();
            if (replay.duplicates() > 0) {
                meters.suppressed.increment(replay.duplicates());
                LOG.infof("%d journaled events repeat an id of an earlier line; not re-published", replay.duplicates());
            }
            for (NodeCloudEvent ce : replay.unacknowledged()) {
                record(ce, ce.isServerEvent() ? ce.parsedData() : null);
            }
            synchronized (admission) {
                nextSeq = backlog.nextSeq();
            }
            backlogSize = backlog.size();
            return replay.acknowledged();
        }
    }

    /**
     * Calling thread: journals {@code ce} (mapped from {@code event}) and hands it to the sender; never waits for the
     * sender's lock (but see {@link #INBOX_LIMIT}), nor parses the data back (the sender does).
     */
    Offered offer(LifecycleEvent event, NodeCloudEvent ce) {
        if (closed) {
            return Offered.CLOSED;
        }
        if (alreadyRecorded(event)) {
            return Offered.SUPPRESSED; // checked again when admitted: a twin may be in the inbox
        }
        synchronized (admission) {
            if (closed) {
                return Offered.CLOSED;
            }
            // The inbox first: an event moving into the backlog meanwhile is then counted twice, never not at all.
            if (!backlog.journaled() && inboxSize.get() + backlogSize >= capacity) {
                return Offered.REFUSED;
            }
            long seq = nextSeq++;
            boolean journaled = backlog.append(seq, ce);
            inboxSize.incrementAndGet();
            inbox.add(new Admitted(seq, event, ce, journaled, backlog.now()));
            lastOfferNanos = System.nanoTime();
        }
        if (inboxSize.get() > INBOX_LIMIT) {
            admitNow();
        }
        return Offered.QUEUED;
    }

    /**
     * True when events were handed over and not yet taken into the backlog, or were taken in (by any thread) since the
     * sender last looked ({@link #lookedAtTakenIn}).
     */
    boolean hasAdmitted() {
        return takenIn || !inbox.isEmpty();
    }

    /** Under the lock, sender thread: it is about to look at the backlog; what was taken in so far is seen. */
    void lookedAtTakenIn() {
        takenIn = false;
    }

    /** Any thread without the lock: parses what waits, then takes it in. */
    void admitNow() {
        withAdmitted(() -> {});
    }

    /**
     * Any thread without the lock: takes in what was handed over (its data parsed before the lock), then answers
     * {@code action} under the same hold of the lock, so it sees everything emitted before the call.
     */
    private <T> T withAdmitted(java.util.function.Supplier<T> action) {
        parseAdmitted();
        synchronized (lock) {
            admit();
            return action.get();
        }
    }

    private void withAdmitted(Runnable action) {
        withAdmitted(() -> {
            action.run();
            return null;
        });
    }

    long lastOfferNanos() {
        return lastOfferNanos;
    }

    /** Without the lock: parses the data of what waits in the inbox, so {@link #admit} need not do it under the lock. */
    void parseAdmitted() {
        for (Admitted a : inbox) {
            try {
                a.data();
            } catch (RuntimeException e) {
                // reported when taken in
            }
        }
    }

    /** Under the lock: takes the admitted events into the backlog, in emit order. */
    void admit() {
        for (Admitted a; (a = inbox.peek()) != null; ) {
            takeIn(a);
            backlogSize = backlog.size(); // before the inbox shrinks: offer's capacity check never under-counts
            inbox.poll();
            inboxSize.decrementAndGet();
            takenIn = true;
        }
    }

    private void takeIn(Admitted a) {
        if (alreadyRecorded(a.event)) {
            // Same identity as an event recorded meanwhile (its twin just before it in the inbox): consumers would
            // drop it by id, and an id must not denote two contents.
            backlog.discard(a.seq, a.journaled);
            meters.suppressed.increment();
            LOG.debugf("%s of %s already recorded; not re-published", a.ce.type(), a.ce.subject());
            return;
        }
        NodeEventData data;
        try {
            data = a.data();
        } catch (RuntimeException e) {
            backlog.discard(a.seq, a.journaled); // never replayed either: a start must not fail on it
            meters.dropped.increment();
            LOG.errorf(e, "cannot read back the data of %s of %s; it is NOT published", a.ce.type(), a.ce.subject());
            return;
        }
        switch (backlog.add(a.seq, a.ce, a.journaled, a.acceptedMillis)) {
            case MEMORY -> record(a.ce, data);
            case JOURNAL_ONLY -> {
                record(a.ce, data);
                meters.spilled.increment();
            }
            case REFUSED -> {
                // Only after a failed journal append: without a journal, offer refuses a full queue itself.
                meters.dropped.increment();
                LOG.errorf(
                        "event queue full (%d) and the journal could not take %s of %s: it is NOT published",
                        capacity, a.ce.type(), a.ce.subject());
            }
        }
    }

    private boolean alreadyRecorded(LifecycleEvent event) {
        // Also before the state topic is read back: what is known then (the journal of the previous run, this run's
        // events) already decides; the rest is decided when the event is sent (SendRules#publishedBefore).
        if (event.transition().isPoolLevel() || !event.occurrence().isEmpty()) {
            return false;
        }
        RecordedServer r = recorded.get(KafkaEventSink.stateKey(event.clusterId(), event.subject()));
        return r != null && r.has(event.transition());
    }

    private void record(NodeCloudEvent ce, NodeEventData data) {
        if (data != null) {
            String key = KafkaEventSink.stateKey(data.clusterId(), ce.subject());
            recorded.put(key, RecordedServer.after(recorded.get(key), ce.subject(), ce.transition(), data));
            pendingOf.merge(key, 1, Integer::sum);
        }
    }

    /** Under the lock: {@code p} is acknowledged, or not needed (published before); it leaves the backlog. */
    void done(Backlog.Pending p) {
        backlog.done(p);
        backlogSize = backlog.size();
        if (p.event.isServerEvent()) {
            pendingOf.computeIfPresent(
                    KafkaEventSink.stateKey(SendRules.clusterIdOf(p.event), p.event.subject()),
                    (k, n) -> n > 1 ? n - 1 : null);
        }
    }

    /**
     * The history was read back ({@code published}: every server with a recorded, unfinished life): what is recorded is
     * now that, plus what this process has accepted and not yet seen acknowledged. Whatever was known before and is not
     * pending is dropped: after a promotion it may be stale (a server the leader of the meantime finished).
     */
    void rebuildRecorded(Collection<RecordedServer> published) {
        withAdmitted(() -> {
            Map<String, RecordedServer> now = new HashMap<>();
            for (RecordedServer r : published) {
                now.put(KafkaEventSink.stateKey(r.clusterId(), r.name()), r);
            }
            for (String key : pendingOf.keySet()) {
                RecordedServer mine = recorded.get(key);
                if (mine != null) {
                    now.merge(key, mine, RecordedServer::union);
                }
            }
            recorded.keySet().retainAll(now.keySet());
            recorded.putAll(now);
        });
    }

    /** Another process published an event of server {@code key}; {@code now} is its record since. */
    void learned(String key, RecordedServer now) {
        withAdmitted(() -> {
            if (now.finished() && !pendingOf.containsKey(key)) {
                recorded.remove(key);
            } else {
                recorded.merge(key, now, RecordedServer::union);
            }
        });
    }

    boolean isOpen() {
        return !closed;
    }

    /** No more events are accepted (those admitted are taken into the backlog); false when that was so already. */
    boolean close() {
        synchronized (admission) {
            if (closed) {
                return false;
            }
            closed = true;
        }
        admitNow();
        return true;
    }

    /** Events accepted but not yet acknowledged (in memory, in the journal only, and not yet admitted). */
    long size() {
        synchronized (lock) {
            return backlog.size() + inboxSize.get();
        }
    }

    /** How long the oldest pending event has waited; 0 when none. */
    long oldestMillis() {
        return withAdmitted(backlog::oldestMillis);
    }

    /** The recorded servers of {@code clusterId}, by name (including what this thread emitted just before). */
    Map<String, RecordedServer> recordedOf(String clusterId) {
        return withAdmitted(() -> {
            Map<String, RecordedServer> byName = new HashMap<>();
            for (RecordedServer r : recorded.values()) {
                if (clusterId.equals(r.clusterId())) {
                    byName.put(r.name(), r);
                }
            }
            return Map.copyOf(byName);
        });
    }

    /** Forgets server {@code key} once its life is fully published and nothing else of it is queued. */
    void forgetIfFinished(String key) {
        withAdmitted(() -> {
            RecordedServer r = recorded.get(key);
            if (r != null && r.finished() && !pendingOf.containsKey(key)) {
                recorded.remove(key);
            }
        });
    }

    /**
     * Empties the journal when {@link Backlog#truncatable} says so and no event is being admitted: an admitted event's
     * journal line is its only durable copy until it is acknowledged.
     */
    void truncateIfDrained(boolean statesWaiting, boolean closing) {
        withAdmitted(() -> {
            if (!backlog.truncatable(statesWaiting, closing)) {
                return;
            }
            synchronized (admission) {
                if (inboxSize.get() == 0) {
                    backlog.truncate();
                }
            }
        });
    }
}
