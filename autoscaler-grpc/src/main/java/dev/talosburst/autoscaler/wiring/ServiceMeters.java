package dev.talosburst.autoscaler.wiring;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Qualifier;
import jakarta.inject.Singleton;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The registry talos-burst's own meters go to: the Prometheus registry that {@code /q/metrics} serves, directly.
 * Quarkus adds that registry to the global (composite) one only after the start-up event, and what the start-up sync
 * records on a composite meter before then (servers adopted or reaped, Hetzner requests and their durations) is lost.
 */
public class ServiceMeters {

    /** Marks the injection of talos-burst's own registry. */
    @Qualifier
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD})
    public @interface Own {}

    @Produces
    @Singleton
    @Own
    MeterRegistry own(PrometheusMeterRegistry prometheus) {
        return prometheus;
    }
}
