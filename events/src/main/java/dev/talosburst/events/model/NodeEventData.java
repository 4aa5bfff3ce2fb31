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

    /**
     * A Hetzner server as billing sees it.
     *
     * @param providerId {@code hcloud://<id>}, the Kubernetes Node's {@code spec.providerID}, once the id is known
     * @param name the server name, which is also the Kubernetes Node name
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Server(
            Long id,
            String providerId,
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
            return new Server(
                    id,
                    providerIdOf(id),
                    facts.name(),
                    facts.serverType(),
                    facts.location(),
                    facts.architecture(),
                    facts.imageId(),
                    facts.labels(),
                    Price.of(p),
                    new Phases(
                            facts.createRequestedAt(),
                            facts.createdAt(),
                            facts.runningAt(),
                            facts.registeredAt(),
                            facts.readyAt(),
                            facts.deletedAt()));
        }

        /** {@code hcloud://<id>}, or null before Hetzner assigned an id. */
        public static String providerIdOf(Long id) {
            return id == null ? null : "hcloud://" + id;
        }

        /** Back to the domain's facts (used when reconciling from the last published state). */
        public ServerFacts toFacts() {
            Phases ph = phases == null ? new Phases(null, null, null, null, null, null) : phases;
            return new ServerFacts(
                    name,
                    type,
                    location,
                    architecture,
                    imageId,
                    labels,
                    price == null ? null : price.toHourlyPrice(),
                    ph.createRequestedAt(),
                    ph.createdAt(),
                    ph.runningAt(),
                    ph.registeredAt(),
                    ph.readyAt(),
                    ph.deletedAt());
        }
    }

    /**
     * Price in the server's location, captured at creation.
     *
     * @param monthlyNet Hetzner's monthly price (the cap per calendar month), net; absent when unknown (events
     *                   written before it was carried)
     * @param monthlyGross the same, gross
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Price(
            @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal hourlyNet,
            @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal hourlyGross,
            String currency,
            @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal monthlyNet,
            @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal monthlyGross) {

        /** A price without the monthly cap. */
        public Price(BigDecimal hourlyNet, BigDecimal hourlyGross, String currency) {
            this(hourlyNet, hourlyGross, currency, null, null);
        }

        static Price of(HourlyPrice p) {
            return p == null ? null : new Price(p.net(), p.gross(), p.currency(), p.monthlyNet(), p.monthlyGross());
        }

        /** Back to the domain's price. */
        public HourlyPrice toHourlyPrice() {
            return new HourlyPrice(hourlyNet, hourlyGross, currency, monthlyNet, monthlyGross);
        }

        /** As billing applies it (capped per month when the monthly price is known). */
        public HourlyBilling.Rate rate() {
            return new HourlyBilling.Rate(hourlyNet, hourlyGross, monthlyNet, monthlyGross);
        }
    }

    /** When each phase of the server's life was reached; absent until reached. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Phases(
            Instant createRequestedAt,
            Instant createdAt,
            Instant runningAt,
            Instant registeredAt,
            Instant readyAt,
            Instant deletedAt) {}

    /**
     * A pool's scale request.
     *
     * @param delta nodes added (scale-up) or removed (scale-down; the engine's {@code count})
     * @param previousTarget the target size before, when known
     * @param newTarget the target size after
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Scale(Integer delta, Integer previousTarget, Integer newTarget) {}

    /** Why a creation failed: Hetzner's error code and the instance error class reported to cluster-autoscaler. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Failure(String code, String errorClass) {}

    /**
     * What the server's life cost under {@link HourlyBilling}.
     *
     * @param rule {@link HourlyBilling#RULE_MONTHLY_CAP} when the price carries the monthly cap, else {@link HourlyBilling#RULE}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Billing(
            String rule,
            long lifetimeSeconds,
            long billableHours,
            @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal amountNet,
            @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal amountGross,
            String currency) {}
}
