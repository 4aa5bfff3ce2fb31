package dev.talosburst.events.publish;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.talosburst.events.model.EventJson;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per event-topic partition, the offset below which every event of this cluster is reflected in state records Kafka
 * acknowledged: written to the state topic as a checkpoint (by the leader only), so that a start or promotion without
 * the journal (another replica, a new pod) folds the events from there on ({@link EventTail}) and knows every id Kafka
 * has. A checkpoint never passes what the leader's tail reader has not read: events of another replica (a demoted
 * leader's late outcome) sit between this process's own. Sender thread only.
 *
 * <p>An acknowledged server event stays "unrecorded" until a state record of its server that was sent after it (its
 * {@code version}) is acknowledged; a partition's checkpoint is its lowest unrecorded offset, or past the last event
 * seen when none is.
 */
final class TailCheckpoints {

    /** Separates cluster id and partition in a checkpoint's key; never part of a server name (a hostname). */
    static final String KEY_MARKER = "/#checkpoint/";

    /** The checkpoint record's value. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Checkpoint(String topic, int partition, long offset) {}

    private record Mark(int partition, long offset, long version) {}

    private final String clusterId;
    private final String topic;
    /** Partition → offset after the last event acknowledged or folded. */
    private final Map<Integer, Long> next = new HashMap<>();
    /** Partition → offsets of server events whose state records are not acknowledged yet (offset → state key). */
    private final Map<Integer, TreeMap<Long, String>> unrecorded = new HashMap<>();
    /** State key → its unrecorded events, in version order. */
    private final Map<String, Deque<Mark>> byKey = new HashMap<>();
    /**
     * Event id → (partition, offset) of a send that failed but may have landed (its ack lost): the partition's checkpoint
     * stays at or below where it could be until the event is acknowledged or found published.
     */
    private final Map<String, Mark> uncertain = new HashMap<>();
    /** Partition → checkpoint Kafka has (read back or acknowledged). */
    private final Map<Integer, Long> stored = new HashMap<>();

    private boolean disabled;

    TailCheckpoints(String clusterId, String topic) {
        this.clusterId = clusterId;
        this.topic = topic;
    }

    /** True when {@code stateKey} names a checkpoint (of any cluster) rather than a server. */
    static boolean isCheckpoint(String stateKey) {
        return stateKey != null && stateKey.contains(KEY_MARKER);
    }

    /** A checkpoint record read back from the state topic; ignored when it is another cluster's or topic's. */
    void readBack(String stateKey, byte[] value) {
        if (value == null || !stateKey.equals(clusterId + KEY_MARKER + keyPartition(stateKey))) {
            return;
        }
        Checkpoint c = EventJson.read(value, Checkpoint.class);
        if (topic.equals(c.topic())) {
            stored.put(c.partition(), c.offset());
        }
    }

    private static String keyPartition(String stateKey) {
        return stateKey.substring(stateKey.lastIndexOf('/') + 1);
    }

    /** Where the tail of {@code partition} starts: its checkpoint, null when there is none. */
    Long start(int partition) {
        return stored.get(partition);
    }

    /**
     * The tail reader has passed every record of {@code partition} below {@code offset} (those of this cluster were folded
     * or found recorded). Only the reader moves this: an acknowledgement of this process says nothing of the offsets
     * below it, where another replica's events may sit.
     */
    void seen(int partition, long offset) {
        next.merge(partition, offset, Math::max);
    }

    /**
     * The server event at {@code offset} of {@code partition} is in Kafka; it is reflected once a state record of
     * {@code stateKey} at {@code version} or later is acknowledged.
     */
    void acknowledged(int partition, long offset, String stateKey, long version) {
        unrecorded.computeIfAbsent(partition, p -> new TreeMap<>()).put(offset, stateKey);
        byKey.computeIfAbsent(stateKey, k -> new ArrayDeque<>()).add(new Mark(partition, offset, version));
    }

    /**
     * A send of event {@code id} to {@code partition} failed: it may still have landed, at or after every event of the
     * partition acknowledged so far (acknowledgements of one partition arrive in order).
     */
    void uncertain(String id, int partition) {
        long at = next.getOrDefault(partition, stored.getOrDefault(partition, 0L));
        uncertain.putIfAbsent(id, new Mark(partition, at, 0));
    }

    /** Event {@code id} was acknowledged, or is known to be published: no longer uncertain. */
    void settled(String id) {
        uncertain.remove(id);
    }

    /** Kafka acknowledged the state record of {@code stateKey} as of {@code version}. */
    void stateWritten(String stateKey, long version) {
        Deque<Mark> marks = byKey.get(stateKey);
        if (marks == null) {
            return;
        }
        while (!marks.isEmpty() && marks.peekFirst().version() <= version) {
            Mark m = marks.pollFirst();
            TreeMap<Long, String> offsets = unrecorded.get(m.partition());
            offsets.remove(m.offset());
            if (offsets.isEmpty()) {
                unrecorded.remove(m.partition());
            }
        }
        if (marks.isEmpty()) {
            byKey.remove(stateKey);
        }
    }

    /**
     * The tail could not be read: this run does not know what precedes its own events, so it writes no checkpoint (those
     * in the state topic stay valid for the next start).
     */
    void disable() {
        disabled = true;
    }

    /**
     * Forgets everything (the checkpoints are about to be read back again, e.g. on promotion: another replica moved them
     * meanwhile); enabled again.
     */
    void reset() {
        next.clear();
        unrecorded.clear();
        byKey.clear();
        uncertain.clear();
        stored.clear();
        disabled = false;
    }

    /** True once {@link #disable()} was called (and not {@link #reset()} since). */
    boolean disabled() {
        return disabled;
    }

    /** Checkpoints that moved since Kafka last acknowledged one: partition → offset. */
    Map<Integer, Long> due() {
        Map<Integer, Long> out = new LinkedHashMap<>();
        if (disabled) {
            return out;
        }
        for (var e : next.entrySet()) {
            TreeMap<Long, String> open = unrecorded.get(e.getKey());
            long at = open == null ? e.getValue() : Math.min(open.firstKey(), e.getValue());
            for (Mark m : uncertain.values()) {
                if (m.partition() == e.getKey()) {
                    at = Math.min(at, m.offset());
                }
            }
            if (!Long.valueOf(at).equals(stored.get(e.getKey()))) {
                out.put(e.getKey(), at);
            }
        }
        return out;
    }

    /** Kafka acknowledged the checkpoint {@code offset} of {@code partition}. */
    void stored(int partition, long offset) {
        stored.put(partition, offset);
    }

    /** The state-topic key of {@code partition}'s checkpoint. */
    String key(int partition) {
        return clusterId + KEY_MARKER + partition;
    }

    /** The state-topic value of a checkpoint. */
    byte[] value(int partition, long offset) {
        return EventJson.write(new Checkpoint(topic, partition, offset));
    }
}
