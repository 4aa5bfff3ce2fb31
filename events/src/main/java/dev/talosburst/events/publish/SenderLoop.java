package dev.talosburst.events.publish;

import static dev.talosburst.events.publish.KafkaEventSink.stateKey;

import dev.talosburst.events.model.NodeCloudEvent;
import dev.talosburst.events.model.NodeEventData;
import dev.talosburst.events.reconcile.RecordedServer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.jboss.logging.Logger;

/**
 * The one background thread of the sink: sets up the topics, reads the state topic back, then loops — connectivity
 * check, outcomes of sends, producer replacement, journal refill, event sends ({@link Delivery}), state records
 * ({@link StateStore}), journal truncation — and sleeps until there is work. Every retry and backoff is timed on the
 * injected {@link Clock}; the thread wakes at least every {@link #IDLE_WAIT} to look at it.
 */
final class SenderLoop {

    private static final Logger LOG = Logger.getLogger(KafkaEventSink.class);
    private static final Duration IDLE_WAIT = Duration.ofMillis(100);

    private final EventPublisherSettings settings;
    private final SinkQueue queue;
    /** The queue's lock and recorded servers, under the names {@link #loadState} uses. */
    private final Object lock;

    private final Map<String, RecordedServer> recorded;
    private final Backlog backlog;
    /** What Kafka acknowledged per server, and its state topic (this thread only). */
    private final StateStore states;

    private final KafkaContact contact;
    private final ConnectivityCheck checks;
    private final Delivery delivery;
    private final Clock clock;
    /** Outcomes of state records, to run on this thread. */
    private final ConcurrentLinkedQueue<Runnable> completions = new ConcurrentLinkedQueue<>();

    private final CompletableFuture<Void> historyLoaded = new CompletableFuture<>();
    /** Events of a previous run that Kafka acknowledged but whose state records may never have been written. */
    private List<NodeCloudEvent> acknowledgedBeforeStart;
    /** The cluster whose events are folded from the event topic's tail at start; null: no tail read. */
    private final String clusterId;

    private volatile boolean running;
    /** State records not yet acknowledged (written by this thread, read by close and a gauge). */
    private volatile int statesOutstanding;

    private Thread thread;
    /** State records and checkpoints go through their own producer ({@link KafkaClients#newStateProducer}). */
    private KafkaProducer<String, byte[]> stateProducer;

    private final KafkaClients clients;

    SenderLoop(
            EventPublisherSettings settings,
            KafkaClients clients,
            SinkQueue queue,
            StateStore states,
            KafkaContact contact,
            SinkMeters meters,
            Clock clock,
            List<NodeCloudEvent> acknowledgedBeforeStart,
            String clusterId) {
        this.settings = settings;
        this.queue = queue;
        this.lock = queue.lock;
        this.recorded = queue.recorded;
        this.backlog = queue.backlog;
        this.states = states;
        this.contact = contact;
        this.clock = clock;
        this.acknowledgedBeforeStart = acknowledgedBeforeStart;
        this.clusterId = clusterId;
        this.clients = clients;
        this.checks = new ConnectivityCheck(clients, contact, queue::size);
        this.delivery = new Delivery(
                settings, clients, queue, states, contact, meters, clock, this::wake, this::recordPublished);
    }

    /** Opens the clients and starts the thread. */
    void start() {
        running = true;
        thread = new Thread(this::deliverLoop, "talos-burst-event-publisher");
        thread.setDaemon(true);
        delivery.open(thread);
        stateProducer = clients.newStateProducer();
        checks.open();
        thread.start();
    }

    /** Completes once the state topic was read back. */
    CompletableFuture<Void> historyLoaded() {
        return historyLoaded;
    }

    int statesOutstanding() {
        return statesOutstanding;
    }

    /** Wakes the thread: new events, or outcomes to take. Lock-free, so {@code emit} and the producer never wait. */
    void wake() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Waits up to {@code drainTimeout} (on the clock) for every event and state record to be acknowledged, then stops the
     * thread and closes the clients; outcomes that arrive while closing are still recorded in the journal.
     */
    void stop(Duration drainTimeout) {
        long deadline = clock.millis() + drainTimeout.toMillis();
        while (running && queue.size() + statesOutstanding > 0 && clock.millis() < deadline) {
            try {
                Thread.sleep(Math.max(1, Math.min(10, deadline - clock.millis())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        running = false;
        if (thread != null) {
            wake();
            try {
                thread.join(1_000);
                if (thread.isAlive()) {
                    thread.interrupt(); // e.g. blocked in an admin call while the broker is away
                }
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            checks.close();
            delivery.close(Duration.ofSeconds(2));
            stateProducer.close(Duration.ofSeconds(2));
            runCompletions(); // acknowledgements that arrived while closing: record them in the journal
        }
        synchronized (lock) {
            backlog.truncateIfDrained(states.outstanding() > 0, true);
        }
    }

    private void deliverLoop() {
        boolean topicsReady = !settings.createTopics();
        while (running) {
            try {
                if (!topicsReady) {
                    checks.ensureTopics();
                    topicsReady = true;
                }
                if (!historyLoaded.isDone()) {
                    loadState();
                    historyLoaded.complete(null);
                }
                checks.poll();
                runCompletions();
                delivery.rebuildIfAsked();
                refillFromJournal();
                delivery.sendDue();
                sendDirtyStates();
                statesOutstanding = states.outstanding();
                truncateJournalIfDrained();
                waitForWork();
            } catch (RuntimeException e) {
                if (!running) {
                    return; // closing: the call was interrupted on purpose
                }
                if (ConnectivityCheck.noAnswer(e)) {
                    checks.failed(e); // logged once, then at most once a minute
                } else {
                    LOG.warnf("event publisher: %s; retrying in %s", e.toString(), settings.retryBackoff());
                }
                waitOnClock(settings.retryBackoff());
            }
        }
    }

    /** Sleeps until woken (an emit, an outcome) or {@link #IDLE_WAIT} passed; decisions are taken on the clock. */
    private void waitForWork() {
        if (running && completions.isEmpty() && !delivery.hasOutcomes()) {
            LockSupport.parkNanos(IDLE_WAIT.toNanos());
        }
    }

    /**
     * Waits until {@code d} has passed on the injected clock (or the sink closes), waking every {@link #IDLE_WAIT} to
     * look at it, so a test's clock decides when the retry happens.
     */
    private void waitOnClock(Duration d) {
        long until = clock.millis() + d.toMillis();
        while (running && clock.millis() < until && !Thread.currentThread().isInterrupted()) {
            LockSupport.parkNanos(
                    TimeUnit.MILLISECONDS.toNanos(Math.max(1, Math.min(IDLE_WAIT.toMillis(), until - clock.millis()))));
        }
    }

    private void runCompletions() {
        delivery.complete();
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

    /**
     * {@code event} is in Kafka (at {@code offset} of event-topic {@code partition}; -1 when unknown); update its server's
     * published state and schedule the state record.
     */
    private void recordPublished(NodeCloudEvent event, int partition, long offset) {
        if (!event.isServerEvent()) {
            states.seen(partition, offset + 1);
            return;
        }
        NodeEventData data = event.parsedData();
        String key = stateKey(data.clusterId(), event.subject());
        queue.forgetIfFinished(key, states.acknowledged(key, event, data, partition, offset));
    }

    private void sendDirtyStates() {
        states.writeDue(
                stateProducer,
                thread,
                done -> {
                    completions.add(() -> {
                        if (done.getAsBoolean()) {
                            contact.answered();
                        }
                    });
                    wake();
                },
                () -> true); // never replaced: its failures always count
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
}
