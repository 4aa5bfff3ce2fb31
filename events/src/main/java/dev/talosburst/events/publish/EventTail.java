package dev.talosburst.events.publish;

import dev.talosburst.events.model.NodeCloudEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.jboss.logging.Logger;

/**
 * The event topic from each partition's checkpoint ({@link TailCheckpoints}) on: first up to its end as of the start or
 * promotion ({@link #catchUp}) — the events Kafka has whose state records may never have been written (a process lost
 * between an event's ack and its state record, or an ack that never arrived) — then, on the leader, as it grows
 * ({@link #poll}), so that events another replica publishes (a demoted leader's late outcome, a standby's journal) get
 * state records too and the checkpoints never pass them. Each server event of this cluster is handed to a {@link Fold},
 * so its id is known as published before anything is sent. Sender thread only.
 */
final class EventTail implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KafkaEventSink.class);
    /**
     * How far back a partition without a checkpoint is read (the first start of a cluster, or after an upgrade from a
     * version without checkpoints, whose journal and state records cover older events): bounds the start-up read of a
     * long topic.
     */
    static final Duration WITHOUT_CHECKPOINT = Duration.ofDays(7);

    /** Receives one server event of this cluster found in the tail. */
    interface Fold {
        void event(int partition, long offset, NodeCloudEvent event);
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final String clusterId;
    private final TailCheckpoints checkpoints;
    /** The end of each partition when the tail was opened: what {@link #catchUp} reads to. */
    private final Map<TopicPartition, Long> end;
    /** Partition → the offset after the last record read. */
    private final Map<Integer, Long> position = new HashMap<>();
    /** Partition → offsets ahead of {@link #position} where Kafka acknowledged this process's own server events. */
    private final Map<Integer, TreeSet<Long>> own = new HashMap<>();

    private EventTail(
            KafkaConsumer<String, byte[]> consumer,
            String clusterId,
            TailCheckpoints checkpoints,
            Map<TopicPartition, Long> end) {
        this.consumer = consumer;
        this.clusterId = clusterId;
        this.checkpoints = checkpoints;
        this.end = end;
    }

    /**
     * Positions a reader of {@code topic} at each partition's checkpoint (or {@link #WITHOUT_CHECKPOINT} back); null when
     * the topic has no partitions yet (nothing was published).
     */
    static EventTail open(
            KafkaClients clients, String topic, String clusterId, TailCheckpoints checkpoints, Clock clock) {
        KafkaConsumer<String, byte[]> consumer = clients.newStateReader();
        try {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, clients.contactTimeout());
            if (infos == null || infos.isEmpty()) {
                consumer.close(Duration.ZERO);
                return null;
            }
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo i : infos) {
                parts.add(new TopicPartition(topic, i.partition()));
            }
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(parts, clients.contactTimeout());
            Map<TopicPartition, Long> end = consumer.endOffsets(parts, clients.contactTimeout());
            Map<TopicPartition, Long> since = new HashMap<>();
            for (TopicPartition tp : parts) {
                if (checkpoints.start(tp.partition()) == null) {
                    since.put(tp, clock.millis() - WITHOUT_CHECKPOINT.toMillis());
                }
            }
            Map<TopicPartition, OffsetAndTimestamp> byTime =
                    since.isEmpty() ? Map.of() : consumer.offsetsForTimes(since, clients.contactTimeout());
            consumer.assign(parts);
            for (TopicPartition tp : parts) {
                Long checkpoint = checkpoints.start(tp.partition());
                long start;
                if (checkpoint != null) {
                    // Below the log start: retention deleted those events (consumers cannot read them either); past
                    // the end: the topic was re-created, so its offsets mean nothing here.
                    start = checkpoint > end.get(tp) ? begin.get(tp) : Math.max(checkpoint, begin.get(tp));
                } else {
                    OffsetAndTimestamp at = byTime.get(tp);
                    start = at == null ? end.get(tp) : at.offset();
                }
                consumer.seek(tp, start);
                checkpoints.seen(tp.partition(), start);
            }
            EventTail tail = new EventTail(consumer, clusterId, checkpoints, end);
            for (TopicPartition tp : parts) {
                tail.position.put(tp.partition(), consumer.position(tp));
            }
            return tail;
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    /**
     * Reads up to the end as of {@link #open} (records past it that come in the same fetch are folded too: they are
     * ordinary events, and skipping them would leave them unread by {@link #poll}).
     *
     * @return the number of events folded
     */
    int catchUp(BooleanSupplier running, Fold fold) {
        int folded = 0;
        while (running.getAsBoolean() && !StateStore.caughtUp(consumer, end)) {
            folded += fold(consumer.poll(Duration.ofMillis(200)), fold);
        }
        if (running.getAsBoolean()) {
            end.forEach((tp, offset) -> checkpoints.seen(tp.partition(), offset)); // past gaps without records
        }
        return folded;
    }

    /**
     * Folds what arrived since the last call, without waiting.
     *
     * @return the number of records read (of any cluster); 0 when there was nothing new
     */
    int poll(Fold fold) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ZERO);
        fold(records, fold);
        return records.count();
    }

    /** True when the reader has read the record at {@code offset} of {@code partition} (folded it or passed it over). */
    boolean passed(int partition, long offset) {
        return offset < position.getOrDefault(partition, 0L);
    }

    /**
     * Kafka acknowledged this process's own server event at {@code offset} of {@code partition}: when the reader gets
     * there, it is passed over (it is recorded already, and folding it after its server's life was finished and forgotten
     * would bring the server back).
     */
    void own(int partition, long offset) {
        if (offset >= position.getOrDefault(partition, Long.MAX_VALUE)) {
            own.computeIfAbsent(partition, p -> new TreeSet<>()).add(offset);
        }
    }

    private int fold(ConsumerRecords<String, byte[]> records, Fold fold) {
        int folded = 0;
        for (ConsumerRecord<String, byte[]> r : records) {
            if (!ownEvent(r.partition(), r.offset())) {
                NodeCloudEvent event = ofCluster(r, clusterId);
                if (event != null && event.isServerEvent()) {
                    try {
                        fold.event(r.partition(), r.offset(), event);
                        folded++;
                    } catch (RuntimeException e) {
                        // One record this version cannot fold (its data unreadable) must not cost the rest of the
                        // batch, which the consumer has already passed.
                        LOG.warnf(
                                "cannot fold event %s-%d@%d (%s of %s): %s",
                                r.topic(), r.partition(), r.offset(), event.type(), event.subject(), e.toString());
                    }
                }
            }
            position.put(r.partition(), r.offset() + 1);
            checkpoints.seen(r.partition(), r.offset() + 1);
        }
        return folded;
    }

    private boolean ownEvent(int partition, long offset) {
        TreeSet<Long> mine = own.get(partition);
        if (mine == null) {
            return false;
        }
        boolean isOwn = mine.remove(offset);
        mine.headSet(offset).clear(); // offsets the reader passed without a record (none expected): forgotten
        if (mine.isEmpty()) {
            own.remove(partition);
        }
        return isOwn;
    }

    @Override
    public void close() {
        consumer.close(Duration.ZERO);
    }

    /** The record as an event when it is one of {@code clusterId}'s; null otherwise. */
    private static NodeCloudEvent ofCluster(ConsumerRecord<String, byte[]> r, String clusterId) {
        Map<String, String> headers = new HashMap<>();
        for (Header h : r.headers()) {
            if (h.value() != null) {
                headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        try {
            NodeCloudEvent event = NodeCloudEvent.fromHeaders(headers, r.value());
            return clusterId.equals(SendRules.clusterIdOf(event)) ? event : null;
        } catch (RuntimeException e) {
            // Not an event this version reads (another type, another producer): it cannot be one it would re-send.
            LOG.debugf("passing over record %s-%d@%d: %s", r.topic(), r.partition(), r.offset(), e.getMessage());
            return null;
        }
    }
}
