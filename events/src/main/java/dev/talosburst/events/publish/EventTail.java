package dev.talosburst.events.publish;

import dev.talosburst.events.model.NodeCloudEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.jboss.logging.Logger;

/**
 * The event topic from each partition's checkpoint ({@link TailCheckpoints}) to its end as of the start: the events
 * Kafka has whose state records may never have been written (a process lost between an event's ack and its state
 * record, or an ack that never arrived). Each server event of this cluster is handed to a {@link Fold}, so its id is
 * known as published before anything is sent.
 */
final class EventTail {

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

    private EventTail() {}

    /**
     * Reads the tail of {@code topic}; events of other clusters (sharing the topic) are passed over.
     *
     * @return the number of events folded
     */
    static int read(
            KafkaClients clients,
            String topic,
            String clusterId,
            TailCheckpoints checkpoints,
            Clock clock,
            BooleanSupplier running,
            Fold fold) {
        int folded = 0;
        try (KafkaConsumer<String, byte[]> consumer = clients.newStateReader()) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, clients.contactTimeout());
            if (infos == null || infos.isEmpty()) {
                return 0; // no event topic yet: nothing was published
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
            }
            while (running.getAsBoolean() && !StateStore.caughtUp(consumer, end)) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue; // sent by this run or another process after the start: not part of the tail
                    }
                    NodeCloudEvent event = ofCluster(r, clusterId);
                    if (event != null && event.isServerEvent()) {
                        fold.event(r.partition(), r.offset(), event);
                        folded++;
                    }
                }
            }
            if (running.getAsBoolean()) {
                end.forEach((tp, offset) -> checkpoints.seen(tp.partition(), offset));
            }
        }
        return folded;
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
