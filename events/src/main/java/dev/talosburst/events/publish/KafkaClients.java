package dev.talosburst.events.publish;

import dev.talosburst.events.model.NodeCloudEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Client set-up of the publisher: the producer, admin and state-reader configurations, topic creation, and the
 * binary-mode record of an event. No state of its own.
 */
final class KafkaClients {

    private static final Logger LOG = Logger.getLogger(KafkaEventSink.class);
    /** Longest wait for one answer while setting up (topics, state read-back) or checking connectivity. */
    private static final Duration CONTACT_TIMEOUT = Duration.ofSeconds(10);

    private final EventPublisherSettings settings;

    KafkaClients(EventPublisherSettings settings) {
        this.settings = settings;
    }

    /** Set-up calls and connectivity checks wait at most this long for an answer. */
    Duration contactTimeout() {
        return settings.deliveryTimeout().compareTo(CONTACT_TIMEOUT) < 0 ? settings.deliveryTimeout() : CONTACT_TIMEOUT;
    }

    /** The idempotent producer of events (it never gives up on a record by itself: see below). */
    KafkaProducer<String, byte[]> newProducer() {
        return new KafkaProducer<>(producerProperties(), new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * The producer of state records and checkpoints: gives up after {@code deliveryTimeout}, so a state topic that refuses
     * records (an ACL, {@code max.message.bytes}) fails them — told once, retried with backoff by {@link StateStore} —
     * instead of being retried inside the client for ever. Order does not need the events' guarantee: the store keeps
     * at most one record per key in flight, and each record is the server's whole state.
     */
    KafkaProducer<String, byte[]> newStateProducer() {
        Properties p = producerProperties();
        int request = (int) p.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int)
                Math.max(settings.deliveryTimeout().toMillis(), request + 5L));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "talos-burst-events-state");
        p.putAll(settings.producerOverrides());
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** An admin client for topic creation and connectivity checks. */
    Admin newAdmin() {
        return Admin.create(adminProperties());
    }

    /** A consumer that reads the state topic from the beginning (no group, nothing committed). */
    KafkaConsumer<String, byte[]> newStateReader() {
        Properties p = clientProperties();
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Creates the event topic and the compacted state topic when missing. Throws {@link KafkaException} when Kafka
     * did not answer (the caller retries); a refusal (ACLs, policy) is logged and taken as "managed elsewhere".
     */
    void createTopics(Admin admin) {
        try {
            List<NewTopic> topics = List.of(
                    new NewTopic(settings.topic(), settings.partitions(), settings.replicationFactor()),
                    new NewTopic(settings.stateTopic(), settings.partitions(), settings.replicationFactor())
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
            long timeout = contactTimeout().toMillis();
            var results = admin.createTopics(topics, new CreateTopicsOptions().timeoutMs((int) timeout))
                    .values();
            for (var entry : results.entrySet()) {
                try {
                    entry.getValue().get(timeout + 1_000, TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RetriableException) {
                        throw new KafkaException("cannot create topic " + entry.getKey() + " yet: " + cause, cause);
                    }
                    if (!(cause instanceof TopicExistsException)) {
                        // Not allowed or refused by policy: the topics may well exist (made by an operator); publishing
                        // goes on and events wait if they do not.
                        LOG.warnf(
                                "cannot create topic %s (%s); assuming it is managed elsewhere",
                                entry.getKey(), cause.toString());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new KafkaException("Kafka did not answer while creating topics", e);
        }
    }

    /** The event as a binary-mode CloudEvents record: key = subject, value = data, attributes as {@code ce_*} headers. */
    static ProducerRecord<String, byte[]> toRecord(String topic, NodeCloudEvent e) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, e.key(), e.data());
        for (var h : e.headers().entrySet()) {
            r.headers().add(new RecordHeader(h.getKey(), h.getValue().getBytes(StandardCharsets.UTF_8)));
        }
        return r;
    }

    private Properties clientProperties() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int)
                Math.min(30_000, settings.deliveryTimeout().toMillis()));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int)
                settings.deliveryTimeout().toMillis());
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2_000);
        p.putAll(settings.producerOverrides());
        return p;
    }

    private Properties adminProperties() {
        Properties p = clientProperties();
        // Kafka 4's admin client "rebootstraps" in a tight loop while no broker answers (thousands of log lines and
        // wake-ups a second); the sink starts a new admin client from the bootstrap servers after each attempt without
        // an answer instead.
        p.put(CommonClientConfigs.METADATA_RECOVERY_STRATEGY_CONFIG, "none");
        p.putAll(settings.producerOverrides());
        return p;
    }

    private Properties producerProperties() {
        Properties p = clientProperties();
        p.remove(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
        int delivery = (int) settings.deliveryTimeout().toMillis();
        int request = Math.min(30_000, Math.max(500, delivery / 2));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, request);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // A backlog drained after an outage goes out as thousands of records at once: large batches keep the broker's
        // work per event small.
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        // Not compressed (overridable with talosburst.events.kafka."compression.type", or set on the topic): at the
        // steady state each event is a batch of its own, and the compressor's buffers (lz4: 2 x 64 KiB per batch) cost
        // more CPU and garbage than the ≈ 1 KB event on a small machine. The topic is about 4x larger on the brokers.
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        // The producer never gives up on a record by itself: a batch that expired would let the later events of its
        // partition (in flight behind it) land before its re-send. It retries until the sink replaces or closes it;
        // outages are told by KafkaContact and the connectivity check, not by send timeouts.
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        // What the sink hands over is bounded (Delivery.MAX_IN_FLIGHT events of ≈ 1 KB), far below this.
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 32L * 1024 * 1024);
        // send() runs on the publisher thread only; a short block keeps it responsive while the broker is away.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) Math.min(5_000, delivery));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "talos-burst-events");
        p.putAll(settings.producerOverrides());
        // Not overridable: an expiring batch would let the later events of its partition land before its re-send.
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        return p;
    }
}
