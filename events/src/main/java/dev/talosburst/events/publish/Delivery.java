package dev.talosburst.events.publish;

import dev.talosburst.events.model.NodeCloudEvent;
import dev.talosburst.events.publish.Backlog.Pending;
import dev.talosburst.provisioner.lifecycle.Transition;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

/**
 * Event delivery over the idempotent producer it owns (sender thread): picks what to send, hands it to the producer,
 * and takes the outcomes. Several events of a record key (a server) may be in flight at once, in emit order, up to
 * {@link #MAX_IN_FLIGHT_PER_KEY}: the producer ({@code enable.idempotence}, {@code acks=all}, at most 5 requests in
 * flight, no delivery timeout of its own) keeps them in order within the partition. On any failure (a refusal, or the
 * producer replaced or closed) every unacknowledged event of the key is sent again from the first one, in order, on a
 * new producer; no event of a key is sent while an event of it is still in flight on an older producer or behind one
 * that failed. Why the topic then holds each server's first occurrences in order: events/README.md, "Delivery guarantees".
 */
final class Delivery {

    private static final Logger LOG = Logger.getLogger(KafkaEventSink.class);
    /** Events of one key handed to the producer and not yet acknowledged, at most. */
    static final int MAX_IN_FLIGHT_PER_KEY = 16;
    /** Events handed to the producer and not yet acknowledged, at most: bounds its buffer (≈ 1 KB each). */
    static final int MAX_IN_FLIGHT = 4_096;

    /** One send's outcome, as the producer reported it; {@code atOnce}: failed inside {@code send()}, not handed over. */
    private record Outcome(
            Pending p, RecordMetadata md, Exception failure, Object via, boolean atOnce, long atMillis) {}

    /** Sender thread: an acknowledged event, at {@code offset} of event-topic {@code partition}. */
    interface Acknowledged {
        void accept(NodeCloudEvent event, int partition, long offset);
    }

    private final EventPublisherSettings settings;
    private final KafkaClients clients;
    private final SinkQueue queue;
    private final SendRules rules;
    private final KafkaContact contact;
    private final SinkMeters meters;
    private final Clock clock;
    /** Wakes the sender thread (called from the producer's thread). */
    private final Runnable wake;
    /** Sender thread: an acknowledged event, to record in the state store. */
    private final Acknowledged acknowledged;

    private final StateStore states;

    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private volatile KafkaProducer<String, byte[]> producer;
    private boolean rebuildProducer;
    private long lastRebuildMillis;
    private volatile boolean closed;
    /** False while the history must be read again (a promotion): nothing is decided on the old one. */
    private final java.util.function.BooleanSupplier historyCurrent;
    /** Events handed to the producer without an outcome yet. Guarded by the queue's lock. */
    private int inFlight;

    private Thread sender;

    Delivery(
            EventPublisherSettings settings,
            KafkaClients clients,
            SinkQueue queue,
            StateStore states,
            KafkaContact contact,
            SinkMeters meters,
            Clock clock,
            Runnable wake,
            Acknowledged acknowledged,
            java.util.function.BooleanSupplier historyCurrent) {
        this.settings = settings;
        this.clients = clients;
        this.queue = queue;
        this.rules = new SendRules(states);
        this.states = states;
        this.contact = contact;
        this.meters = meters;
        this.clock = clock;
        this.wake = wake;
        this.acknowledged = acknowledged;
        this.historyCurrent = historyCurrent;
    }

    /** Opens the producer; {@code senderThread} is the only thread that sends. */
    void open(Thread senderThread) {
        this.sender = senderThread;
        producer = clients.newProducer();
    }

    /** The current producer (state records go through it too). */
    KafkaProducer<String, byte[]> producer() {
        return producer;
    }

    boolean hasOutcomes() {
        return !outcomes.isEmpty();
    }

    /**
     * Replaces the producer when a failure asked for it (at most once per {@code retryBackoff}): the old one is closed at
     * once, which fails what it still holds; those events are sent again, in order, on the new one.
     */
    void rebuildIfAsked() {
        if (!rebuildProducer
                || clock.millis() - lastRebuildMillis < settings.retryBackoff().toMillis()) {
            return;
        }
        lastRebuildMillis = clock.millis();
        KafkaProducer<String, byte[]> old = producer;
        producer =
                clients.newProducer(); // may throw (e.g. a bootstrap name that does not resolve): asked again next time
        rebuildProducer = false;
        old.close(Duration.ZERO);
    }

