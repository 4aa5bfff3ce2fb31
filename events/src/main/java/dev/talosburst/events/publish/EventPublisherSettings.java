package dev.talosburst.events.publish;

import dev.talosburst.events.model.NodeCloudEvent;
import dev.talosburst.events.model.NodeEventMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How {@link KafkaEventSink} publishes.
 *
 * @param bootstrapServers Kafka bootstrap servers, e.g. {@code kafka:9092}
 * @param topic the node lifecycle event topic
 * @param stateTopic the compacted topic holding the last published state per server (read back on start)
 * @param queueCapacity events held in memory; beyond it they wait in the journal only (or are refused without one)
 * @param backlogWarnThreshold pending events above which {@link KafkaEventSink#backlogHealthy()} turns false
 * @param journalDir directory of the local append-only journal that survives a crash; null = memory only
 * @param fsyncJournal force the journal to disk continuously in the background (group commit; {@code emit} writes the
 *        event to the file and does not wait for the disk: a killed process loses nothing, a machine crash at most the
 *        events of the last {@code fsync} in progress)
 * @param deliveryTimeout how long one request to Kafka may take (the producer's {@code request.timeout.ms} is half of
 *        it, at most 30 s; {@code send()} blocks at most 5 s); the producer itself never gives up on an event
 *        ({@code delivery.timeout.ms} unlimited: it retries until the sink replaces or closes it)
 * @param retryBackoff wait before re-sending an event whose send failed
 * @param createTopics create both topics (state topic compacted) when missing
 * @param partitions partitions of a created event topic
 * @param replicationFactor replication factor of created topics
 * @param dataSchema value of {@code ce_dataschema}; null to omit it
 * @param producerOverrides extra Kafka client properties (security, SASL ...), applied to producer and consumer
 * @param stateRetryMax longest wait between attempts to write a server's state record that keeps failing (the
 *        wait starts at {@code retryBackoff} and doubles per failure; never shorter than {@code retryBackoff})
 * @param stateUnhealthyAfter how long state-record writes may keep failing before {@link KafkaEventSink#backlogHealthy()}
 *        turns false
 * @param unreachableAfter how long no broker may answer (after a failed attempt) before {@link KafkaEventSink#backlogHealthy()}
 *        turns false; connectivity is checked every third of it (at most every minute) while nothing else talks to Kafka
 */
public record EventPublisherSettings(
        String bootstrapServers,
        String topic,
        String stateTopic,
        int queueCapacity,
        int backlogWarnThreshold,
        Path journalDir,
        boolean fsyncJournal,
        Duration deliveryTimeout,
        Duration retryBackoff,
        boolean createTopics,
        int partitions,
        short replicationFactor,
        String dataSchema,
        Map<String, String> producerOverrides,
        Duration stateRetryMax,
        Duration stateUnhealthyAfter,
        Duration unreachableAfter) {

    /** Default event topic. */
    public static final String DEFAULT_TOPIC = NodeCloudEvent.DEFAULT_TOPIC;
    /** Default {@link #stateRetryMax()}. */
    public static final Duration DEFAULT_STATE_RETRY_MAX = Duration.ofMinutes(1);
    /** Default {@link #stateUnhealthyAfter()}. */
    public static final Duration DEFAULT_STATE_UNHEALTHY_AFTER = Duration.ofMinutes(5);
    /** Default {@link #unreachableAfter()}. */
    public static final Duration DEFAULT_UNREACHABLE_AFTER = Duration.ofMinutes(5);

    public EventPublisherSettings {
        require(
                bootstrapServers != null && !bootstrapServers.isBlank(),
                "bootstrapServers must name at least one broker, e.g. kafka:9092");
        require(topic != null && !topic.isBlank(), "topic must be set, e.g. " + DEFAULT_TOPIC);
        require(
                stateTopic != null && !stateTopic.isBlank() && !stateTopic.equals(topic),
                "stateTopic must be set and differ from topic, e.g. " + topic + ".state");
        require(queueCapacity > 0, "queueCapacity must be > 0, was " + queueCapacity);
        require(backlogWarnThreshold > 0, "backlogWarnThreshold must be > 0, was " + backlogWarnThreshold);
        Objects.requireNonNull(deliveryTimeout, "deliveryTimeout");
        require(deliveryTimeout.toMillis() >= 1000, "deliveryTimeout must be at least 1s, was " + deliveryTimeout);
        Objects.requireNonNull(retryBackoff, "retryBackoff");
        require(partitions > 0, "partitions must be > 0, was " + partitions);
        require(replicationFactor > 0, "replicationFactor must be > 0, was " + replicationFactor);
        producerOverrides = Map.copyOf(producerOverrides == null ? Map.of() : producerOverrides);
        Objects.requireNonNull(stateRetryMax, "stateRetryMax");
        Objects.requireNonNull(stateUnhealthyAfter, "stateUnhealthyAfter");
        require(
                !stateUnhealthyAfter.isNegative(),
                "stateUnhealthyAfter must not be negative, was " + stateUnhealthyAfter);
        Objects.requireNonNull(unreachableAfter, "unreachableAfter");
        require(unreachableAfter.toMillis() >= 1000, "unreachableAfter must be at least 1s, was " + unreachableAfter);
    }

    /** Settings with the default state-record retry cap (1 min) and unhealthy thresholds (5 min). */
    public EventPublisherSettings(
            String bootstrapServers,
            String topic,
            String stateTopic,
            int queueCapacity,
            int backlogWarnThreshold,
            Path journalDir,
            boolean fsyncJournal,
            Duration deliveryTimeout,
            Duration retryBackoff,
            boolean createTopics,
            int partitions,
            short replicationFactor,
            String dataSchema,
            Map<String, String> producerOverrides) {
        this(
                bootstrapServers,
                topic,
                stateTopic,
                queueCapacity,
                backlogWarnThreshold,
                journalDir,
                fsyncJournal,
                deliveryTimeout,
                retryBackoff,
                createTopics,
                partitions,
                replicationFactor,
                dataSchema,
                producerOverrides,
                DEFAULT_STATE_RETRY_MAX,
                DEFAULT_STATE_UNHEALTHY_AFTER,
                DEFAULT_UNREACHABLE_AFTER);
    }

    /** Production defaults: 10 000 events in memory, warn at 1 000, 2 min delivery timeout, no journal. */
    public static EventPublisherSettings defaults(String bootstrapServers) {
        return new EventPublisherSettings(
                bootstrapServers,
                DEFAULT_TOPIC,
                DEFAULT_TOPIC + ".state",
                10_000,
                1_000,
                null,
                true,
                Duration.ofMinutes(2),
                Duration.ofSeconds(1),
                true,
                6,
                (short) 3,
                NodeEventMapper.DATA_SCHEMA_V1,
                Map.of());
    }

    /** Same settings with another event topic (the state topic follows as {@code <topic>.state}). */
    public EventPublisherSettings withTopic(String newTopic) {
        return new EventPublisherSettings(
                bootstrapServers,
                newTopic,
                newTopic + ".state",
                queueCapacity,
                backlogWarnThreshold,
                journalDir,
                fsyncJournal,
                deliveryTimeout,
                retryBackoff,
                createTopics,
                partitions,
                replicationFactor,
                dataSchema,
                producerOverrides,
                stateRetryMax,
                stateUnhealthyAfter,
                unreachableAfter);
    }

    /** Same settings with a journal directory (null for none). */
    public EventPublisherSettings withJournal(Path dir) {
        return new EventPublisherSettings(
                bootstrapServers,
                topic,
                stateTopic,
                queueCapacity,
                backlogWarnThreshold,
                dir,
                fsyncJournal,
                deliveryTimeout,
                retryBackoff,
                createTopics,
                partitions,
                replicationFactor,
                dataSchema,
                producerOverrides,
                stateRetryMax,
                stateUnhealthyAfter,
                unreachableAfter);
    }

    /** Same settings with another in-memory capacity and backlog threshold. */
    public EventPublisherSettings withQueue(int capacity, int warnThreshold) {
        return new EventPublisherSettings(
                bootstrapServers,
                topic,
                stateTopic,
                capacity,
                warnThreshold,
                journalDir,
                fsyncJournal,
                deliveryTimeout,
                retryBackoff,
                createTopics,
                partitions,
                replicationFactor,
                dataSchema,
                producerOverrides,
                stateRetryMax,
                stateUnhealthyAfter,
                unreachableAfter);
    }

    /** Same settings with other delivery timeout and retry backoff. */
    public EventPublisherSettings withDelivery(Duration timeout, Duration backoff) {
        return new EventPublisherSettings(
                bootstrapServers,
                topic,
                stateTopic,
                queueCapacity,
                backlogWarnThreshold,
                journalDir,
                fsyncJournal,
                timeout,
                backoff,
                createTopics,
                partitions,
                replicationFactor,
                dataSchema,
                producerOverrides,
                stateRetryMax,
                stateUnhealthyAfter,
                unreachableAfter);
    }

    /** Same settings with another topic layout for created topics. */
    public EventPublisherSettings withTopicLayout(int newPartitions, short newReplicationFactor) {
        return new EventPublisherSettings(
                bootstrapServers,
                topic,
                stateTopic,
                queueCapacity,
                backlogWarnThreshold,
                journalDir,
                fsyncJournal,
                deliveryTimeout,
                retryBackoff,
                createTopics,
                newPartitions,
                newReplicationFactor,
                dataSchema,
                producerOverrides,
                stateRetryMax,
                stateUnhealthyAfter,
                unreachableAfter);
    }

    /** Same settings, creating missing topics or not (when an operator manages them). */
    public EventPublisherSettings withCreateTopics(boolean create) {
        return new EventPublisherSettings(
                bootstrapServers,
                topic,
                stateTopic,
                queueCapacity,
                backlogWarnThreshold,
                journalDir,
                fsyncJournal,
                deliveryTimeout,
                retryBackoff,
                create,
                partitions,
                replicationFactor,
                dataSchema,
                producerOverrides,
                stateRetryMax,
                stateUnhealthyAfter,
                unreachableAfter);
    }

    /** Same settings with extra Kafka client properties (security, SASL ...). */
    public EventPublisherSettings withClientOverrides(Map<String, String> overrides) {
        return new EventPublisherSettings(
                bootstrapServers,
                topic,
                stateTopic,
                queueCapacity,
                backlogWarnThreshold,
                journalDir,
                fsyncJournal,
                deliveryTimeout,
                retryBackoff,
                createTopics,
                partitions,
                replicationFactor,
                dataSchema,
                overrides,
                stateRetryMax,
                stateUnhealthyAfter,
                unreachableAfter);
    }

    /** Same settings with another state-record retry cap and the failure time after which the sink reports unhealthy. */
    public EventPublisherSettings withStateRetry(Duration retryMax, Duration unhealthyAfter) {
        return new EventPublisherSettings(
                bootstrapServers,
                topic,
                stateTopic,
                queueCapacity,
                backlogWarnThreshold,
                journalDir,
                fsyncJournal,
                deliveryTimeout,
                retryBackoff,
                createTopics,
                partitions,
                replicationFactor,
                dataSchema,
                producerOverrides,
                retryMax,
                unhealthyAfter,
                unreachableAfter);
    }

    /** Same settings with another time without an answer from Kafka after which the sink reports unhealthy. */
    public EventPublisherSettings withUnreachableAfter(Duration after) {
        return new EventPublisherSettings(
                bootstrapServers,
                topic,
                stateTopic,
                queueCapacity,
                backlogWarnThreshold,
                journalDir,
                fsyncJournal,
                deliveryTimeout,
                retryBackoff,
                createTopics,
                partitions,
                replicationFactor,
                dataSchema,
                producerOverrides,
                stateRetryMax,
                stateUnhealthyAfter,
                after);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("talos-burst events: " + message);
        }
    }

    @Override
    public String toString() {
        // producerOverrides may hold SASL credentials: list the keys only.
        return "EventPublisherSettings[bootstrapServers=" + bootstrapServers + ", topic=" + topic + ", stateTopic="
                + stateTopic + ", queueCapacity=" + queueCapacity + ", backlogWarnThreshold=" + backlogWarnThreshold
                + ", journalDir=" + journalDir + ", deliveryTimeout=" + deliveryTimeout + ", stateRetryMax="
                + stateRetryMax
                + ", stateUnhealthyAfter=" + stateUnhealthyAfter + ", unreachableAfter=" + unreachableAfter
                + ", producerOverrides="
                + producerOverrides.keySet() + "]";
    }
}
