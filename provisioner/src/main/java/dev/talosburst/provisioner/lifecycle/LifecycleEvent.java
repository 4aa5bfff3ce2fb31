package dev.talosburst.provisioner.lifecycle;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One lifecycle transition, with everything billing and audit need. Never holds a secret.
 *
 * @param subject the server name for server transitions, the pool id for pool-level ones
 * @param occurrence distinguishes repeats of a transition that can legitimately happen more than once
 *                   for the same subject (e.g. node-not-ready, or the n-th scale-up of a pool); empty for
 *                   once-only transitions. Together with cluster, subject and transition it is the event's identity.
 * @param at when the transition happened
 * @param serverId null before Hetzner assigned one
 * @param server facts about the server, null for pool-level transitions
 * @param reason human-readable why (reaping, failure, scale-down), may be null
 * @param details transition-specific facts (e.g. {@code delta}, {@code newTarget}, {@code errorCode}, {@code errorClass})
 */
public record LifecycleEvent(
        Transition transition,
        String clusterId,
        String pool,
        String subject,
        String occurrence,
        Instant at,
        Long serverId,
        ServerFacts server,
        String reason,
        Map<String, String> details) {

    public LifecycleEvent {
        Objects.requireNonNull(transition, "transition");
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(at, "at");
        occurrence = occurrence == null ? "" : occurrence;
        details = Map.copyOf(details == null ? Map.of() : details);
    }

    /** The stable identity of this event: equal for a re-emission of the same transition. */
    public String identity() {
        return clusterId + "/" + subject + "/" + transition.eventName()
                + (occurrence.isEmpty() ? "" : "/" + occurrence);
    }

    /**
     * What billing needs to know about a server, captured at creation and carried on every event.
     *
     * @param architecture {@code amd64} or {@code arm64}
     * @param labels the Hetzner labels talos-burst put on the server
     * @param price hourly price in the server's location at creation, null if unknown
     * @param createRequestedAt .. deletedAt: phase times, null until reached
     */
    public record ServerFacts(
            String name,
            String serverType,
            String location,
            String architecture,
            Long imageId,
            Map<String, String> labels,
            HourlyPrice price,
            Instant createRequestedAt,
            Instant createdAt,
            Instant runningAt,
            Instant registeredAt,
            Instant readyAt,
            Instant deletedAt) {

        public ServerFacts {
            labels = Map.copyOf(labels == null ? Map.of() : labels);
        }
    }

    /**
     * Hetzner's price for a server type in a location: billed per started hour, never more than the monthly
     * price in one month.
     *
     * @param monthlyNet the monthly cap (net), null if unknown
     * @param monthlyGross the monthly cap (gross), null if unknown
     */
    public record HourlyPrice(
            BigDecimal net, BigDecimal gross, String currency, BigDecimal monthlyNet, BigDecimal monthlyGross) {

        /** A price without a known monthly cap. */
        public HourlyPrice(BigDecimal net, BigDecimal gross, String currency) {
            this(net, gross, currency, null, null);
        }
    }
}
