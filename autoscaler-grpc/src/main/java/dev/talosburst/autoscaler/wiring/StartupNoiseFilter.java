package dev.talosburst.autoscaler.wiring;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * Drops two Quarkus warnings that are wrong for talos-burst, so a normal start prints only what an operator needs:
 * "build time property cannot be changed at runtime" when every property it lists is a
 * {@code quarkus.kubernetes-client.*} connection option (the client reads them when it is created, so they do take
 * effect), the advice against insecure requests with client-auth required, which is how the loopback-only
 * plaintext mode is built, and Micrometer's "MeterFilter configured after a Meter was registered": talos-burst
 * registers its meters on the Prometheus registry during start-up on purpose ({@link ServiceMeters}), and the filters
 * Quarkus configures afterwards ({@link MetricNaming}'s) do not apply to them. Any other build-time
 * mismatch still warns.
 */
@LoggingFilter(name = "talos-burst-noise")
public final class StartupNoiseFilter implements Filter {

    private static final String BUILD_TIME = "io.quarkus.runtime.configuration.ConfigRecorder";
    private static final String HTTP_OPTIONS = "io.quarkus.vertx.http.runtime.options.HttpServerOptionsUtils";
    private static final String PROMETHEUS = "io.micrometer.prometheus.PrometheusMeterRegistry";

    @Override
    public boolean isLoggable(LogRecord record) {
        String message = record.getMessage();
        if (message == null) {
            return true;
        }
        if (BUILD_TIME.equals(record.getLoggerName())
                && message.startsWith("Build time property cannot be changed at runtime")) {
            return !message.lines()
                    .skip(1)
                    .filter(l -> !l.isBlank())
                    .allMatch(l -> l.startsWith(" - quarkus.kubernetes-client."));
        }
        if (PROMETHEUS.equals(record.getLoggerName())
                && message.startsWith(
                        "A MeterFilter is being configured after a Meter has been registered to this registry")) {
            return false;
        }
        return !(HTTP_OPTIONS.equals(record.getLoggerName())
                && message.startsWith(
                        "When configuring TLS client authentication to be required, it is recommended to **NOT** set"));
    }
}
