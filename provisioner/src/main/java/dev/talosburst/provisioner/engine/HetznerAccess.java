package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.cloud.CloudApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Tracks whether Hetzner answers, spaces out attempts while it does not (exponential back-off on the injected clock)
 * and says so once at the start of an outage, then at most once a minute while it lasts, and once when it ends.
 */
final class HetznerAccess {
    private static final Logger LOG = Logger.getLogger(HetznerAccess.class);
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration LONGEST_RETRY = Duration.ofMinutes(1);
    static final Duration REPEAT_LOG = Duration.ofMinutes(1);

    /** The configuration key and environment variable of the token, for every message about a refused token. */
    static final String TOKEN_OPTION = "talosburst.hcloud.token (environment variable TALOSBURST_HCLOUD_TOKEN)";

    private final Clock clock;
    private HetznerStatus status = new HetznerStatus(HetznerStatus.State.CONNECTING, "not asked yet", null, List.of());
    private Duration backoff = Duration.ZERO;
    private Instant nextAttemptAt;
    private Instant lastLoggedAt;
    private int failures;

    HetznerAccess(Clock clock) {
        this.clock = clock;
    }

    synchronized HetznerStatus status() {
        return status;
    }

    /** Whether the back-off allows another attempt now. */
    synchronized boolean due(Instant now) {
        return status.state() != HetznerStatus.State.CONFIGURATION_INVALID
                && (nextAttemptAt == null || !now.isBefore(nextAttemptAt));
    }

    synchronized void succeeded() {
        HetznerStatus.State before = status.state();
        if (before == HetznerStatus.State.UNREACHABLE || before == HetznerStatus.State.UNAUTHORIZED) {
            LOG.infof(
                    "Hetzner Cloud API answers again (after %d failed attempt(s) since %s)", failures, status.since());
        }
        if (before != HetznerStatus.State.READY) {
            status = new HetznerStatus(HetznerStatus.State.READY, "", clock.instant(), List.of());
        }
        backoff = Duration.ZERO;
        nextAttemptAt = null;
        lastLoggedAt = null;
        failures = 0;
    }

    /**
     * The pools do not fit the catalogue: final, nothing is retried. Not logged here: the application reports it as its
     * configuration error block (one message, not two).
     */
    synchronized void rejected(List<String> problems) {
        status = new HetznerStatus(
                HetznerStatus.State.CONFIGURATION_INVALID,
                problems.size() + " pool configuration problem(s) against the Hetzner catalogue: "
                        + String.join("; ", problems),
                clock.instant(),
                problems);
        LOG.debugf("pool configuration rejected: %s", problems);
    }

    /**
     * A request failed: classifies it, backs off, and logs unless it already did within the last minute.
     *
     * @param duringStartupCheck true before the pools were ever checked: a refused token is then a configuration error
     *     the application reports (and stops on) itself, so it is not logged here as well
     */
    synchronized void failed(RuntimeException failure, boolean duringStartupCheck) {
        Instant now = clock.instant();
        failures++;
        backoff = backoff.isZero() ? FIRST_RETRY : min(backoff.multipliedBy(2), LONGEST_RETRY);
        nextAttemptAt = now.plus(backoff);
        boolean unauthorized = unauthorized(failure);
        HetznerStatus.State state = unauthorized ? HetznerStatus.State.UNAUTHORIZED : HetznerStatus.State.UNREACHABLE;
        String reason = unauthorized
                ? "Hetzner refused the API token (" + describe(failure) + "); set " + TOKEN_OPTION
                        + " to a valid read/write API token of the project (Hetzner console > Security > API tokens)"
                : "Hetzner Cloud API did not answer: " + failure.getMessage()
                        + "; check talosburst.hcloud.endpoint and the network";
        boolean changed = status.state() != state;
        status = new HetznerStatus(state, reason, changed ? now : status.since(), List.of());
        if (unauthorized && duringStartupCheck) {
            LOG.debug(reason);
        } else if (changed || lastLoggedAt == null || !now.isBefore(lastLoggedAt.plus(REPEAT_LOG))) {
            lastLoggedAt = now;
            String text = reason + "; not ready, retrying in " + backoff.toSeconds() + " s (attempt " + failures
                    + (changed ? "" : ", failing since " + status.since()) + ")";
            if (unauthorized) {
                LOG.error(text);
            } else {
                LOG.warn(text);
            }
        }
    }

    static boolean unauthorized(RuntimeException failure) {
        return failure instanceof CloudApiException e
                && (e.httpStatus() == 401
                        || e.httpStatus() == 403
                        || "unauthorized".equals(e.code())
                        || "forbidden".equals(e.code())
                        || "token_readonly".equals(e.code()));
    }

    private static String describe(RuntimeException failure) {
        CloudApiException e = (CloudApiException) failure;
        return "HTTP " + e.httpStatus() + " " + e.code();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