    /** Hands every event that may go now to the producer (see the class comment for the rules). */
    void sendDue() {
        KafkaProducer<String, byte[]> via = producer;
        long now = clock.millis();
        List<Pending> toSend = new ArrayList<>();
        queue.parseAdmitted(); // outside the lock
        synchronized (queue.lock) {
            queue.lookedAtTakenIn();
            queue.admit();
            if (!historyCurrent.getAsBoolean()) {
                return; // under the lock: an event emitted after the promotion began is seen only with this check
            }
            Collection<Pending> memory = queue.backlog.inMemory();
            Set<String> blocked = keysToHold(memory, via);
            Map<String, Integer> inFlightOfKey = new HashMap<>();
            Set<String> heldForCreated = new HashSet<>();
            List<Pending> unneeded = new ArrayList<>();
            for (Pending p : memory) {
                if (inFlight >= MAX_IN_FLIGHT) {
                    break;
                }
                String key = p.event.key();
                if (p.inFlight) {
                    inFlightOfKey.merge(key, 1, Integer::sum);
                    continue;
                }
                // A server-created may pass the server-adopted held for it (see SendRules#waitsForCreated); nothing
                // else may.
                boolean passesHeldAdoption =
                        p.event.transition() == Transition.SERVER_CREATED && heldForCreated.remove(key);
                if ((blocked.contains(key) && !passesHeldAdoption)
                        || now < p.notBeforeMillis
                        || inFlightOfKey.getOrDefault(key, 0) >= MAX_IN_FLIGHT_PER_KEY) {
                    blocked.add(key); // nothing later of this key may go before it
                    continue;
                }
                if (rules.publishedBefore(p.event)) {
                    // Its id is in Kafka already (per the state topic): whatever this copy carries, it is not sent, so
                    // an id never denotes two contents (e.g. an emit before the state topic was read back, or a journal
                    // entry whose acknowledgement a crash lost).
                    unneeded.add(p);
                    states.settled(p.event.id());
                    meters.suppressed.increment();
                    LOG.debugf("%s of %s was published before; not re-published", p.event.type(), p.event.subject());
                    continue;
                }
                if (rules.waitsForCreated(p, now)) {
                    blocked.add(key);
                    heldForCreated.add(key);
                    continue;
                }
                p.inFlight = true;
                p.via = via;
                inFlight++;
                inFlightOfKey.merge(key, 1, Integer::sum);
                toSend.add(p);
            }
            unneeded.forEach(queue::done);
        }
        for (int i = 0; i < toSend.size(); i++) {
            if (!hand(toSend.get(i), via)) {
                // Failed inside send() (typically no metadata within max.block.ms: broker down, topic missing): every
                // further send would block as long, so back off everything not yet handed over.
                release(toSend.subList(i + 1, toSend.size()));
                return;
            }
        }
    }

    /**
     * Keys none of whose waiting events may be sent now: one still in flight on a replaced producer (its outcome comes
     * with the old producer's abort), or one in flight behind an event of the key that is not (a failure in between):
     * sending would let a later event pass an earlier one.
     */
    private static Set<String> keysToHold(Collection<Pending> memory, Object current) {
        Set<String> waiting = new HashSet<>();
        Set<String> hold = new HashSet<>();
        for (Pending p : memory) {
            String key = p.event.key();
            if (!p.inFlight) {
                waiting.add(key);
            } else if (p.via != current || waiting.contains(key)) {
                hold.add(key);
            }
        }
        return hold;
    }

    /** Hands {@code p} to {@code via}; false when that failed at once (nothing was handed over). */
    private boolean hand(Pending p, KafkaProducer<String, byte[]> via) {
        AtomicBoolean reported = new AtomicBoolean();
        boolean[] failedAtOnce = {false};
        try {
            via.send(KafkaClients.toRecord(settings.topic(), p.event), (md, ex) -> {
                if (!reported.compareAndSet(false, true)) {
                    return;
                }
                boolean atOnce = ex != null && Thread.currentThread() == sender;
                failedAtOnce[0] = atOnce;
                outcomes.add(new Outcome(p, md, ex, via, atOnce, clock.millis()));
                if (!atOnce) {
                    wake.run();
                }
            });
        } catch (RuntimeException e) { // e.g. a KafkaException, or a partitioner's or serializer's own exception
            if (reported.compareAndSet(false, true)) {
                outcomes.add(new Outcome(p, null, e, via, true, clock.millis()));
            }
            failedAtOnce[0] = true;
        }
        return !failedAtOnce[0];
    }

    private void release(List<Pending> notHanded) {
        if (notHanded.isEmpty()) {
            return;
        }
        synchronized (queue.lock) {
            long notBefore = clock.millis() + settings.retryBackoff().toMillis();
            for (Pending p : notHanded) {
                p.inFlight = false;
                p.notBeforeMillis = notBefore;
                inFlight--;
            }
        }
    }

    /** Sender thread: takes the outcomes reported since the last call. */
    void complete() {
        List<Outcome> done = new ArrayList<>();
        for (Outcome o; (o = outcomes.poll()) != null; ) {
            done.add(o);
        }
        if (done.isEmpty()) {
            return;
        }
        synchronized (queue.lock) {
            long notBefore = clock.millis() + settings.retryBackoff().toMillis();
            for (Outcome o : done) {
                inFlight--;
                o.p.inFlight = false;
                if (o.failure == null) {
                    queue.done(o.p);
                } else {
                    o.p.notBeforeMillis = notBefore;
                }
            }
        }
        for (Outcome o : done) {
            if (o.failure == null) {
                contact.answered(); // ends an outage: its one INFO
                meters.published(o.p.event.transition().eventName(), o.atMillis - o.p.acceptedMillis);
                acknowledged.accept(o.p.event, o.md.partition(), o.md.offset());
            } else {
                failed(o);
            }
        }
    }

    private void failed(Outcome o) {
        meters.sendFailures.increment();
        if (o.md != null && o.p.event.isServerEvent()) {
            states.uncertain(o.p.event.id(), o.md.partition()); // it may have landed: hold the checkpoint before it
        }
        if (closed || o.via != producer) {
            return; // aborted with a producer the sink replaced or closed: re-sent in order on the next one
        }
        if (ConnectivityCheck.noAnswer(o.failure)) {
            contact.failed(o.failure, queue.size()); // the one WARN of an outage, then at most one a minute
            if (!o.atOnce) {
                rebuildProducer = true; // the producer gave up on a record (a delivery.timeout.ms override)
            }
        } else {
            refused(o.p, o.failure);
        }
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

    /** Closes the producer (waiting up to {@code timeout} for what it holds); its failures are not refusals any more. */
    void close(Duration timeout) {
        closed = true;
        KafkaProducer<String, byte[]> p = producer;
        if (p != null) {
            p.close(timeout);
        }
    }
}
