package dev.talosburst.events.publish;

import dev.talosburst.events.model.EventIds;
import dev.talosburst.events.model.NodeCloudEvent;
import dev.talosburst.events.model.NodeEventData;
import dev.talosburst.events.model.NodeEventMapper;
import dev.talosburst.events.publish.Backlog.Pending;
import dev.talosburst.events.reconcile.RecordedServer;
import dev.talosburst.events.reconcile.ServerEventHistory;
import dev.talosburst.provisioner.lifecycle.EventSink;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.lifecycle.Transition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.RetriableException;
import org.jboss.logging.Logger;

/**
 * The {@link EventSink} that publishes node lifecycle events to Kafka as CloudEvents (binary mode).
 *
 * <p>{@link #emit} never waits for the broker: it maps the event, appends it to the local journal (when
 * configured) and queues it. One background thread delivers with an idempotent producer ({@code acks=all}),
 * keeping at most one event per record key in flight so a server's events reach Kafka in emit order even
 * across outages; a failed send is retried after {@code retryBackoff}, forever. Nothing is dropped while the
 * journal is configured: beyond {@code queueCapacity} events wait in the journal only and are re-read when
 * the queue drains. Without a journal an event arriving at a full queue is refused (counted, logged) —
 * the reconciler re-creates server transitions from what exists, but pool-level events would be lost.
 *
 * <p>After each acknowledged server event, the server's cumulative {@link RecordedServer} is written to the
 * compacted state topic; on start it is read back so {@link dev.talosburst.events.reconcile.LifecycleReconciler}
 * knows what was published before a crash; given the cluster id, it also checkpoints the event topic there and folds
 * the events after the checkpoints on start ({@link EventTail}), so an id Kafka has is known even when its state record
 * never landed and the journal is gone. A state record that fails is retried with capped exponential backoff,
 * never dropped; a lasting failure is logged (rate-limited), counted and, past {@code stateUnhealthyAfter}, turns
 * {@link #backlogHealthy()} false ({@link StateWriteOutage}).
 */
