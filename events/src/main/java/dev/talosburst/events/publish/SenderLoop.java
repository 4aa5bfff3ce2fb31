package dev.talosburst.events.publish;

import static dev.talosburst.events.publish.KafkaEventSink.stateKey;

import dev.talosburst.events.model.NodeCloudEvent;
import dev.talosburst.events.model.NodeEventData;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
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
    /** How often the thread looks for events handed over while events are flowing (real time: a CPU/latency knob). */
    static final Duration POLL = Duration.ofMillis(1);
    /** How long after the last event the thread goes on looking every {@link #POLL} before it sleeps until woken. */
    static final Duration ACTIVE_WINDOW = Duration.ofSeconds(1);
    /** How often the leader looks for events other processes published, while it is not behind. */
    private static final Duration TAIL_POLL = Duration.ofMillis(200);

    private final EventPublisherSettings settings;
    private final SinkQueue queue;
    /** The queue's lock. */
    private final Object lock;

    private final Backlog backlog;
    /** What Kafka acknowledged per server, and its state topic (this thread only). */
    private final StateStore states;

    private final KafkaContact contact;
    private final ConnectivityCheck checks;
    private final Delivery delivery;
    private final Clock clock;
    /** Outcomes of state records, to run on this thread. */
    private final ConcurrentLinkedQueue<Runnable> completions = new ConcurrentLinkedQueue<>();

    /** Guards {@link #leading}, {@link #term} and {@link #history}. */
    private final Object role = new Object();
    /** Whether this replica acts: only then are state records and checkpoints written and the tail followed. */
    private boolean leading = true;
    /** Incremented by each promotion: the history must be read again (another replica published meanwhile). */
    private volatile long term = 1;
    /** Completes once the history of the current term is read. */
    private CompletableFuture<Void> history = new CompletableFuture<>();
    /** The term whose history was read last (written by the sender thread; 0: none yet). */
    private volatile long loadedTerm;
    /** When the leader next reads the event topic's tail; it reads again at once while it is behind. */
    private long nextTailPollMillis;

    private boolean tailBehind;
    private long lastTailWarnMillis = Long.MIN_VALUE / 2;
    /** Events of a previous run that Kafka acknowledged but whose state records may never have been written. */
    private List<NodeCloudEvent> acknowledgedBeforeStart;
    /** The cluster whose events are folded from the event topic's tail at start; null: no tail read. */
    private final String clusterId;

    private volatile boolean running;
    /** Looks for events every {@link #POLL} while they flow, sleeps until woken after {@link #ACTIVE_WINDOW}. */
    private final PollWhileBusy idle = new PollWhileBusy(POLL, ACTIVE_WINDOW);
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
        this.backlog = queue.backlog;
        this.states = states;
        this.contact = contact;
        this.clock = clock;
        this.acknowledgedBeforeStart = acknowledgedBeforeStart;
        this.clusterId = clusterId;
        this.clients = clients;
        this.checks = new ConnectivityCheck(clients, contact, queue::size);
        this.delivery = new Delivery(
                settings,
                clients,
                queue,
                states,
                contact,
                meters,
                clock,
                this::wake,
                this::recordPublished,
                this::historyCurrent);
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

    /** Completes once the history (state topic and tail) of the current term was read back. */
    CompletableFuture<Void> historyLoaded() {
        synchronized (role) {
            return history;
        }
    }

    /**
     * This replica is about to act: before anything else is sent, the history is read back again (the leader of the
     * meantime published and recorded events this process has not seen); then it writes state records and checkpoints
     * and follows the event topic's tail.
     */
    void lead() {
        synchronized (role) {
            if (leading) {
                return;
            }
            leading = true;
            term++;
            if (history.isDone()) {
                history = new CompletableFuture<>(); // else the pending read serves this term too
            }
        }
        wake();
    }

    /** This replica stops acting: it writes no state record or checkpoint any more and stops following the tail. */
    void follow() {
        synchronized (role) {
            leading = false;
        }
        wake();
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
     * Waits up to {@code drainTimeout} of real time for every event and state record to be acknowledged, then stops the
     * thread and closes the clients; outcomes that arrive while closing are still recorded in the journal. Real time, not
     * the injected clock: the drain spends the process's shutdown budget (a pod's grace period), and a clock that does
     * not move (a test's) must not make a close wait for ever.
     */
    void stop(Duration drainTimeout) {
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        while (running && queue.size() + statesOutstanding > 0 && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(Math.max(1, Math.min(10, (deadline - System.nanoTime()) / 1_000_000)));
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
            if (!thread.isAlive()) {
                states.close(); // its consumer is the sender thread's
            }
            delivery.close(Duration.ofSeconds(2));
            stateProducer.close(Duration.ofSeconds(2));
            runCompletions(); // acknowledgements that arrived while closing: record them in the journal
        }
        queue.truncateIfDrained(states.outstanding() > 0, true);
    }

    private void deliverLoop() {
        boolean topicsReady = !settings.createTopics();
        while (running) {
            try {
                if (!topicsReady) {
                    checks.ensureTopics();
                    topicsReady = true;
                }
                takeRole();
                checks.poll();
                runCompletions();
                delivery.rebuildIfAsked();
                refillFromJournal();
                delivery.sendDue();
                followTail();
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

    /**
     * Reads the history when this term has not (start, promotion: nothing is sent before), or stops writing shared state
     * once demoted.
     */
    private void takeRole() {
        long want;
        boolean lead;
        CompletableFuture<Void> loaded;
        synchronized (role) {
            want = term;
            lead = leading;
            loaded = history;
        }
        if (loadedTerm != want) {
            if (loadedTerm != 0) {
                states.reset();
                LOG.infof(
                        "taking the lead: reading %s and %s back before publishing",
                        settings.stateTopic(), settings.topic());
            }
            // Without a cluster id there is no tail for a leader to learn a standby's events from: it writes them
            // itself.
            states.writing(lead || clusterId == null);
            loadState();
            loadedTerm = want;
            synchronized (role) {
                if (term == want) {
                    loaded.complete(null); // else promoted during the read: the next read answers this future
                }
            }
        } else if (!lead && clusterId != null && states.writing()) {
            states.writing(false);
        }
    }

    /**
     * True when the history read is that of the current term: the delivery sends nothing while a promotion's re-read is
     * due (checked under the queue's lock, so an event emitted after {@link #lead()} is never decided on the old one).
     */
    boolean historyCurrent() {
        return loadedTerm == term;
    }

    /** The leader folds what other processes published (a demoted leader's late outcome) into its state records. */
    private void followTail() {
        if (clusterId == null || !states.writing()) {
            tailBehind = false;
            return;
        }
        long now = clock.millis();
        if (tailBehind || now >= nextTailPollMillis) {
            nextTailPollMillis = now + TAIL_POLL.toMillis();
            try {
                tailBehind = states.pollTail(clusterId, () -> running, this::foldFromTail) > 0;
            } catch (RuntimeException e) {
                // The consumer reconnects by itself; the state records of this process's own events go on meanwhile.
                tailBehind = false;
                if (now - lastTailWarnMillis >= Duration.ofMinutes(1).toMillis()) {
                    lastTailWarnMillis = now;
                    LOG.warnf("reading the event topic %s failed (%s); retrying", settings.topic(), e.toString());
                }
            }
        }
    }

    /** An event of this cluster that another process published: recorded as if acknowledged now. */
    private void foldFromTail(int partition, long offset, NodeCloudEvent event) {
        NodeEventData data = event.parsedData();
        String key = stateKey(data.clusterId(), event.subject());
        queue.learned(key, states.acknowledged(key, event, data, partition, offset));
    }

    /**
     * Sleeps until there is work (an event handed over, an outcome) or {@link #IDLE_WAIT} passed; decisions are taken on
     * the clock. While events came within {@link #ACTIVE_WINDOW} it looks for new ones every {@link #POLL} instead of
     * being woken by {@code emit}: a thread woken from {@code emit} preempts the caller, which cost {@code emit} its p99
     * (1-3 ms instead of 0.1 ms on two cores). Only a sender asleep for longer is woken by {@code emit}
     * ({@link #wakeIfAsleep}).
     */
    private void waitForWork() {
        idle.await(
                () -> !running || !completions.isEmpty() || delivery.hasOutcomes() || tailBehind || queue.hasAdmitted(),
                queue::lastOfferNanos,
                IDLE_WAIT.toNanos());
    }

    /** From {@code emit}: wakes the thread only if it sleeps for long ({@link #waitForWork}); lock-free. */
    void wakeIfAsleep() {
        idle.wakeIfAsleep();
    }

    /**
     * Waits until {@code d} has passed on the injected clock (or the sink closes), waking every {@link #IDLE_WAIT} to
     * look at it, so a test's clock decides when the retry happens.
     */
    private void waitOnClock(Duration d) {
        long until = clock.millis() + d.toMillis();
        while (running && clock.millis() < until && !Thread.currentThread().isInterrupted()) {
            queue.admitNow(); // what emit hands over meanwhile reaches the backlog (and the journal-only spill)
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
            return; // the tail reader passes it
        }
        NodeEventData data = event.parsedData();
        String key = stateKey(data.clusterId(), event.subject());
        if (states.readByTail(partition, offset)) {
            states.settled(event.id()); // the tail reader got there first and recorded it: once is enough
        } else {
            states.acknowledged(key, event, data, partition, offset);
        }
        queue.forgetIfFinished(key);
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
            plan = backlog.planRefill(); // reads no journal line past the last event taken in (one may be in the inbox)
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
        queue.truncateIfDrained(states.outstanding() > 0, false);
    }

    private void loadState() {
        int count = states.read(() -> running, contact::answered);
        // Events Kafka has whose state records a lost process never wrote (its journal may be gone: another replica, a
        // new pod): folded as if acknowledged now, so their ids are suppressed rather than sent with other content.
        int tail = states.readTail(clusterId, () -> running, (p, o, e) -> recordPublished(e, p, o));
        // Events of the journal Kafka acknowledged whose state records a crash may have lost: folded (written only by a
        // leader), except what the state records read already reflect — a server finished since must not come back.
        for (NodeCloudEvent e : acknowledgedBeforeStart) {
            if (!states.reflects(e)) {
                recordPublished(e, -1, -1);
            }
        }
        if (states.writing() || states.tailWorks()) {
            acknowledgedBeforeStart = List.of(); // a standby's: the leader's tail records them
        } // else (the tail refused) kept for the first term in which this process writes state records
        queue.rebuildRecorded(states.servers());
        LOG.debugf(
                "read %d state records of %d servers from %s and %d events after the checkpoints of %s",
                count, states.servers().size(), settings.stateTopic(), tail, settings.topic());
    }
}
