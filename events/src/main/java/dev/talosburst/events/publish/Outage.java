package dev.talosburst.events.publish;

import java.time.Clock;
import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * A run of failures of one kind and its log cadence: WARN at the first failure, then at most once per
 * {@link #WARN_INTERVAL} while it lasts (also across outages that end and start again), INFO when a warned outage
 * ends — loud enough to be seen, never a flood. Failures already reported elsewhere are recorded quietly (DEBUG).
 *
 * <p>Mutated by one thread (the publisher's); {@link #failingForMillis} may be read from any thread.
 */
final class Outage {

    static final Duration WARN_INTERVAL = Duration.ofMinutes(1);

    private final Logger log;
    private final Clock clock;
    /** Clock millis of the first failure of the current outage; -1 while there is none. */
    private volatile long sinceMillis = -1;

    private long lastWarnMillis;
    /** Whether any WARN was logged yet (so that {@link #lastWarnMillis} bounds the next one). */
    private boolean everWarned;
    /** Whether the current outage logged a WARN (only then does its end deserve an INFO). */
    private boolean warned;

    private long failedAttempts;

    Outage(Logger log, Clock clock) {
        this.log = log;
        this.clock = clock;
    }

    /**
     * One more failed attempt. Logs {@code first} when it opens the outage, otherwise {@code ongoing} (given how long
     * the outage lasts and how many attempts failed) if the last WARN is {@link #WARN_INTERVAL} old.
     */
    void failed(Supplier<String> first, BiFunction<Duration, Long, String> ongoing) {
        long now = clock.millis();
        open(now);
        boolean due = !everWarned || now - lastWarnMillis >= WARN_INTERVAL.toMillis();
        if (!warned) {
            if (!due) { // flapping: it ended and started again within a minute of the last WARN
                log.debug(first.get());
                return;
            }
            warned = true;
            everWarned = true;
            lastWarnMillis = now;
            log.warn(first.get());
        } else if (due) {
            lastWarnMillis = now;
            log.warn(ongoing.apply(Duration.ofMillis(now - sinceMillis), failedAttempts));
        }
    }

    /** One more failed attempt that another owner reports (e.g. Kafka unreachable): counted, logged at DEBUG only. */
    void failedQuietly(Supplier<String> what) {
        open(clock.millis());
        log.debug(what.get());
    }

    private void open(long now) {
        failedAttempts++;
        if (sinceMillis < 0) {
            sinceMillis = now;
        }
    }

    /**
     * The failures are over: logs {@code ended} (how long they lasted, failed attempts) at INFO if they were warned
     * about, at DEBUG if not; nothing if there were none.
     */
    void ended(BiFunction<Duration, Long, String> ended) {
        if (sinceMillis >= 0) {
            String message = ended.apply(Duration.ofMillis(Math.max(0, clock.millis() - sinceMillis)), failedAttempts);
            if (warned) {
                log.info(message);
            } else {
                log.debug(message);
            }
            sinceMillis = -1;
            failedAttempts = 0;
            warned = false;
        }
    }

    /** Whether failures are going on (one failed since the last success). */
    boolean ongoing() {
        return sinceMillis >= 0;
    }

    /** How long the failures have been going on, 0 when there are none. */
    long failingForMillis() {
        long since = sinceMillis;
        return since < 0 ? 0 : Math.max(0, clock.millis() - since);
    }
}
