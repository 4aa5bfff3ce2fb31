package dev.talosburst.provisioner.engine;

import java.time.Instant;
import java.util.List;

/**
 * Whether the engine can work with Hetzner, and why not: what readiness reports and start-up acts on.
 *
 * @param reason one line for operators (never the token); empty when {@link State#READY}
 * @param since when the current state began (null before the first attempt)
 * @param startupProblems the pools' configuration problems found against the catalogue ({@link State#CONFIGURATION_INVALID})
 */
public record HetznerStatus(State state, String reason, Instant since, List<String> startupProblems) {

    /** The states, in the order an operator fixes them. */
    public enum State {
        /** Not asked yet. */
        CONNECTING,
        /** The catalogue check passed and the last request answered. */
        READY,
        /** No answer (network, timeout, 5xx): retried with back-off. */
        UNREACHABLE,
        /** Hetzner refused the token (401/403): talosburst.hcloud.token must be fixed. */
        UNAUTHORIZED,
        /** The pools do not fit the project's catalogue: the configuration must be fixed. */
        CONFIGURATION_INVALID
    }

    public HetznerStatus {
        startupProblems = List.copyOf(startupProblems == null ? List.of() : startupProblems);
        reason = reason == null ? "" : reason;
    }
}
