package dev.talosburst.events.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.events.testing.EngineEvents;
import dev.talosburst.events.testing.TestBroker;
import dev.talosburst.events.testing.TopicReader;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipelined delivery keeps each server's order across producer replacements: several events of a server are in flight
 * when the sink replaces its producer (Kafka refuses another key's record, which makes the sink start over with a new
 * producer every {@code retryBackoff}, aborting what the old one held), and an independent consumer still reads every
 * server's first occurrences in emit order, with no id carrying two contents.
 */
class PipelinedOrderTest {

    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    private static final String POISON = "poison-pool";
    private static final int SERVERS = 300;
    private static final int MAX_SERVERS = 3_000;

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    @Test
    void severalEventsOfAServerInFlightAcrossProducerReplacementsStayInOrder(@TempDir Path journal) throws Exception {
        String topic = "pipelined-" + UUID.randomUUID();
        EventPublisherSettings settings = EventPublisherSettings.defaults(broker.bootstrapServers())
                .withTopic(topic)
                .withTopicLayout(3, (short) 1)
                .withDelivery(Duration.ofSeconds(3), Duration.ofMillis(200))
                .withJournal(journal)
                .withClientOverrides(Map.of(
                        "interceptor.classes", InFlightProbe.class.getName(),
                        "partitioner.class", RefusingPartitioner.class.getName(),
                        // Records wait in the producer for 50 ms: a replacement catches several of a server in flight.
                        "linger.ms", "50"));
        EngineEvents pool = EngineEvents.cx22Fsn1("po");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<LifecycleEvent> emitted = new ArrayList<>();
        RefusingPartitioner.refuse = true;
        try (KafkaEventSink sink = new KafkaEventSink(settings, registry)) {
            sink.start();
            sink.recordedServers(EngineEvents.CLUSTER, Duration.ofSeconds(60));
            // Refused by "Kafka" (the partitioner) until the cause is fixed: the sink replaces its producer each time.
            sink.emit(EngineEvents.cx22Fsn1(POISON).scaleUp(1, 1, 1, T0));
            // Groups of 20 servers, their k-th events together, 3 ms apart: a server's next event arrives while its
            // previous ones still linger in the producer. At least SERVERS servers, and more until a replacement caught
            // several events of a server in flight (how many groups that takes depends on the machine's speed).
            for (int g = 0;
                    g < SERVERS || (InFlightProbe.replacementsWithSeveralOfAKey.get() == 0 && g < MAX_SERVERS);
                    g += 20) {
                List<List<LifecycleEvent>> group = new ArrayList<>();
                for (int s = g; s < g + 20; s++) {
                    group.add(pool.serverUp("po-" + s, 5_000 + s, T0.plusSeconds(s)));
                }
                for (int k = 0; k < group.get(0).size(); k++) {
                    for (List<LifecycleEvent> server : group) {
                        sink.emit(server.get(k));
                        emitted.add(server.get(k));
                    }
                    Thread.sleep(3);
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> InFlightProbe.replacementsWithSeveralOfAKey.get() >= 1);
            System.out.printf(
                    "producers replaced with several events of a server in flight: %d%n",
                    InFlightProbe.replacementsWithSeveralOfAKey.get());
            RefusingPartitioner.refuse = false; // the cause fixed: the refused record goes through too
            await().atMost(Duration.ofSeconds(60)).until(() -> sink.pending() == 0);
        }

        // Several events of one server were in flight on a producer the sink replaced (aborted together).
        assertThat(InFlightProbe.replacementsWithSeveralOfAKey.get()).isPositive();

        List<ConsumerRecord<String, byte[]>> records = TopicReader.readAll(broker.bootstrapServers(), topic);
        Map<String, String> contentById = new HashMap<>();
        Set<String> twoContents = new HashSet<>();
        Map<String, List<String>> firstOccurrences = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            Map<String, String> h = TopicReader.headers(r);
            String content = h + "|" + new String(r.value(), StandardCharsets.UTF_8);
            String before = contentById.putIfAbsent(h.get("ce_id"), content);
            if (before == null) {
                firstOccurrences
                        .computeIfAbsent(r.key(), k -> new ArrayList<>())
                        .add(h.get("ce_id"));
            } else if (!before.equals(content)) {
                twoContents.add(h.get("ce_id"));
            }
        }
        assertThat(twoContents).as("ids with two contents").isEmpty();
        Map<String, List<String>> expected = new LinkedHashMap<>();
        for (LifecycleEvent e : emitted) {
            expected.computeIfAbsent(e.subject(), k -> new ArrayList<>())
                    .add(dev.talosburst.events.model.EventIds.forIdentity(e.identity()));
        }
        for (var e : expected.entrySet()) {
            assertThat(firstOccurrences.get(e.getKey()))
                    .as("first occurrences of %s, in topic order", e.getKey())
                    .containsExactlyElementsOf(e.getValue());
        }
        assertThat(TopicReader.typesOf(records, POISON)).isNotEmpty();
    }

    /** Refuses records of {@link #POISON} (a non-retriable error inside {@code send()}) while {@link #refuse} is set. */
    public static final class RefusingPartitioner implements Partitioner {
        static volatile boolean refuse;

        @Override
        public int partition(
                String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
            return partition(topic, key, keyBytes, cluster);
        }

        private static int partition(String topic, Object key, byte[] keyBytes, Cluster cluster) {
            if (refuse && POISON.equals(key)) {
                throw new PolicyViolationException("test: records of " + POISON + " are refused");
            }
            return BuiltInPartitioner.partitionForKey(
                    keyBytes, cluster.partitionsForTopic(topic).size());
        }

        @Override
        public void close() {}

        @Override
        public void configure(Map<String, ?> configs) {}
    }

    /**
     * Counts, per producer, the events of each server that failed because the producer was closed under them: a
     * producer whose close aborted two or more events of one server had several of that server in flight.
     */
    public static final class InFlightProbe
            implements ProducerInterceptor<String, byte[]>, ConsumerInterceptor<String, byte[]> {
        static final AtomicInteger replacementsWithSeveralOfAKey = new AtomicInteger();
        private final Map<String, AtomicInteger> abortedByKey = new ConcurrentHashMap<>();
        private final AtomicInteger counted = new AtomicInteger();

        @Override
        public ProducerRecord<String, byte[]> onSend(ProducerRecord<String, byte[]> record) {
            return record;
        }

        @Override
        public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

        @Override
        public void onAcknowledgement(RecordMetadata metadata, Exception exception, Headers headers) {
            if (exception == null
                    || headers == null
                    || !String.valueOf(exception.getMessage()).contains("closed")) {
                return;
            }
            Header subject = headers.lastHeader("ce_subject");
            if (subject == null || headers.lastHeader("ce_id") == null) {
                return;
            }
            String key = new String(subject.value(), StandardCharsets.UTF_8);
            if (abortedByKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() == 2
                    && counted.getAndIncrement() == 0) {
                replacementsWithSeveralOfAKey.incrementAndGet();
            }
        }

        @Override
        public ConsumerRecords<String, byte[]> onConsume(ConsumerRecords<String, byte[]> records) {
            return records;
        }

        @Override
        public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

        @Override
        public void close() {}

        @Override
        public void configure(Map<String, ?> configs) {}
    }
}
