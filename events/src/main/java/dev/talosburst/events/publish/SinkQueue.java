package dev.talosburst.events.publish;

import dev.talosburst.events.model.NodeCloudEvent;
import dev.talosburst.events.model.NodeEventData;
import dev.talosburst.events.reconcile.RecordedServer;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The events accepted and not yet acknowledged ({@link Backlog}) and what is recorded per server, under the one lock that
 * {@code emit} and the sender thread share. The lock is held briefly: never around a Kafka call, a disk wait or JSON
 * parsing.
 */
final class SinkQueue {

    /** What became of an offered event. */
    enum Offered {
        QUEUED,
        SPILLED,
        REFUSED,
        SUPPRESSED,
        CLOSED
    }

    /** Guards {@link #backlog}, {@link #recorded} and the {@code inFlight}/{@code notBeforeMillis} of pending events. */
    final Object lock = new Object();
    /** Events accepted and not yet acknowledged: the in-memory queue in front of the journal. */
    final Backlog backlog;
    /** Everything recorded per server ({@link KafkaEventSink#stateKey}): published state plus events not yet acknowledged. */
    final Map<String, RecordedServer> recorded = new HashMap<>();

    /** Per server key: events accepted and not yet acknowledged or found published (what {@link #recorded} must keep). */
    private final Map<String, Integer> pendingOf = new HashMap<>();

    private boolean closed;

    SinkQueue(Backlog backlog) {
        this.backlog = backlog;
    }

    /** Before any emit: queues the previous run's unacknowledged events first; returns those Kafka had acknowledged. */
    List<NodeCloudEvent> replay() {
        synchronized (lock) {
            Backlog.Replay replay = backlog.replay();
            for (NodeCloudEvent ce : replay.unacknowledged()) {
                record(ce, ce.isServerEvent() ? ce.parsedData() : null);
            }
            return replay.acknowledged();
        }
    }

    /** Queues {@code ce} (mapped from {@code event}; {@code data} its parsed data, null for pool-level events). */
    Offered offer(LifecycleEvent event, NodeCloudEvent ce, NodeEventData data) {
        synchronized (lock) {
            if (closed) {
                return Offered.CLOSED;
            }
            if (alreadyRecorded(event)) {
                return Offered.SUPPRESSED;
            }
            Backlog.Added added = backlog.add(ce);
            if (added == Backlog.Added.REFUSED) {
                return Offered.REFUSED;
            }
            record(ce, data);
            return added == Backlog.Added.JOURNAL_ONLY ? Offered.SPILLED : Offered.QUEUED;
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
        synchronized (lock) {
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
            recorded.clear();
            recorded.putAll(now);
        }
    }

    /** Another process published an event of server {@code key}; {@code now} is its record since. */
    void learned(String key, RecordedServer now) {
        synchronized (lock) {
            if (now.finished() && !pendingOf.containsKey(key)) {
                recorded.remove(key);
            } else {
                recorded.merge(key, now, RecordedServer::union);
            }
        }
    }

    boolean isOpen() {
        synchronized (lock) {
            return !closed;
        }
    }

    /** No more events are accepted; false when that was so already. */
    boolean close() {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            closed = true;
            return true;
        }
    }

    /** Events accepted but not yet acknowledged (in memory and in the journal only). */
    long size() {
        synchronized (lock) {
            return backlog.size();
        }
    }

    /** How long the oldest pending event has waited; 0 when none. */
    long oldestMillis() {
        synchronized (lock) {
            return backlog.oldestMillis();
        }
    }

    /** The recorded servers of {@code clusterId}, by name. */
    Map<String, RecordedServer> recordedOf(String clusterId) {
        synchronized (lock) {
            Map<String, RecordedServer> byName = new HashMap<>();
            for (RecordedServer r : recorded.values()) {
                if (clusterId.equals(r.clusterId())) {
                    byName.put(r.name(), r);
                }
            }
            return Map.copyOf(byName);
        }
    }

    /** Forgets server {@code key} once its life is fully published and nothing else of it is queued. */
    void forgetIfFinished(String key) {
        synchronized (lock) {
            RecordedServer r = recorded.get(key);
            if (r != null && r.finished() && !pendingOf.containsKey(key)) {
                recorded.remove(key);
            }
        }
    }
}
