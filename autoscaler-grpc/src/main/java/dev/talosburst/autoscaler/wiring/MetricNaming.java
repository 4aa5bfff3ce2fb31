package dev.talosburst.autoscaler.wiring;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Set;

/**
 * Keeps {@code /q/metrics} clean for {@code promtool check metrics}: library meters whose names break Prometheus
 * conventions are dropped, and meters without a description get one (Prometheus wants HELP on every family).
 */
public class MetricNaming {

    /** {@code process_cpu_time_ns_total} (abbreviated unit) and {@code system_cpu_count} (a gauge named like a count). */
    static final Set<String> DROPPED = Set.of("process.cpu.time", "system.cpu.count");

    @Produces
    @Singleton
    MeterFilter dropUnconventionalNames() {
        return MeterFilter.deny(id -> DROPPED.contains(id.getName()));
    }

    @Produces
    @Singleton
    MeterFilter describeUndescribed() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                // only gauges (the Netty allocator's): rebuilding the id of a histogram would drop its synthetic
                // meters' link
                if (id.getType() != Meter.Type.GAUGE
                        || (id.getDescription() != null && !id.getDescription().isBlank())) {
                    return id;
                }
                return new Meter.Id(
                        id.getName(),
                        Tags.of(id.getTags()),
                        id.getBaseUnit(),
                        id.getName().replace('.', ' '),
                        id.getType());
            }
        };
    }
}
