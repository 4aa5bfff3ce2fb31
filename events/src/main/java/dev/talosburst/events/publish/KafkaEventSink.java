package dev.talosburst.events.publish;

import dev.talosburst.events.model.NodeCloudEvent;
import dev.talosburst.events.model.NodeEventMapper;
import dev.talosburst.events.reconcile.RecordedServer;
import dev.talosburst.events.reconcile.ServerEventHistory;
import dev.talosburst.provisioner.lifecycle.EventSink;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The {@link EventSink} that publishes node lifecycle events to Kafka as CloudEvents (binary mode).
 *
 * <p>{@link #emit} never waits for the broker, nor for the lock the sender works under: it maps the event, appends it to
 * the local journal (when configured) and hands it over ({@link SinkQueue}). One background thread ({@link SenderLoop}) delivers with an idempotent producer
 * ({@link Delivery}: several events of a server in flight, in order, re-sent in order after any failure, forever).
 * Nothing is dropped while the journal is configured: beyond {@code queueCapacity} events wait in the journal only and
 * are re-read when the queue drains. Without a journal an event arriving at a full queue is refused (counted, logged) —
 * the reconciler re-creates server transitions from what exists, but pool-level events would be lost.
 *
 * <p>After each acknowledged server event, the server's cumulative {@link RecordedServer} is written to the compacted
 * state topic ({@link StateStore}); on start it is read back so {@link dev.talosburst.events.reconcile.LifecycleReconciler}
 * knows what was published before a crash. A state record that fails is retried with capped exponential backoff, never
 * dropped; a lasting failure is logged (rate-limited), counted and, past {@code stateUnhealthyAfter}, turns
 * {@link #backlogHealthy()} false ({@link StateWriteOutage}). Whether Kafka answers at all: {@link KafkaContact}.
 */
public final class KafkaEventSink implements EventSink, ServerEventHistory, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KafkaEventSink.class);

    private final EventPublisherSettings settings;
    private final NodeEventMapper mapper;
    private final SinkMeters meters;
    private final SinkQueue queue;
    /** Whether and when Kafka answers: the unreachable WARN and the readiness rule. */
    private final KafkaContact contact;
    /** Sender thread: backoff, logging and duration of failing state-record writes. */
    private final StateWriteOutage stateOutage;

    private final SenderLoop loop;
    private boolean started;

    /** A sink for {@code settings}, reporting to {@code registry}; call {@link #start()} before use. */
    public KafkaEventSink(EventPublisherSettings settings, MeterRegistry registry) {
        this(settings, registry, Clock.systemUTC());
    }

    /** As above, with the clock that times retries and publish latency. */
    public KafkaEventSink(EventPublisherSettings settings, MeterRegistry registry, Clock clock) {
        this(settings, registry, clock, null);
    }

    /**
     * As above, publishing for {@code clusterId}: checkpoints the event topic and, on start, folds its tail (this
     * cluster's events only), so a start without the journal still knows every id Kafka has (null: neither).
     */
    public KafkaEventSink(EventPublisherSettings settings, MeterRegistry registry, Clock clock, String clusterId) {
        this.settings = settings;
        this.mapper = new NodeEventMapper(settings.dataSchema());
        this.meters = new SinkMeters(registry);
        this.queue = new SinkQueue(
                new Backlog(
                        settings.journalDir() == null
                                ? null
                                : EventJournal.open(settings.journalDir(), settings.fsyncJournal()),
                        settings.queueCapacity(),
                        clock),
                meters,
                settings.queueCapacity());
        this.contact = new KafkaContact(settings.bootstrapServers(), settings.unreachableAfter(), clock);
        this.stateOutage = new StateWriteOutage(
                settings.stateTopic(),
                settings.retryBackoff(),
                settings.stateRetryMax(),
                clock,
                registry,
                contact,
                this::pending);
        KafkaClients clients = new KafkaClients(settings);
        StateStore states = new StateStore(
                settings,
                clients,
                stateOutage,
                clock,
                clusterId == null ? null : new TailCheckpoints(clusterId, settings.topic()));
        // Before any emit: events of a previous run come first and keep their sequence numbers.
        List<NodeCloudEvent> acknowledgedBefore = queue.replay();
        this.loop =
                new SenderLoop(settings, clients, queue, states, contact, meters, clock, acknowledgedBefore, clusterId);

        meters.gauge(
                "talosburst.events.pending", "Events accepted but not yet acknowledged by Kafka", null, this::pending);
        meters.gauge(
                "talosburst.events.backlog.oldest",
                "Age of the oldest event not yet acknowledged by Kafka (since this process accepted it); 0 when none",
                "seconds",
                () -> queue.oldestMillis() / 1000.0);
        meters.gauge(
                "talosburst.events.kafka.reachable",
                "1 while a Kafka broker answered within talosburst.events.unreachable-after, else 0",
                null,
                () -> kafkaReachable() ? 1 : 0);
        meters.gauge(
                "talosburst.events.kafka.silent",
                "Time since a Kafka broker last answered this publisher",
                "seconds",
                contact::silentForSeconds);
        meters.gauge(
                "talosburst.events.state.pending",
                "Server state records waiting to be written to the state topic",
                null,
                loop::statesOutstanding);
        meters.gauge(
                "talosburst.events.state.failing",
                "How long writes to the state topic have been failing; 0 while they succeed",
                "seconds",
                () -> stateOutage.failingForMillis() / 1000.0);
    }

    /** Starts delivering in the background (events of a previous run, replayed from the journal, go first). */
    public synchronized void start() {
        if (started || !queue.isOpen()) {
            return;
        }
        started = true;
        loop.start();
    }

    @Override
    public void emit(LifecycleEvent event) {
        NodeCloudEvent ce;
        try {
            ce = mapper.toCloudEvent(event);
        } catch (RuntimeException e) {
            meters.dropped.increment();
            LOG.errorf(e, "cannot map lifecycle event %s; it is NOT published", event.identity());
            return;
        }
        switch (queue.offer(event, ce)) {
            case QUEUED -> loop.wakeIfAsleep();
            case SUPPRESSED -> {
                // Same identity as an event already published or queued (e.g. the engine adopting servers after
                // a restart): consumers would drop it by id anyway, so it is not sent again.
                meters.suppressed.increment();
                LOG.debugf("%s of %s already recorded; not re-published", ce.type(), ce.subject());
            }
            case REFUSED -> {
                meters.dropped.increment();
                LOG.errorf(
                        "event queue full (%d) and no journal configured: %s of %s is NOT published; configure a journal"
                                + " directory to make the backlog unbounded",
                        settings.queueCapacity(), ce.type(), ce.subject());
            }
            case CLOSED -> {
                meters.dropped.increment();
                LOG.errorf(
                        "%s of %s emitted after the event sink was closed; it is NOT published",
                        ce.type(), ce.subject());
            }
        }
    }

    /**
     * This replica is about to act: the history (state topic and the event topic's tail) is read back again before
     * anything more is sent or {@link #recordedServers} answers, since the leader of the meantime published what this
     * process has not seen; from then on it writes state records and checkpoints and follows the event topic.
     */
    @Override
    public void leading() {
        loop.lead();
    }

    /**
     * This replica does not act: it still delivers what it emits (a late outcome of its own call, its journal) but writes
     * no state record or checkpoint, which the leader's would then race; the leader's tail reader records its events.
     */
    @Override
    public void following() {
        loop.follow();
    }

    /** Events accepted but not yet acknowledged by Kafka (in memory and in the journal only). */
    public long pending() {
        return queue.size();
    }

    /**
     * Readiness signal: false while the backlog is at or above {@code backlogWarnThreshold}, while state records
     * have been failing to be written for at least {@code stateUnhealthyAfter} (the journal grows meanwhile), or while
     * Kafka is unreachable ({@link #kafkaReachable()}).
     */
    public boolean backlogHealthy() {
        return pending() < settings.backlogWarnThreshold()
                && stateOutage.failingForMillis()
                        < Math.max(1, settings.stateUnhealthyAfter().toMillis())
                && kafkaReachable();
    }

    /**
     * False once an attempt to reach Kafka failed and no broker has answered for {@code unreachableAfter}; true again at
     * the first answer. While nothing else talks to Kafka, connectivity is checked every third of {@code unreachableAfter}
     * (at most every minute), so an idle publisher notices too.
     */
    public boolean kafkaReachable() {
        return !contact.unreachable();
    }

    /** Failed attempts to reach Kafka so far (sends, state writes, connectivity checks): what an outage's log counts. */
    long contactFailures() {
        return contact.failures();
    }

    /** Seconds since a Kafka broker last answered this sink. */
    public long kafkaSilentSeconds() {
        return contact.silentForSeconds();
    }

    @Override
    public Map<String, RecordedServer> recordedServers(String clusterId, Duration timeout)
            throws TimeoutException, InterruptedException {
        try {
            loop.historyLoaded().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("reading the state topic failed", e.getCause());
        }
        return queue.recordedOf(clusterId);
    }

    /**
     * Stops delivering after waiting up to {@code drainTimeout} for the backlog to empty. Events still
     * pending stay in the journal for the next start (without a journal they are lost, and logged).
     */
    public void close(Duration drainTimeout) {
        if (!queue.close()) {
            return;
        }
        loop.stop(drainTimeout);
        long left = pending();
        if (left > 0) {
            if (queue.backlog.journaled()) {
                LOG.warnf("%d lifecycle events not yet published; they stay in the journal for the next start", left);
            } else {
                LOG.errorf("%d lifecycle events not published and no journal configured: they are lost", left);
            }
        }
        queue.backlog.close();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    /**
     * Key of a server in the state topic and in memory: {@code <cluster-id>/<server-name>}, so that clusters
     * sharing topics never overwrite each other's state (the event topic is keyed by server name alone).
     */
    static String stateKey(String clusterId, String serverName) {
        return clusterId + "/" + serverName;
    }
}
