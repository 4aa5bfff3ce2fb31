package dev.talosburst.events.publish;

import dev.talosburst.events.model.EventJson;
import dev.talosburst.events.model.NodeCloudEvent;
import dev.talosburst.events.model.NodeEventData;
import dev.talosburst.events.reconcile.RecordedServer;
import dev.talosburst.provisioner.lifecycle.Transition;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.jboss.logging.Logger;

/**
 * What Kafka acknowledged per server ({@code <cluster-id>/<server-name>}) and its compacted state topic: read back on
 * start and on promotion, updated after each acknowledged server event, written with capped backoff
 * ({@link StateWriteOutage}) by the leader only, a tombstone once a server's life is fully published; with a cluster id,
 * also the event topic's checkpoints ({@link TailCheckpoints}), written once the state records they vouch for are
 * acknowledged, and the leader's reader of the event topic ({@link EventTail}). Used by the sender thread only.
 */
final class StateStore {

    private static final Logger LOG = Logger.getLogger(KafkaEventSink.class);
    /** Pause of all state writes after {@code send()} itself failed (it blocked for {@code max.block.ms}). */
    private static final Duration STATE_RETRY = Duration.ofSeconds(10);
    /** Shortest time between two checkpoint writes. */
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

    private final EventPublisherSettings settings;
    private final KafkaClients clients;
    private final StateWriteOutage outage;
    private final Clock clock;
    private final Map<String, RecordedServer> published = new HashMap<>();
    private final Set<String> dirty = new LinkedHashSet<>();
    private final Set<String> inFlight = new HashSet<>();
    private long nextAttemptMillis;
    /** Per server: how many acknowledged events its record reflects (a state write vouches for those sent with it). */
    private final Map<String, Long> versions = new HashMap<>();
    /**
     * Servers whose life is fully published: their last state record read back is a tombstone, or this run recorded
     * their end. The tail folds nothing of them again (a late copy would bring a finished server back as unfinished, and
     * the reconciler would close it a second time). The most recent {@link #FORGOTTEN_KEPT} are kept.
     */
    private final Set<String> forgotten = java.util.Collections.newSetFromMap(new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > FORGOTTEN_KEPT;
        }
    });

    private static final int FORGOTTEN_KEPT = 20_000;
    /** Null without a cluster id: no checkpoints, no tail to read. */
    private final TailCheckpoints checkpoints;

    private boolean checkpointsInFlight;
    private long nextCheckpointMillis;
    /**
     * True while this replica leads: only then are state records and checkpoints written (a standby's would be built
     * from a history the leader has moved past, and could overwrite the leader's newer records).
     */
    private boolean writing = true;
    /** The leader's reader of the event topic after its checkpoints; null while not tailing. */
    private EventTail tail;
    /** How often the leader tries to open a reader of an event topic that had no partitions. */
    private static final Duration TAIL_REOPEN = Duration.ofSeconds(5);

    private long nextTailOpenMillis;

    StateStore(
            EventPublisherSettings settings,
            KafkaClients clients,
            StateWriteOutage outage,
            Clock clock,
            TailCheckpoints checkpoints) {
        this.settings = settings;
        this.clients = clients;
        this.outage = outage;
        this.clock = clock;
        this.checkpoints = checkpoints;
    }

    /**
     * Reads the state topic from the beginning to its end as of now; {@code answered} is called once Kafka answered.
     *
     * @return the number of records read
     */
    int read(BooleanSupplier running, Runnable answered) {
        int count = 0;
        try (KafkaConsumer<String, byte[]> consumer = clients.newStateReader()) {
            List<PartitionInfo> infos = consumer.partitionsFor(settings.stateTopic(), clients.contactTimeout());
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo i : infos) {
                parts.add(new TopicPartition(i.topic(), i.partition()));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, clients.contactTimeout());
            answered.run();
            while (running.getAsBoolean() && !caughtUp(consumer, end)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    count++;
                    if (TailCheckpoints.isCheckpoint(r.key())) {
                        readCheckpoint(r);
                        continue;
                    }
                    if (r.value() == null) {
                        published.remove(r.key());
                        forgotten.add(r.key());
                        continue;
                    }
                    forgotten.remove(r.key());
                    try {
                        published.put(r.key(), EventJson.read(r.value(), RecordedServer.class));
                    } catch (RuntimeException e) {
                        // The reconciler may then re-publish this server's transitions: duplicates, never losses.
                        LOG.warnf(
                                "ignoring unreadable state record %s-%d@%d of %s: %s",
                                r.topic(), r.partition(), r.offset(), r.key(), e.getMessage());
                    }
                }
            }
        }
        return count;
    }

    private void readCheckpoint(ConsumerRecord<String, byte[]> r) {
        if (checkpoints == null) {
            return;
        }
        try {
            checkpoints.readBack(r.key(), r.value());
        } catch (RuntimeException e) {
            // The tail is then read from further back (a bounded start-up cost), never less of it.
            LOG.warnf(
                    "ignoring unreadable checkpoint %s-%d@%d: %s",
                    r.topic(), r.partition(), r.offset(), e.getMessage());
        }
    }

    /**
     * Reads the event topic's tail after {@link #read} (nothing without a cluster id): each server event of the
     * cluster found there goes to {@code fold}, except those the state records read already reflect (the transition is
     * recorded, or the server's life is over: a tombstone). While {@link #writing}, the reader stays open for
     * {@link #pollTail}.
     *
     * @return the number of events folded
     */
    int readTail(String clusterId, BooleanSupplier running, EventTail.Fold fold) {
        closeTail();
        if (checkpoints == null) {
            return 0;
        }
        try {
            EventTail opened = EventTail.open(clients, settings.topic(), clusterId, checkpoints, clock);
            if (opened == null) {
                return 0;
            }
            tail = opened;
            int folded = opened.catchUp(running, unrecordedOnly(clusterId, fold));
            if (!writing) {
                closeTail(); // a standby reads the tail once; the leader keeps reading it
            }
            return folded;
        } catch (AuthorizationException e) {
            tailRefused(e);
            return 0;
        }
    }

    /**
     * The leader: folds what other processes published since the last call (this process's own events are found
     * recorded and passed over), without waiting.
     *
     * @return the number of records read; 0 when none or not tailing
     */
    int pollTail(String clusterId, BooleanSupplier running, EventTail.Fold fold) {
        if (tail == null) {
            openTailLater(clusterId, running, fold);
            return 0;
        }
        try {
            return tail.poll(unrecordedOnly(clusterId, fold));
        } catch (AuthorizationException e) {
            tailRefused(e);
            return 0;
        }
    }

    /**
     * The event topic had no partitions when the history was read (created just now, or not yet seen by this broker):
     * the leader tries again, every {@link #TAIL_REOPEN}, until it can follow it.
     */
    private void openTailLater(String clusterId, BooleanSupplier running, EventTail.Fold fold) {
        long now = clock.millis();
        if (!writing || checkpoints == null || checkpoints.disabled() || now < nextTailOpenMillis) {
            return;
        }
        nextTailOpenMillis = now + TAIL_REOPEN.toMillis();
        try {
            EventTail opened = EventTail.open(clients, settings.topic(), clusterId, checkpoints, clock);
            if (opened != null) {
                tail = opened;
                opened.catchUp(running, unrecordedOnly(clusterId, fold));
            }
        } catch (AuthorizationException e) {
            tailRefused(e);
        }
    }

    private EventTail.Fold unrecordedOnly(String clusterId, EventTail.Fold fold) {
        return (p, o, e) -> {
            String key = KafkaEventSink.stateKey(clusterId, e.subject());
            if (!forgotten.contains(key) && !has(key, e.transition())) {
                fold.event(p, o, e);
            } // else already reflected in a state record Kafka has, or acknowledged to this process
        };
    }

    private void tailRefused(AuthorizationException e) {
        // Refusing to publish until an ACL is granted would stop billing events after an upgrade; so events flow,
        // and only the guarantee that needs the tail is lost (checkpoints stay where they were), said loudly.
        closeTail();
        checkpoints.disable();
        LOG.errorf(
                "cannot read the event topic %s to learn which events Kafka has but the state topic does not (%s):"
                        + " grant talos-burst Read (and Describe) on %s. Until then an event acknowledged just before"
                        + " a crash or pod loss may be published again with other content",
                settings.topic(), e.toString(), settings.topic());
    }

    private void closeTail() {
        if (tail != null) {
            tail.close();
            tail = null;
        }
    }

    /**
     * True when the leader's tail reader has already read the event at {@code offset} of {@code partition}: an
     * acknowledgement arriving after that must not record it again (the reader folded it, or found it recorded).
     */
    boolean readByTail(int partition, long offset) {
        return tail != null && partition >= 0 && tail.passed(partition, offset);
    }

    /**
     * True when what was read back already reflects {@code event}: its transition is recorded, or its server's life is
     * over (a tombstone read, or finished in this run).
     */
    boolean reflects(NodeCloudEvent event) {
        if (!event.isServerEvent()) {
            return true;
        }
        String key = KafkaEventSink.stateKey(SendRules.clusterIdOf(event), event.subject());
        return forgotten.contains(key) || has(key, event.transition());
    }

    /** True when the event topic's tail can be read (a cluster id, and no refused Read). */
    boolean tailWorks() {
        return checkpoints != null && !checkpoints.disabled();
    }

    /** Whether this replica writes state records and checkpoints (see {@link #writing}). */
    boolean writing() {
        return writing;
    }

    /**
     * From now on this replica writes state records and checkpoints (true: call {@link #reset} and read everything back
     * first), or leaves them to the leader (false: what waits to be written is dropped — the leader's tail reader folds
     * those events — and the tail is closed).
     */
    void writing(boolean on) {
        writing = on;
        if (!on) {
            dirty.clear();
            closeTail();
        }
    }

    /**
     * Forgets what was read and acknowledged, to read it all back (a promotion: the leader of the meantime moved the
     * state topic and the checkpoints on). Writes in flight complete as usual.
     */
    void reset() {
        published.clear();
        forgotten.clear();
        dirty.clear();
        closeTail();
        if (checkpoints != null) {
            checkpoints.reset();
        }
    }

    /** Closes the tail reader. */
    void close() {
        closeTail();
    }

    /** A send of event {@code id} to event-topic {@code partition} failed; it may have landed all the same. */
    void uncertain(String id, int partition) {
        if (checkpoints != null && partition >= 0 && writing) {
            checkpoints.uncertain(id, partition);
        }
    }

    /** Event {@code id} is known to be in Kafka (acknowledged now, or recorded before): no longer uncertain. */
    void settled(String id) {
        if (checkpoints != null) {
            checkpoints.settled(id);
        }
    }

    static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** True when Kafka acknowledged transition {@code t} of server {@code key}. */
    boolean has(String key, Transition t) {
        RecordedServer r = published.get(key);
        return r != null && r.has(t);
    }

    /** Every server with a recorded, unfinished life. */
    Collection<RecordedServer> servers() {
        return published.values();
    }

    /**
     * Kafka acknowledged {@code event} of server {@code key} at {@code offset} of event-topic {@code partition} (-1 when
     * unknown): its record now, scheduled to be written (a tombstone, and forgotten here, once
     * {@link RecordedServer#finished()}).
     */
    RecordedServer acknowledged(String key, NodeCloudEvent event, NodeEventData data, int partition, long offset) {
        long version = versions.merge(key, 1L, Long::sum);
        if (checkpoints != null && partition >= 0 && writing) {
            checkpoints.acknowledged(partition, offset, key, version);
        }
        if (tail != null && partition >= 0) {
            tail.own(partition, offset); // a fold of the tail passes it (position) or it is this process's own ack
        }
        settled(event.id());
        RecordedServer now = RecordedServer.after(published.get(key), event.subject(), event.transition(), data);
        if (now.finished()) {
            published.remove(key); // bounded memory; the compacted topic only holds servers that may need reconciling
            forgotten.add(key);
        } else {
            published.put(key, now);
        }
        if (writing) {
            dirty.add(key);
        }
        return now;
    }

    /**
     * Sends the state records that are due (not in flight, not backing off) through {@code via}; each outcome is handed
     * to {@code completion}, to be run on the sender thread (it calls {@link #written}; true when written). Nothing while
     * not {@link #writing}.
     */
    void writeDue(
            KafkaProducer<String, byte[]> via,
            Thread sender,
            Consumer<BooleanSupplier> completion,
            BooleanSupplier viaIsCurrent) {
        long now = clock.millis();
        if (!writing || now < nextAttemptMillis) {
            return;
        }
        List<String> names = new ArrayList<>();
        for (String n : dirty) {
            if (!inFlight.contains(n) && outage.mayAttempt(n, now)) {
                names.add(n);
            }
        }
        for (String name : names) {
            dirty.remove(name);
            inFlight.add(name);
            RecordedServer state = published.get(name);
            long version = versions.getOrDefault(name, 0L);
            byte[] value = state == null ? null : EventJson.write(state); // null: tombstone of a finished server
            boolean[] refusedAtOnce = {false};
            long answersMark = outage.answersMark();
            try {
                via.send(new ProducerRecord<>(settings.stateTopic(), name, value), (md, ex) -> {
                    if (ex != null && Thread.currentThread() == sender) {
                        refusedAtOnce[0] = true;
                    }
                    completion.accept(() -> written(name, ex, viaIsCurrent.getAsBoolean(), answersMark, version));
                });
            } catch (RuntimeException e) { // a KafkaException, or a serializer's or interceptor's own
                inFlight.remove(name);
                dirty.add(name);
                outage.failed(name, e, STATE_RETRY.toMillis(), outstanding(), answersMark);
                refusedAtOnce[0] = true;
            }
            if (refusedAtOnce[0]) {
                // E.g. the state topic is missing: send() blocked for max.block.ms; do not let its metadata wait slow
                // down event delivery.
                nextAttemptMillis = clock.millis()
                        + Math.max(
                                STATE_RETRY.toMillis(), settings.retryBackoff().toMillis());
                return;
            }
        }
        writeCheckpoints(via, completion, now);
    }

    /** Sends the checkpoints that moved, at most every {@link #CHECKPOINT_INTERVAL}, one set in flight at a time. */
    private void writeCheckpoints(KafkaProducer<String, byte[]> via, Consumer<BooleanSupplier> completion, long now) {
        if (checkpoints == null || checkpointsInFlight || now < nextCheckpointMillis) {
            return;
        }
        Map<Integer, Long> due = checkpoints.due();
        if (due.isEmpty()) {
            return;
        }
        nextCheckpointMillis = now + CHECKPOINT_INTERVAL.toMillis();
        checkpointsInFlight = true;
        int[] left = {due.size()};
        Runnable oneDone = () -> {
            if (--left[0] == 0) {
                checkpointsInFlight = false;
            }
        };
        for (var e : due.entrySet()) {
            int partition = e.getKey();
            long offset = e.getValue();
            try {
                via.send(
                        new ProducerRecord<>(
                                settings.stateTopic(),
                                checkpoints.key(partition),
                                checkpoints.value(partition, offset)),
                        (md, ex) -> completion.accept(() -> {
                            if (ex == null) {
                                checkpoints.stored(partition, offset);
                            }
                            oneDone.run();
                            return ex == null;
                        }));
            } catch (RuntimeException ex) { // a KafkaException, or an interceptor's own
                oneDone.run(); // retried at the next interval; failing state writes are reported by the outage
            }
        }
    }

    /**
     * The state record of {@code name} was written ({@code failure} null) or not; {@code current} false when it failed
     * because its producer was replaced (not a state-topic problem); {@code answersMark} as taken when it was sent.
     *
     * @return true when written
     */
    boolean written(String name, Exception failure, boolean current, long answersMark, long version) {
        inFlight.remove(name);
        if (failure == null) {
            outage.succeeded(name);
            if (checkpoints != null) {
                checkpoints.stateWritten(name, version);
            }
            if (!published.containsKey(name) && !dirty.contains(name)) {
                versions.remove(name); // tombstoned: bounded memory
            }
            return true;
        }
        dirty.add(name); // the latest state is re-sent, so an older one never wins
        if (current) {
            outage.failed(name, failure, 0, outstanding(), answersMark);
        }
        return false;
    }

    /** State records waiting to be written or in flight. */
    int outstanding() {
        return dirty.size() + inFlight.size();
    }
}
