package dev.talosburst.events.publish;

import java.time.Clock;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Whether the publisher reaches Kafka: when a broker last answered (an acknowledged event or state record, the topic
 * set-up, the state read-back, a connectivity check), the outage while none does ({@link Outage}: one WARN naming
 * {@code talosburst.events.bootstrap-servers}, then at most one a minute, INFO when Kafka answers again), and the
 * readiness rule: unreachable once an attempt failed and no broker has answered for {@code unreachableAfter}.
 *
 * <p>The one owner of "Kafka is unreachable" reports: the connectivity check, failed event sends and failed state
 * writes all feed it, so an outage gives one WARN, one reminder a minute and one INFO whatever is going on.
 *
 * <p>Mutated by the publisher thread; {@link #unreachable()} may be read from any thread.
 */
final class KafkaContact {

    private static final Logger LOG = Logger.getLogger(KafkaEventSink.class);
    /** Upper bound of the gap between connectivity checks while nothing else talks to Kafka. */
    private static final Duration MAX_CHECK_INTERVAL = Duration.ofMinutes(1);

    private final String bootstrapServers;
    private final Duration unreachableAfter;
    private final Clock clock;
    private final Outage outage;
    private volatile long lastAnswerMillis;
    /** Answers so far: lets a failure tell whether any broker answered since its attempt began. */
    private long answers;
    /** Failed attempts so far (sends, state writes, connectivity checks). */
    private final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();

    KafkaContact(String bootstrapServers, Duration unreachableAfter, Clock clock) {
        this.bootstrapServers = bootstrapServers;
        this.unreachableAfter = unreachableAfter;
        this.clock = clock;
        this.outage = new Outage(LOG, clock);
        this.lastAnswerMillis = clock.millis();
    }

    /** A broker answered. */
    void answered() {
        lastAnswerMillis = clock.millis();
        answers++;
        outage.ended((lasted, attempts) -> String.format(
                "Kafka at %s answers again, after %s without an answer (%d failed attempts)",
                bootstrapServers, lasted, attempts));
    }

    /** An attempt to reach Kafka failed for want of an answer ({@code pending} = events waiting to be published). */
    void failed(Throwable cause, long pending) {
        failures.incrementAndGet();
        outage.failed(
                () -> String.format(
                        "cannot reach Kafka at %s (talosburst.events.bootstrap-servers): %s. Lifecycle events"
                                + " wait (%d now) and are retried; readiness check lifecycle-events goes DOWN after %s without an answer."
                                + " Check talosburst.events.bootstrap-servers and that the brokers are reachable from here",
                        bootstrapServers, describe(cause), pending, unreachableAfter),
                (lasting, attempts) -> String.format(
                        "still cannot reach Kafka at %s (talosburst.events.bootstrap-servers) after %s"
                                + " (%d failed attempts; last: %s); %d lifecycle events wait",
                        bootstrapServers, lasting, attempts, describe(cause), pending));
    }

    /** Failed attempts to reach Kafka so far. */
    long failures() {
        return failures.get();
    }

    /** Number of answers so far; compare with {@link #answeredSince}. */
    long answers() {
        return answers;
    }

    /** Whether a broker answered after {@link #answers()} returned {@code mark}. */
    boolean answeredSince(long mark) {
        return answers != mark;
    }

    /** Whether an outage is going on (an attempt failed for want of an answer, none answered since). */
    boolean outageKnown() {
        return outage.ongoing();
    }

    /** Whether to check connectivity now: nothing answered for a third of {@code unreachableAfter} (at most a minute). */
    boolean checkDue() {
        long interval = Math.max(500, Math.min(MAX_CHECK_INTERVAL.toMillis(), unreachableAfter.toMillis() / 3));
        return clock.millis() - lastAnswerMillis >= interval;
    }

    /** The readiness rule: an attempt failed, and no broker has answered for {@code unreachableAfter}. */
    boolean unreachable() {
        return outage.ongoing() && clock.millis() - lastAnswerMillis >= unreachableAfter.toMillis();
    }

    /** Seconds since a broker last answered. */
    long silentForSeconds() {
        return Math.max(0, clock.millis() - lastAnswerMillis) / 1000;
    }

    /** The innermost cause, which says what went wrong (e.g. "TimeoutException: Timed out waiting for a node assignment"). */
    private static String describe(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
