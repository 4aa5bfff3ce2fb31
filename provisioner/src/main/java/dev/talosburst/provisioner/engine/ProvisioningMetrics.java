package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.lifecycle.Transition;
import dev.talosburst.provisioner.nodegroup.InstanceView.ErrorClass;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * The engine's meters (names as Prometheus shows them: {@code talosburst_*}). Labels are pools, phases, reasons and
 * classes only, never a server: cardinality is bounded by the configuration. Every counter and histogram of a
 * configured pool exists from start-up with value 0, so rates and alerts work before the first event.
 */
final class ProvisioningMetrics {
    /** Provisioning phases, in order; each is measured from the create request. */
    static final List<String> PHASES = List.of("server_created", "server_running", "node_registered", "node_ready");
    /** Why the reaper deletes a server (the {@code reason} label). */
    static final List<String> REAP_REASONS =
            List.of("not_registered", "stuck", "unknown_pool", "abandoned", "failed_create");

    // Hetzner servers take ~10 s to be created and 30-120 s to become Ready nodes; 30 min is the reaper's default.
    private static final Duration[] PROVISIONING_BUCKETS = {
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(20),
        Duration.ofSeconds(30),
        Duration.ofSeconds(45),
        Duration.ofSeconds(60),
        Duration.ofSeconds(90),
        Duration.ofMinutes(2),
        Duration.ofMinutes(3),
        Duration.ofMinutes(5),
        Duration.ofMinutes(10),
        Duration.ofMinutes(15),
        Duration.ofMinutes(30)
    };

    private final MeterRegistry registry;

    ProvisioningMetrics(MeterRegistry registry, Collection<String> pools) {
        this.registry = registry;
        for (String pool : pools) {
            PHASES.forEach(phase -> provisioning(pool, phase));
            for (ErrorClass errorClass : ErrorClass.values()) {
                createFailures(pool, errorClass.name());
            }
            for (String reason : REAP_REASONS) {
                reapedCounter(pool, reason, true);
                reapedCounter(pool, reason, false);
            }
            for (Transition transition : Transition.values()) {
                transitions(pool, transition);
            }
            outOfResourcesCounter(pool);
            mismatchCounter(pool);
        }
    }

    /** Registers the per-pool gauges read from {@code view} (lock-free, weakly consistent) and the leadership gauge. */
    void watch(FleetView view, BooleanSupplier leader) {
        for (String pool : view.pools().stream().map(p -> p.id()).toList()) {
            poolGauge(
                    "talosburst.nodegroup.target.size",
                    "Servers wanted: live servers plus pending creations",
                    pool,
                    () -> view.targetSize(pool));
            poolGauge(
                    "talosburst.nodegroup.servers",
                    "Hetzner servers that exist (provisioning or running), not being deleted",
                    pool,
                    () -> view.liveCount(pool));
            poolGauge(
                    "talosburst.nodegroup.ready.nodes",
                    "Servers whose Kubernetes Node is Ready",
                    pool,
                    () -> count(view, pool, s -> s.isLive() && s.nodeReady()));
            poolGauge(
                    "talosburst.nodegroup.creations.in.flight",
                    "Requested servers that do not exist yet (queued or being created)",
                    pool,
                    () -> count(view, pool, s -> s.phase() == Slot.Phase.PENDING || s.phase() == Slot.Phase.CREATING));
            poolGauge(
                    "talosburst.nodegroup.cost.euros.per.hour",
                    "Hourly net price (EUR, excl. VAT) of the pool's live servers",
                    pool,
                    () -> cost(view, pool));
        }
        Gauge.builder("talosburst.engine.leader", () -> leader.getAsBoolean() ? 1 : 0)
                .description("1 while this replica acts (creates, deletes, reaps); 0 on a follower")
                .register(registry);
    }

    private void poolGauge(String name, String help, String pool, java.util.function.Supplier<Number> value) {
        // no lock: a scrape must never hold the view lock CA's commands wait for; what a gauge reads of a slot is
        // volatile
        Gauge.builder(name, value).description(help).tag("pool", pool).register(registry);
    }

    private static int count(FleetView view, String pool, Predicate<Slot> which) {
        return (int) view.slots(pool).stream().filter(which).count();
    }

    private static double cost(FleetView view, String pool) {
        BigDecimal sum = BigDecimal.ZERO;
        for (Slot slot : view.slots(pool)) {
            var price = slot.price();
            if (slot.isLive() && price != null && price.net() != null) {
                sum = sum.add(price.net());
            }
        }
        return sum.doubleValue();
    }

    /** Records the time from the create request to {@code phase}; nothing when the start is unknown (adopted servers). */
    void phaseReached(String pool, String phase, Instant createRequestedAt, Instant at) {
        if (createRequestedAt == null || at == null || at.isBefore(createRequestedAt)) {
            return;
        }
        provisioning(pool, phase).record(Duration.between(createRequestedAt, at));
    }

    private Timer provisioning(String pool, String phase) {
        return Timer.builder("talosburst.node.provisioning")
                .description("Time from the create request until a provisioning phase was reached")
                .tag("pool", pool)
                .tag("phase", phase)
                .serviceLevelObjectives(PROVISIONING_BUCKETS)
                .register(registry);
    }

    /** A lifecycle transition was recorded (created, deleted, registered, ...). */
    void transition(String pool, Transition transition) {
        transitions(pool, transition).increment();
    }

    private Counter transitions(String pool, Transition transition) {
        return Counter.builder("talosburst.lifecycle.transitions")
                .description(
                        "Lifecycle transitions of servers and pools (the events published to Kafka), by pool and transition")
                .tag("pool", pool)
                .tag("transition", transition.eventName())
                .register(registry);
    }

    /** A Node of ours carries a providerID other than its server's. */
    void providerIdMismatch(String pool) {
        mismatchCounter(pool).increment();
    }

    private Counter mismatchCounter(String pool) {
        return Counter.builder("talosburst.node.providerid.mismatch")
                .description("Nodes of ours whose providerID names another server")
                .tag("pool", pool)
                .register(registry);
    }

    /** A server was (or, in dry-run, would have been) reaped. */
    void reaped(String pool, String reason, boolean dryRun) {
        reapedCounter(pool, reason, dryRun).increment();
    }

    private Counter reapedCounter(String pool, String reason, boolean dryRun) {
        return Counter.builder("talosburst.servers.reaped")
                .description("Servers deleted by the reaper (dry_run=true: only reported)")
                .tag("pool", pool)
                .tag("reason", reason)
                .tag("dry_run", Boolean.toString(dryRun))
                .register(registry);
    }

    /** A creation failed ({@code errorClass}: OUT_OF_RESOURCES or OTHER; the Hetzner code is in the log and the event). */
    void createFailed(String pool, String errorClass) {
        createFailures(pool, errorClass).increment();
    }

    private Counter createFailures(String pool, String errorClass) {
        return Counter.builder("talosburst.server.create.failures")
                .description("Failed server creations by error class")
                .tag("pool", pool)
                .tag("class", errorClass)
                .register(registry);
    }

    /** Hetzner reported the pool's server type out of stock or over quota; creations fail fast for a while. */
    void outOfResources(String pool) {
        outOfResourcesCounter(pool).increment();
    }

    private Counter outOfResourcesCounter(String pool) {
        return Counter.builder("talosburst.out.of.resources.backoffs")
                .description(
                        "Back-offs started because Hetzner had no capacity or quota for the pool's server type and location")
                .tag("pool", pool)
                .register(registry);
    }
}
