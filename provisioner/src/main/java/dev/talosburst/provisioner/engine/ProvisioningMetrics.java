package dev.talosburst.provisioner.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;

/**
 * Provisioning timings and anomalies: {@code talosburst_node_provisioning_seconds{pool,phase}} measures
 * create-requested → server running → Node registered → Node Ready.
 */
final class ProvisioningMetrics {
    private final MeterRegistry registry;

    ProvisioningMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Records the time from the create request to {@code phase}; nothing when the start is unknown (adopted servers). */
    void phaseReached(String pool, String phase, Instant createRequestedAt, Instant at) {
        if (createRequestedAt == null || at == null || at.isBefore(createRequestedAt)) {
            return;
        }
        Timer.builder("talosburst.node.provisioning")
                .description("Time from the create request until a provisioning phase was reached")
                .tag("pool", pool)
                .tag("phase", phase)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofSeconds(1))
                .maximumExpectedValue(Duration.ofMinutes(30))
                .register(registry)
                .record(Duration.between(createRequestedAt, at));
    }

    /** A Node of ours carries a providerID other than its server's. */
    void providerIdMismatch(String pool) {
        Counter.builder("talosburst.node.providerid.mismatch").description("Nodes of ours whose providerID names another server")
                .tag("pool", pool).register(registry).increment();
    }

    /** A server was (or, in dry-run, would have been) reaped. */
    void reaped(String pool, String reason, boolean dryRun) {
        Counter.builder("talosburst.servers.reaped").description("Servers deleted by the reaper (dry_run=true: only reported)")
                .tag("pool", pool).tag("reason", reason).tag("dry_run", Boolean.toString(dryRun)).register(registry).increment();
    }

    /** A creation failed. */
    void createFailed(String pool, String code, String errorClass) {
        Counter.builder("talosburst.server.create.failures").description("Failed server creations by Hetzner error code")
                .tag("pool", pool).tag("code", code).tag("class", errorClass).register(registry).increment();
    }
}
