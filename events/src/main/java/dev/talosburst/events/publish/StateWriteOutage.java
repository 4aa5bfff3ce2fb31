package dev.talosburst.events.publish;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * A run of failing writes to the compacted state topic: when each server's state record may be retried
 * (exponential backoff from {@code base} up to {@code cap}), how long the failures have lasted, and the log
 * cadence ({@link Outage}: WARN on the first failure, then at most once a minute, INFO when writes succeed again).
 * A write that got no answer from any broker is a Kafka outage, reported by {@link KafkaContact} alone (this logs it
 * at DEBUG); so is every failure while that outage lasts. Only a state-topic failure while brokers answer (e.g. no
 * Write ACL, a record too large) gets the WARNs here.
 *
 * <p>Mutated by the publisher thread only; {@link #failingForMillis} may be read from any thread. A state record is
 * never given up: it is only ever delayed.
 */
final class StateWriteOutage {

    private static final Logger LOG = Logger.getLogger(KafkaEventSink.class);
    static final String FAILURES_METRIC = "talosburst.events.state.write.failures";

    private final String topic;
    private final long baseMillis;
    private final long capMillis;
    private final Clock clock;
    private final MeterRegistry registry;
    /** Servers whose last state-record write failed: failures in a row and earliest next attempt. */
    private final Map<String, Retry> retries = new HashMap<>();

    private final Outage outage;
    private final KafkaContact contact;
    private final LongSupplier pendingEvents;

    private static final class Retry {
        int failures;
        long notBeforeMillis;
    }

    StateWriteOutage(
            String topic,
            Duration base,
            Duration cap,
            Clock clock,
            MeterRegistry registry,
            KafkaContact contact,
            LongSupplier pendingEvents) {
        this.contact = contact;
        this.pendingEvents = pendingEvents;
        this.topic = topic;
        this.baseMillis = Math.max(1, base.toMillis());
        this.capMillis = Math.max(baseMillis, cap.toMillis());
        this.clock = clock;
        this.registry = registry;
        this.outage = new Outage(LOG, clock);
    }

    /** To be taken when a write is attempted and handed to {@link #failed}: did any broker answer meanwhile? */
    long answersMark() {
        return contact.answers();
    }

    /** Whether the state record of {@code key} may be sent at {@code nowMillis} (not backing off). */
    boolean mayAttempt(String key, long nowMillis) {
        Retry r = retries.get(key);
        return r == null || nowMillis >= r.notBeforeMillis;
    }

    /**
     * The write of {@code key}'s state record failed: counts it, schedules its retry no sooner than
     * {@code minDelayMillis} and logs if due. {@code waiting} = state records not yet written; {@code answersMark} =
     * {@link KafkaContact#answers()} when the write was attempted.
     */
    void failed(String key, Throwable error, long minDelayMillis, int waiting, long answersMark) {
        long now = clock.millis();
        Retry r = retries.computeIfAbsent(key, k -> new Retry());
        r.failures++;
        r.notBeforeMillis = now + Math.max(minDelayMillis, backoffMillis(baseMillis, capMillis, r.failures));
        registry.counter(FAILURES_METRIC, "error", error.getClass().getSimpleName())
                .increment();
        if (ConnectivityCheck.noAnswer(error) && !contact.answeredSince(answersMark)) {
            contact.failed(error, pendingEvents.getAsLong()); // Kafka is unreachable: KafkaContact's WARN, not ours
        }
        if (contact.outageKnown()) {
            outage.failedQuietly(() -> String.format(
                    "cannot write server state records to %s while Kafka is unreachable (%s); %d wait",
                    topic, error, waiting));
            return;
        }
        // Kafka's exception class and message name the cause (ACL, size limit, missing topic) and never carry values.
        outage.failed(
                () -> String.format(
                        "cannot write server state records to %s (%s: %s); %d wait and are retried with backoff"
                                + " from %s up to %s. Lifecycle events are still published; the journal keeps them until their state records are"
                                + " written. Check the producer's Write ACL and the configuration of %s",
                        topic,
                        error.getClass().getName(),
                        error.getMessage(),
                        waiting,
                        Duration.ofMillis(baseMillis),
                        Duration.ofMillis(capMillis),
                        topic),
                (lasting, attempts) -> String.format(
                        "still cannot write server state records to %s after %s (%d failed attempts;"
                                + " last: %s: %s); %d wait",
                        topic, lasting, attempts, error.getClass().getName(), error.getMessage(), waiting));
    }

    /** The state record of {@code key} was written; ends the outage once no server's record is failing. */
    void succeeded(String key) {
        retries.remove(key);
        if (retries.isEmpty()) {
            outage.ended((lasted, attempts) -> String.format(
                    "server state records are written to %s again, after %s of failures" + " (%d failed attempts)",
                    topic, lasted, attempts));
        }
    }

    /** How long state-record writes have been failing, 0 while they succeed. */
    long failingForMillis() {
        return outage.failingForMillis();
    }

    /** Delay before attempt {@code failures + 1}: {@code base × 2^(failures-1)}, at most {@code cap}. */
    static long backoffMillis(long baseMillis, long capMillis, int failures) {
        int doublings = Math.min(Math.max(0, failures - 1), 62);
        long delay = baseMillis;
        for (int i = 0; i < doublings && delay < capMillis; i++) {
            delay *= 2;
        }
        return Math.min(delay, capMillis);
    }
}