public final class KafkaEventSink implements EventSink, ServerEventHistory, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KafkaEventSink.class);
    private static final Duration IDLE_WAIT = Duration.ofMillis(100);
    /** Longest wait of a {@code server-adopted} for its server's {@code server-created} ({@link #waitsForCreated}). */
    static final Duration ADOPTION_HOLD = Duration.ofMinutes(2);

    private final EventPublisherSettings settings;
    /** The cluster whose events this sink publishes and folds from the event topic's tail; null: no tail read. */
    private final String clusterId;
    /** Client set-up: configurations, topic creation, the record of an event. */
    private final KafkaClients clients;

    private final NodeEventMapper mapper;
    private final MeterRegistry registry;
    /** Events accepted and not yet acknowledged: the in-memory queue in front of the journal. Guarded by {@link #lock}. */
    private final Backlog backlog;

    private final Clock clock;

    private final Object lock = new Object();
    /** Everything recorded per server ({@link #stateKey}): published state plus events accepted but not yet acknowledged. */
    private final Map<String, RecordedServer> recorded = new HashMap<>();

    // Touched by the sender thread only.
    /** What Kafka acknowledged per server, and its state topic. */
    private final StateStore states;
    /** Events of a previous run that Kafka acknowledged but whose state records may never have been written. */
    private List<NodeCloudEvent> acknowledgedBeforeStart = List.of();

    private final ConcurrentLinkedQueue<Runnable> completions = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<Void> historyLoaded = new CompletableFuture<>();
    private volatile boolean running;
    private boolean closed;
    /** Whether and when Kafka answers: the unreachable WARN and the readiness rule. */
    private final KafkaContact contact;
    /** Topic set-up and connectivity checks; one client for the sink's life (sender thread, closed by close). */
    private volatile Admin admin;
    /** The connectivity check in flight (sender thread), if any. */
    private KafkaFuture<String> check;

    private boolean rebuildProducer;
    /** State records not yet acknowledged (written by the sender thread, read by close). */
    private volatile int statesOutstanding;

    private Thread sender;
    private volatile KafkaProducer<String, byte[]> producer;
    private long lastRebuildMillis;

    private final Timer publishTimer;
    private final Counter dropped;
    private final Counter spilledTotal;
    private final Counter sendFailures;
    private final Counter suppressed;
    /** Sender thread: backoff, logging and duration of failing state-record writes. */
    private final StateWriteOutage stateOutage;

    // Normal publishes take milliseconds; the upper buckets show events held back by an outage.
    private static final Duration[] PUBLISH_BUCKETS = {
        Duration.ofMillis(10),
        Duration.ofMillis(50),
        Duration.ofMillis(250),
        Duration.ofSeconds(1),
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        Duration.ofMinutes(2),
        Duration.ofMinutes(10),
        Duration.ofHours(1)
    };

    private Counter publishedCounter(String type) {
        return Counter.builder("talosburst.events.published")
                .description("Events acknowledged by Kafka, by event type")
                .tag("type", type)
                .register(registry);
    }

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
        this.clusterId = clusterId;
        this.settings = settings;
        this.clients = new KafkaClients(settings);
        this.clock = clock;
        this.registry = registry;
        this.mapper = new NodeEventMapper(settings.dataSchema());
        this.backlog = new Backlog(
                settings.journalDir() == null
                        ? null
                        : EventJournal.open(settings.journalDir(), settings.fsyncJournal()),
                settings.queueCapacity(),
                clock);
        this.publishTimer = Timer.builder("talosburst.events.publish")
                .description("Time from emit until Kafka acknowledged the event (includes time queued during outages)")
                .serviceLevelObjectives(PUBLISH_BUCKETS)
                .register(registry);
        for (dev.talosburst.provisioner.lifecycle.Transition type :
                dev.talosburst.provisioner.lifecycle.Transition.values()) {
            publishedCounter(type.eventName()); // from start-up, so rate() and alerts see 0 instead of nothing
        }
        this.dropped = Counter.builder("talosburst.events.dropped")
                .description("Events refused because the queue was full and no journal is configured")
                .register(registry);
        this.spilledTotal = Counter.builder("talosburst.events.spilled")
                .description("Events that waited in the journal only because the in-memory queue was full")
                .register(registry);
        this.sendFailures = Counter.builder("talosburst.events.send.failures")
                .description("Failed send attempts (each is retried)")
                .register(registry);
        this.suppressed = Counter.builder("talosburst.events.duplicates.suppressed")
                .description("Events not sent because their id was already published or queued (one id, one content)")
                .register(registry);
        Gauge.builder("talosburst.events.pending", this, KafkaEventSink::pending)
                .description("Events accepted but not yet acknowledged by Kafka")
                .strongReference(true)
                .register(registry);
        Gauge.builder("talosburst.events.backlog.oldest", this, s -> s.oldestPendingMillis() / 1000.0)
                .description(
                        "Age of the oldest event not yet acknowledged by Kafka (since this process accepted it); 0 when none")
                .baseUnit("seconds")
                .strongReference(true)
                .register(registry);
        this.contact = new KafkaContact(settings.bootstrapServers(), settings.unreachableAfter(), clock);
        Gauge.builder("talosburst.events.kafka.reachable", this, s -> s.kafkaReachable() ? 1 : 0)
                .description("1 while a Kafka broker answered within talosburst.events.unreachable-after, else 0")
                .strongReference(true)
                .register(registry);
        Gauge.builder("talosburst.events.kafka.silent", contact, KafkaContact::silentForSeconds)
                .description("Time since a Kafka broker last answered this publisher")
                .baseUnit("seconds")
                .strongReference(true)
                .register(registry);
        this.stateOutage = new StateWriteOutage(
                settings.stateTopic(),
                settings.retryBackoff(),
                settings.stateRetryMax(),
                clock,
                registry,
                contact,
                this::pending);
        this.states = new StateStore(
                settings,
                clients,
                stateOutage,
                clock,
                clusterId == null ? null : new TailCheckpoints(clusterId, settings.topic()));
        Gauge.builder("talosburst.events.state.pending", this, s -> s.statesOutstanding)
                .description("Server state records waiting to be written to the state topic")
                .strongReference(true)
                .register(registry);
        Gauge.builder("talosburst.events.state.failing", stateOutage, o -> o.failingForMillis() / 1000.0)
                .description("How long writes to the state topic have been failing; 0 while they succeed")
                .baseUnit("seconds")
                .strongReference(true)
                .register(registry);
        // Before any emit: events of a previous run come first and keep their sequence numbers.
        synchronized (lock) {
            Backlog.Replay replay = backlog.replay();
            acknowledgedBeforeStart = replay.acknowledged();
            replay.unacknowledged().forEach(this::record);
        }
    }

    /** Starts delivering in the background (events of a previous run, replayed from the journal, go first). */
    public void start() {
        synchronized (lock) {
            if (running || closed) {
                return;
            }
            running = true;
        }
        producer = clients.newProducer();
        admin = clients.newAdmin();
        sender = new Thread(this::deliverLoop, "talos-burst-event-publisher");
        sender.setDaemon(true);
        sender.start();
    }

    @Override
    public void emit(LifecycleEvent event) {
        NodeCloudEvent ce;
        try {
            ce = mapper.toCloudEvent(event);
        } catch (RuntimeException e) {
            dropped.increment();
            LOG.errorf(e, "cannot map lifecycle event %s; it is NOT published", event.identity());
            return;
        }
        synchronized (lock) {
            if (closed) {
                dropped.increment();
                LOG.errorf(
                        "%s of %s emitted after the event sink was closed; it is NOT published",
                        ce.type(), ce.subject());
                return;
            }
            if (alreadyRecorded(event)) {
                // Same identity as an event already published or queued (e.g. the engine adopting servers after
                // a restart): consumers would drop it by id anyway, so it is not sent again.
                suppressed.increment();
                LOG.debugf("%s of %s already recorded; not re-published", ce.type(), ce.subject());
                return;
            }
            Backlog.Added added = backlog.add(ce);
            if (added == Backlog.Added.JOURNAL_ONLY) {
                spilledTotal.increment();
            } else if (added == Backlog.Added.REFUSED) {
                dropped.increment();
                LOG.errorf(
                        "event queue full (%d) and no journal configured: %s of %s is NOT published; configure a journal"
                                + " directory to make the backlog unbounded",
                        settings.queueCapacity(), ce.type(), ce.subject());
                return;
            }
            record(ce);
            lock.notifyAll();
        }
    }

    private boolean alreadyRecorded(LifecycleEvent event) {
        // Also before the state topic is read back: what is known then (the journal of the previous run, this run's
        // events) already decides; the rest is decided when the event is sent ({@link #publishedBefore}).
        if (event.transition().isPoolLevel() || !event.occurrence().isEmpty()) {
            return false;
        }
        RecordedServer r = recorded.get(stateKey(event.clusterId(), event.subject()));
        return r != null && r.has(event.transition());
    }

    /** How long the oldest pending event has waited (memory holds the oldest: the journal-only ones are newer); 0 when none. */
    long oldestPendingMillis() {
        synchronized (lock) {
            return backlog.oldestMillis();
        }
    }

    /** Events accepted but not yet acknowledged by Kafka (in memory and in the journal only). */
    public long pending() {
        synchronized (lock) {
            return backlog.size();
        }
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

    /** Seconds since a Kafka broker last answered this sink. */
    public long kafkaSilentSeconds() {
        return contact.silentForSeconds();
    }

    @Override
    public Map<String, RecordedServer> recordedServers(String clusterId, Duration timeout)
            throws TimeoutException, InterruptedException {
        try {
            historyLoaded.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("reading the state topic failed", e.getCause());
        }
        synchronized (lock) {
            Map<String, RecordedServer> byName = new HashMap<>();
            for (RecordedServer r : recorded.values()) {
                if (clusterId.equals(r.clusterId())) {
                    byName.put(r.name(), r);
                }
            }
            return Map.copyOf(byName);
        }
    }

    /**
     * Stops delivering after waiting up to {@code drainTimeout} for the backlog to empty. Events still
     * pending stay in the journal for the next start (without a journal they are lost, and logged).
     */
    public void close(Duration drainTimeout) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        long deadline = clock.millis() + drainTimeout.toMillis();
        synchronized (lock) {
            while (running && (backlog.size() + statesOutstanding) > 0 && clock.millis() < deadline) {
                try {
                    lock.wait(Math.max(1, Math.min(100, deadline - clock.millis())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            running = false;
            lock.notifyAll();
        }
        if (sender != null) {
            try {
                sender.join(1_000);
                if (sender.isAlive()) {
                    sender.interrupt(); // e.g. blocked in an admin call while the broker is away
                }
                sender.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(2));
            runCompletions(); // acknowledgements that arrived while closing: record them in the journal
        }
        synchronized (lock) {
            backlog.truncateIfDrained(states.outstanding() > 0, true);
        }
        long left = pending();
        if (left > 0) {
            if (backlog.journaled()) {
                LOG.warnf("%d lifecycle events not yet published; they stay in the journal for the next start", left);
            } else {
                LOG.errorf("%d lifecycle events not published and no journal configured: they are lost", left);
            }
        }
        backlog.close();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    // ---------------------------------------------------------------- sender thread

    private void deliverLoop() {
        boolean topicsReady = !settings.createTopics();
        while (running) {
            try {
                if (!topicsReady) {
                    ensureTopics();
                    topicsReady = true;
                }
                if (!historyLoaded.isDone()) {
                    loadState();
                    historyLoaded.complete(null);
                }
                checkConnectivity();
                runCompletions();
                if (rebuildProducer
                        && clock.millis() - lastRebuildMillis
                                >= settings.retryBackoff().toMillis()) {
                    rebuildProducer = false;
                    lastRebuildMillis = clock.millis();
                    producer.close(Duration.ZERO); // aborts what is in flight: those events fail and are re-sent
                    producer = clients.newProducer();
                    runCompletions();
                }
                refillFromJournal();
                sendHeads();
                sendDirtyStates();
                statesOutstanding = states.outstanding();
                truncateJournalIfDrained();
                waitForWork(IDLE_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return; // closing: the call was interrupted on purpose
                }
                if (noAnswer(e)) {
                    contact.failed(e, pending()); // logged once, then at most once a minute
                    renewAdmin();
                } else {
                    LOG.warnf("event publisher: %s; retrying in %s", e.toString(), settings.retryBackoff());
                }
                waitOnClock(settings.retryBackoff());
            }
        }
    }

    /**
     * Sender thread: waits until {@code d} has passed on the injected clock (or the sink closes), waking every
     * {@link #IDLE_WAIT} to look at the clock, so a test's clock decides when the retry happens.
     */
    private void waitOnClock(Duration d) {
        long until = clock.millis() + d.toMillis();
        synchronized (lock) {
            while (running && clock.millis() < until) {
                try {
                    lock.wait(Math.max(1, Math.min(IDLE_WAIT.toMillis(), until - clock.millis())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * While nothing else has heard from Kafka for a while, asks the cluster for its id (asynchronously: the sender never
     * waits for it); the answer, or its absence within {@link KafkaClients#contactTimeout()}, feeds {@link KafkaContact}.
     */
    private void checkConnectivity() {
        if (check == null) {
            if (contact.checkDue()) {
                check = admin.describeCluster(new DescribeClusterOptions()
                                .timeoutMs((int) clients.contactTimeout().toMillis()))
                        .clusterId();
            }
            return;
        }
        if (!check.isDone()) {
            return;
        }
        try {
            check.get();
            contact.answered();
        } catch (ExecutionException e) {
            if (noAnswer(e.getCause())) {
                contact.failed(e.getCause(), pending());
                renewAdmin();
            } else {
                contact.answered(); // refused, e.g. not authorised: a broker did answer
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            check = null;
        }
    }

    /**
     * A new admin client after one got no answer: it starts again from the bootstrap servers, as a rebootstrap would
     * (brokers replaced under new addresses), at the pace of our attempts rather than in the client's tight loop.
     */
    private void renewAdmin() {
        check = null; // a check in flight on the old client fails with it
        admin.close(Duration.ZERO);
        admin = clients.newAdmin();
    }

    /** A failure that means no broker answered in time (as opposed to one that refused). */
    static boolean noAnswer(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RetriableException || t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private void waitForWork(Duration max) throws InterruptedException {
        synchronized (lock) {
            if (running && completions.isEmpty()) {
                lock.wait(max.toMillis());
            }
        }
    }

    private void runCompletions() {
        Runnable r;
        while ((r = completions.poll()) != null) {
            r.run();
        }
        List<Long> acked;
        synchronized (lock) {
            acked = backlog.takeAcknowledgements();
        }
        backlog.writeAcknowledgements(acked); // outside the lock: a write may wait for the group commit's fsync
    }

    private void sendHeads() {
        List<Pending> toSend = new ArrayList<>();
        long now = clock.millis();
        synchronized (lock) {
            Set<String> blocked = new HashSet<>();
            Set<String> heldForCreated = new HashSet<>();
            List<Pending> unneeded = new ArrayList<>();
            for (Pending p : backlog.inMemory()) {
                String key = p.event.key();
                // A server-created may pass the server-adopted held for it (see waitsForCreated); nothing else may.
                boolean passesHeldAdoption =
                        p.event.transition() == Transition.SERVER_CREATED && heldForCreated.remove(key);
                // Only the oldest pending event of a key may be in flight: that is what keeps per-server order.
                if ((blocked.contains(key) && !passesHeldAdoption) || p.inFlight || now < p.notBeforeMillis) {
                    blocked.add(key);
                    continue;
                }
                if (publishedBefore(p.event)) {
                    // Its id is in Kafka already (per the state topic): whatever this copy carries, it is not sent, so
                    // an id never denotes two contents (e.g. an emit before the state topic was read back, or a journal
                    // entry whose acknowledgement a crash lost).
                    unneeded.add(p);
                    states.settled(p.event.id());
                    suppressed.increment();
                    LOG.debugf("%s of %s was published before; not re-published", p.event.type(), p.event.subject());
                    continue;
                }
                if (waitsForCreated(p, now)) {
                    blocked.add(key);
                    heldForCreated.add(key);
                    continue;
                }
                blocked.add(key);
                p.inFlight = true;
                toSend.add(p);
            }
            unneeded.forEach(backlog::done);
        }
        for (int i = 0; i < toSend.size(); i++) {
            Pending p = toSend.get(i);
            boolean[] refusedAtOnce = {false};
            try {
                KafkaProducer<String, byte[]> via = producer;
                via.send(KafkaClients.toRecord(settings.topic(), p.event), (md, ex) -> {
                    if (ex != null && Thread.currentThread() == sender) {
                        refusedAtOnce[0] = true; // failed inside send(), e.g. no metadata within max.block.ms
                    }
                    completions.add(() -> onSent(p, md, ex, via));
                    wake();
                });
            } catch (KafkaException e) {
                sendFailures.increment();
                if (noAnswer(e)) {
                    contact.failed(e, pending()); // the one WARN of an outage, then at most one a minute
                } else {
                    refused(p, e);
                }
                synchronized (lock) {
                    p.inFlight = false;
                    p.notBeforeMillis = clock.millis() + settings.retryBackoff().toMillis();
                }
                refusedAtOnce[0] = true;
            }
            if (refusedAtOnce[0]) {
                // Typically metadata unavailable (broker down, topic missing): every further send would block as
                // long, so back off everything not yet handed over.
                synchronized (lock) {
                    for (int j = i + 1; j < toSend.size(); j++) {
                        toSend.get(j).inFlight = false;
                        toSend.get(j).notBeforeMillis =
                                clock.millis() + settings.retryBackoff().toMillis();
                    }
                }
                return;
            }
        }
    }

    private void onSent(Pending p, RecordMetadata md, Exception failure, KafkaProducer<String, byte[]> via) {
        if (failure != null) {
            sendFailures.increment();
            if (md != null && p.event.isServerEvent()) {
                states.uncertain(p.event.id(), md.partition()); // it may have landed: hold the checkpoint before it
            }
            if (failure instanceof RetriableException) {
                contact.failed(failure, pending()); // the one WARN of an outage, then at most one a minute
            } else if (via == producer) { // not the abort of a producer we already replaced
                // Not a transient outage (authorization, a fatal producer state, a refused record): never drop the
                // event; start over with a fresh producer, so that fixing the cause (e.g. an ACL) is enough.
                refused(p, failure);
            }
            synchronized (lock) {
                p.inFlight = false;
                p.notBeforeMillis = clock.millis() + settings.retryBackoff().toMillis();
            }
            return;
        }
        contact.answered(); // ends an outage: its one INFO
        synchronized (lock) {
            backlog.done(p);
            lock.notifyAll();
        }
        publishTimer.record(Math.max(0, clock.millis() - p.acceptedMillis), TimeUnit.MILLISECONDS);
        publishedCounter(p.event.transition().eventName()).increment();
        recordPublished(p.event, md.partition(), md.offset());
    }

    /** Kafka refused {@code p} (not an outage): kept, retried with a new producer, logged loud but not a flood. */
    private void refused(Pending p, Exception failure) {
        p.refusals++;
        if (Integer.bitCount(p.refusals) == 1) { // 1st, 2nd, 4th, 8th ... refusal
            LOG.errorf(
                    "Kafka refused %s of %s %d time(s) (%s); it is kept and retried with a new producer every %s",
                    p.event.type(), p.event.subject(), p.refusals, failure.toString(), settings.retryBackoff());
        }
        rebuildProducer = true;
    }

    /**
     * Sender thread: true when {@code event} is a once-only server transition (its id names cluster, server and
     * transition only) that Kafka already acknowledged, per the state read back or this run's acknowledgements.
     */
    private boolean publishedBefore(NodeCloudEvent event) {
        if (!event.isServerEvent()) {
            return false;
        }
        String clusterId = clusterIdOf(event);
        return states.has(stateKey(clusterId, event.subject()), event.transition())
                && event.id()
                        .equals(EventIds.forIdentity(clusterId + "/" + event.subject() + "/"
                                + event.transition().eventName()));
    }

    /**
     * Sender thread, under the lock: true for a {@code server-adopted} whose server's {@code server-created} Kafka does not
     * have yet, for at most {@link #ADOPTION_HOLD} since it was queued. After a crash that took Hetzner's answer to a
     * create, the restarted engine adopts the server before the reconciler publishes its missing {@code server-created};
     * holding the adoption lets that {@code server-created} pass it, so a server's life reads in order on the topic
     * (requested, created, adopted). Past the hold (no reconciliation, e.g. not the leader any more) it is sent anyway.
     */
    private boolean waitsForCreated(Pending p, long now) {
        return p.event.transition() == Transition.SERVER_ADOPTED
                && now - p.acceptedMillis < ADOPTION_HOLD.toMillis()
                && !states.has(stateKey(clusterIdOf(p.event), p.event.subject()), Transition.SERVER_CREATED);
    }

    /**
     * The cluster id from {@code ce_source} ({@code /talos-burst/<percent-encoded id>}): {@link #publishedBefore} runs
     * under the lock for every event sent, where parsing the JSON data would stall {@code emit}.
     */
    static String clusterIdOf(NodeCloudEvent event) {
        String prefix = "/talos-burst/";
        if (event.source().startsWith(prefix)) {
            return java.net.URLDecoder.decode(
                    event.source().substring(prefix.length()), java.nio.charset.StandardCharsets.UTF_8);
        }
        return event.parsedData().clusterId();
    }

    /**
     * Sender thread: {@code event} is in Kafka (at {@code offset} of event-topic {@code partition}; -1 when unknown);
     * update its server's published state and schedule the state record.
     */
    private void recordPublished(NodeCloudEvent event, int partition, long offset) {
        if (!event.isServerEvent()) {
            states.seen(partition, offset + 1);
            return;
        }
        NodeEventData data = event.parsedData();
        String key = stateKey(data.clusterId(), event.subject());
        RecordedServer now = states.acknowledged(key, event, data, partition, offset);
        if (now.finished()) {
            synchronized (lock) {
                RecordedServer r = recorded.get(key);
                if (r != null && r.transitions().equals(now.transitions())) { // nothing else of it is queued
                    recorded.remove(key);
                }
            }
        }
    }

    private void sendDirtyStates() {
        KafkaProducer<String, byte[]> via = producer;
        states.writeDue(
                via,
                sender,
                done -> {
                    completions.add(() -> {
                        if (done.getAsBoolean()) {
                            contact.answered();
                        }
                    });
                    wake();
                },
                () -> via == producer);
    }

    private void refillFromJournal() {
        Backlog.RefillPlan plan;
        synchronized (lock) {
            plan = backlog.planRefill();
        }
        if (plan == null) {
            return;
        }
        EventJournal.Chunk chunk = backlog.read(plan); // outside the lock: emit goes on meanwhile
        synchronized (lock) {
            backlog.applyRefill(plan, chunk);
        }
    }

    private void truncateJournalIfDrained() {
        synchronized (lock) {
            backlog.truncateIfDrained(states.outstanding() > 0, false);
        }
    }

    private void ensureTopics() {
        clients.createTopics(admin);
        contact.answered();
    }

    private void loadState() {
        int count = states.read(() -> running, contact::answered);
        // Events Kafka has whose state records a lost process never wrote (its journal may be gone: another replica, a
        // new pod): folded as if acknowledged now, so their ids are suppressed rather than sent with other content.
        int tail = states.readTail(clusterId, () -> running, (p, o, e) -> recordPublished(e, p, o));
        for (NodeCloudEvent e : acknowledgedBeforeStart) {
            // re-writes state records a crash may have lost; a no-op change when they landed
            recordPublished(e, -1, -1);
        }
        acknowledgedBeforeStart = List.of();
        synchronized (lock) {
            for (RecordedServer s : states.servers()) {
                recorded.merge(stateKey(s.clusterId(), s.name()), s, RecordedServer::union);
            }
        }
        LOG.debugf(
                "read %d state records of %d servers from %s and %d events after the checkpoints of %s",
                count, states.servers().size(), settings.stateTopic(), tail, settings.topic());
    }

    private void record(NodeCloudEvent ce) {
        if (ce.isServerEvent()) {
            NodeEventData data = ce.parsedData();
            String key = stateKey(data.clusterId(), ce.subject());
            recorded.put(key, RecordedServer.after(recorded.get(key), ce.subject(), ce.transition(), data));
        }
    }

    /**
     * Key of a server in the state topic and in memory: {@code <cluster-id>/<server-name>}, so that clusters
     * sharing topics never overwrite each other's state (the event topic is keyed by server name alone).
     */
    static String stateKey(String clusterId, String serverName) {
        return clusterId + "/" + serverName;
    }

    private void wake() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }
}
