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
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * What Kafka acknowledged per server ({@code <cluster-id>/<server-name>}) and its compacted state topic: read back on
 * start, updated after each acknowledged server event, written with capped backoff ({@link StateWriteOutage}), a
 * tombstone once a server's life is fully published. Used by the sender thread only.
 */
final class StateStore {

    private static final Logger LOG = Logger.getLogger(KafkaEventSink.class);
    /** Pause of all state writes after {@code send()} itself failed (it blocked for {@code max.block.ms}). */
    private static final Duration STATE_RETRY = Duration.ofSeconds(10);

    private final EventPublisherSettings settings;
    private final KafkaClients clients;
    private final StateWriteOutage outage;
    private final Clock clock;
    private final Map<String, RecordedServer> published = new HashMap<>();
    private final Set<String> dirty = new LinkedHashSet<>();
    private final Set<String> inFlight = new HashSet<>();
    private long nextAttemptMillis;

    StateStore(EventPublisherSettings settings, KafkaClients clients, StateWriteOutage outage, Clock clock) {
        this.settings = settings;
        this.clients = clients;
        this.outage = outage;
        this.clock = clock;
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
                    if (r.value() == null) {
                        published.remove(r.key());
                        continue;
                    }
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

    private static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
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
     * Kafka acknowledged {@code event} of server {@code key}: its record now, scheduled to be written (a tombstone, and
     * forgotten here, once {@link RecordedServer#finished()}).
     */
    RecordedServer acknowledged(String key, NodeCloudEvent event, NodeEventData data) {
        RecordedServer now = RecordedServer.after(published.get(key), event.subject(), event.transition(), data);
        if (now.finished()) {
            published.remove(key); // bounded memory; the compacted topic only holds servers that may need reconciling
        } else {
            published.put(key, now);
        }
        dirty.add(key);
        return now;
    }

    /**
     * Sends the state records that are due (not in flight, not backing off) through {@code via}; each outcome is handed
     * to {@code completion}, to be run on the sender thread (it calls {@link #written}; true when written).
     */
    void writeDue(
            KafkaProducer<String, byte[]> via,
            Thread sender,
            Consumer<BooleanSupplier> completion,
            BooleanSupplier viaIsCurrent) {
        long now = clock.millis();
        if (now < nextAttemptMillis) {
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
            byte[] value = state == null ? null : EventJson.write(state); // null: tombstone of a finished server
            boolean[] refusedAtOnce = {false};
            long answersMark = outage.answersMark();
            try {
                via.send(new ProducerRecord<>(settings.stateTopic(), name, value), (md, ex) -> {
                    if (ex != null && Thread.currentThread() == sender) {
                        refusedAtOnce[0] = true;
                    }
                    completion.accept(() -> written(name, ex, viaIsCurrent.getAsBoolean(), answersMark));
                });
            } catch (KafkaException e) {
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
    }

    /**
     * The state record of {@code name} was written ({@code failure} null) or not; {@code current} false when it failed
     * because its producer was replaced (not a state-topic problem); {@code answersMark} as taken when it was sent.
     *
     * @return true when written
     */
    boolean written(String name, Exception failure, boolean current, long answersMark) {
        inFlight.remove(name);
        if (failure == null) {
            outage.succeeded(name);
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
