package dev.talosburst.e2e.harness;

import dev.talosburst.events.model.NodeCloudEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Tails the lifecycle topic from its beginning with a plain KafkaConsumer, as any consumer would. */
public final class LifecycleEventLog implements AutoCloseable {

    /** One record as read. */
    public record Received(
            String key, int partition, long offset, Map<String, String> headers, byte[] value, NodeCloudEvent event) {
        /** The short type, e.g. {@code server-created}. */
        public String type() {
            String t = headers.get("ce_type");
            return t.substring(NodeCloudEvent.TYPE_PREFIX.length(), t.length() - NodeCloudEvent.TYPE_SUFFIX.length());
        }
    }

    private final String bootstrap;
    private final String topic;
    private final Timeline timeline;
    private final List<Received> records = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    /** Starts tailing {@code topic} (waiting for it to be created). */
    public LifecycleEventLog(String bootstrap, String topic, Timeline timeline) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.timeline = timeline;
        thread = new Thread(this::run, "lifecycle-event-log");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            while (running && parts.isEmpty()) {
                List<PartitionInfo> infos = c.listTopics(Duration.ofSeconds(5)).get(topic);
                if (infos != null) {
                    infos.forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
                } else {
                    Thread.sleep(500);
                }
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            while (running) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    Map<String, String> headers = new HashMap<>();
                    for (Header h : r.headers()) {
                        headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
                    }
                    NodeCloudEvent event = NodeCloudEvent.fromHeaders(headers, r.value());
                    Received received = new Received(r.key(), r.partition(), r.offset(), headers, r.value(), event);
                    synchronized (this) {
                        records.add(received);
                    }
                    timeline.note(
                            event.time(),
                            "event " + received.type() + " " + r.key()
                                    + switch (received.type()) {
                                        case "scale-up-requested" -> " (NodeGroupIncreaseSize)";
                                        case "scale-down-requested" -> " (NodeGroupDeleteNodes)";
                                        default -> "";
                                    });
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (running) {
                System.err.println("lifecycle event log stopped: " + e);
            }
        }
    }

    /** Every record read so far, in the order read (offset order per partition). */
    public synchronized List<Received> records() {
        return List.copyOf(records);
    }

    /** Types of the records with this key (a server name, or a pool id for pool-level events), in offset order. */
    public List<String> typesOf(String key) {
        return records().stream()
                .filter(r -> key.equals(r.key()))
                .map(Received::type)
                .toList();
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
