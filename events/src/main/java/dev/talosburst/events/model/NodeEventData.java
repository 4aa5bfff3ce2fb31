package dev.talosburst.events.model;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent.HourlyPrice;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent.ServerFacts;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * The JSON {@code data} of a node lifecycle CloudEvent, schema {@code schemas/node-lifecycle-v1.schema.json}.
 * Absent values are omitted, never written as null. Amounts are decimal strings (no binary floating point).
 *
 * @param event the transition's kebab-case name, e.g. {@code server-created} (also in {@code ce_type})
 * @param occurredAt when the transition happened (also {@code ce_time})
 * @param server the server, absent for pool-level events
 * @param scale delta and new target of scale-up/scale-down requests
 * @param error Hetzner error code and class of a failed creation
 * @param billing lifetime and billed amount, on events that carry both creation and deletion times
 * @param details any other transition-specific facts the engine supplied
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record NodeEventData(
        String event,
        String clusterId,
        String pool,
        Instant occurredAt,
        Server server,
        String reason,
        Scale scale,
        Failure error,
        Billing billing,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> details) {

    /** A Hetzner server as billing sees it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Server(
            Long id,
            String name,
            String type,
            String location,
            String architecture,
            Long imageId,
            Map<String, String> labels,
            Price price,
            Phases phases) {

        static Server of(Long id, ServerFacts facts) {
            HourlyPrice p = facts.price();
            return new Server(id, facts.name(), facts.serverType(), facts.location(), facts.architecture(),
                    facts.imageId(), facts.labels(),
                    p == null ? null : new Price(p.net(), p.gross(), p.currency()),
                    new Phases(facts.createRequestedAt(), facts.createdAt(), facts.runningAt(),
                            facts.registeredAt(), facts.readyAt(), facts.deletedAt()));
        }

        /** Back to the domain's facts (used when reconciling from the last published state). */
        public ServerFacts toFacts() {
            Phases ph = phases == null ? new Phases(null, null, null, null, null, null) : phases;
            return new ServerFacts(name, type, location, architecture, imageId, labels,
                    price == null ? null : new HourlyPrice(price.hourlyNet(), price.hourlyGross(), price.currency()),
                    ph.createRequestedAt(), ph.createdAt(), ph.runningAt(), ph.registeredAt(), ph.readyAt(),
                    ph.deletedAt());
        }
    }

    /** Hourly price in the server's location, captured at creation. */
    public record Price(
            @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal hourlyNet,
            @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal hourlyGross,
            String currency) {
    }

    /** When each phase of the server's life was reached; absent until reached. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Phases(
            Instant createRequestedAt,
            Instant createdAt,
            Instant runningAt,
            Instant registeredAt,
            Instant readyAt,
            Instant deletedAt) {
    }

    /**
     * A pool's scale request.
     *
     * @param delta nodes added (scale-up) or removed (scale-down; the engine's {@code count})
     * @param previousTarget the target size before, when known
     * @param newTarget the target size after
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Scale(Integer delta, Integer previousTarget, Integer newTarget) {
    }

    /** Why a creation failed: Hetzner's error code and the instance error class reported to cluster-autoscaler. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Failure(String code, String errorClass) {
    }

    /** What the server's life cost under {@link dev.talosburst.events.billing.HourlyBilling}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Billing(
            String rule,
            long lifetimeSeconds,
            long billableHours,
            @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal amountNet,
            @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal amountGross,
            String currency) {
    }
}
