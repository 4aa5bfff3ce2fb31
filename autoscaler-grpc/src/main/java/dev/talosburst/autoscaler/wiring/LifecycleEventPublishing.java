package dev.talosburst.autoscaler.wiring;

import dev.talosburst.autoscaler.config.ConfigurationCheck.ValidConfiguration;
import dev.talosburst.autoscaler.config.TalosBurstConfig;
import dev.talosburst.events.publish.EventPublisherSettings;
import dev.talosburst.events.publish.KafkaEventSink;
import dev.talosburst.events.reconcile.LifecycleReconciler;
import dev.talosburst.events.reconcile.ObservedServer;
import dev.talosburst.provisioner.engine.ServerView;
import dev.talosburst.provisioner.lifecycle.EventSink;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Node lifecycle events on Kafka: the engine's {@link EventSink} (the Kafka sink when
 * {@code talosburst.events.bootstrap-servers} is set, otherwise a sink that discards with a warning) and the
 * reconciliation that publishes what a crash or outage left out.
 */
@Singleton
public class LifecycleEventPublishing {
    private static final Logger LOG = Logger.getLogger(LifecycleEventPublishing.class);

    private final KafkaEventSink kafka;
    private final LifecycleReconciler reconciler;

    LifecycleEventPublishing(
            TalosBurstConfig config, ValidConfiguration valid, @ServiceMeters.Own MeterRegistry registry, Clock clock) {
        TalosBurstConfig.Events events = config.events();
        if (events.bootstrapServers().isEmpty()) {
            LOG.warn(
                    "talosburst.events.bootstrap-servers is not set: node lifecycle events are discarded (billing and audit see nothing)");
            kafka = null;
            reconciler = null;
            return;
        }
        EventPublisherSettings settings = settings(events);
        kafka = new KafkaEventSink(settings, registry, clock, valid.clusterId());
        // Until the engine says it leads (the only replica, or promoted), write nothing shared: a standby's state
        // records would race the leader's.
        kafka.following();
        kafka.start();
        reconciler = new LifecycleReconciler(valid.clusterId(), kafka, kafka, clock, Duration.ofSeconds(30));
        LOG.infof(
                "node lifecycle events go to Kafka topic %s (journal %s)",
                events.topic(), events.journalDir().get());
    }

    /** The sink's settings from {@code talosburst.events.*} (bootstrap servers and journal directory set). */
    static EventPublisherSettings settings(TalosBurstConfig.Events events) {
        return EventPublisherSettings.defaults(events.bootstrapServers().orElseThrow())
                .withTopic(events.topic())
                .withJournal(events.journalDir().orElseThrow())
                .withQueue(events.queueCapacity(), events.backlogWarnThreshold())
                .withCreateTopics(events.createTopics())
                .withTopicLayout(events.partitions(), events.replicationFactor())
                .withClientOverrides(events.kafka())
                .withUnreachableAfter(events.unreachableAfter());
    }

    @Produces
    @Singleton
    EventSink eventSink() {
        return kafka != null ? kafka : EventSink.discarding();
    }

    /** True when events are published to Kafka. */
    public boolean enabled() {
        return kafka != null;
    }

    /** False while the backlog of unpublished events is large, or Kafka has not answered for {@code unreachable-after}. */
    public boolean backlogHealthy() {
        return kafka == null || kafka.backlogHealthy();
    }

    /** False once Kafka has not answered for {@code talosburst.events.unreachable-after}; true when events are off. */
    public boolean kafkaReachable() {
        return kafka == null || kafka.kafkaReachable();
    }

    /** Seconds since a Kafka broker last answered; 0 when events are off. */
    public long kafkaSilentSeconds() {
        return kafka == null ? 0 : kafka.kafkaSilentSeconds();
    }

    /** Events not yet acknowledged by Kafka. */
    public long pending() {
        return kafka == null ? 0 : kafka.pending();
    }

    /**
     * Publishes every transition missing for the servers that exist (the complete list from the engine, asked for only
     * after the published history has been read).
     *
     * @return how many events were published; -1 when the published history could not be read yet
     */
    public int reconcile(Supplier<List<ServerView>> servers) {
        if (reconciler == null) {
            return 0;
        }
        // the published history is read first, the servers only then: a server created in between is then at worst
        // announced twice (same event id), never reported deleted
        Supplier<List<ObservedServer>> observed = () -> servers.get().stream()
                .map(s -> new ObservedServer(
                        s.name(),
                        s.serverId(),
                        s.pool(),
                        s.facts(),
                        s.status(),
                        s.nodeRegistered() || s.nodeReady(),
                        s.nodeReady()))
                .toList();
        try {
            int published = reconciler.reconcile(observed).published().size();
            if (published > 0) {
                LOG.infof("event reconciliation published %d missing lifecycle event(s)", published);
            }
            return published;
        } catch (TimeoutException e) {
            LOG.warnf(
                    "event reconciliation postponed to its next run (talosburst.events.reconcile-interval): the published history"
                            + " has not been read back from Kafka yet");
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @PreDestroy
    void close() {
        if (kafka != null) {
            kafka.close();
        }
    }
}
