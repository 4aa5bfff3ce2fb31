package dev.talosburst.billing;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses to start without Kafka's address, before the Kafka connector tries (its own error is a stack trace about
 * "bootstrap.servers"), or with an unusable retention window; each message names the option and the environment
 * variable. Printed without a stack trace.
 */
@Singleton
public class StartupCheck {

    /** The first line of a refused start-up. */
    public static final String HEADLINE = "talos-burst billing cannot start, fix the configuration:";

    /** Upper bound of {@code talosburst.billing.retention-days} (100 years: a typo, not a policy). */
    static final int MAX_RETENTION_DAYS = 36_500;

    void check(
            @Observes @Priority(1) StartupEvent event,
            @ConfigProperty(name = "talosburst.billing.bootstrap-servers") Optional<String> bootstrapServers,
            @ConfigProperty(name = "talosburst.billing.retention-days") String retentionDays) {
        List<String> errors = new ArrayList<>();
        if (bootstrapServers.isEmpty() || bootstrapServers.get().isBlank()) {
            errors.add(
                    "talosburst.billing.bootstrap-servers is required: set it to the"
                            + " Kafka bootstrap servers talos-burst publishes to, e.g. TALOSBURST_BILLING_BOOTSTRAP_SERVERS=kafka:9092");
        }
        String retention = retentionError(retentionDays);
        if (retention != null) {
            errors.add(retention);
        }
        if (!errors.isEmpty()) {
            throw new ConfigurationException(HEADLINE + "\n  - " + String.join("\n  - ", errors));
        }
    }

    /** {@code talosburst.billing.retention-days} as a number of days; a clear error when it is not 1..36500. */
    static int retentionDays(String raw) {
        String error = retentionError(raw);
        if (error != null) {
            throw new ConfigurationException(HEADLINE + "\n  - " + error);
        }
        return Integer.parseInt(raw.trim());
    }

    private static String retentionError(String raw) {
        try {
            int days = Integer.parseInt(raw.trim());
            if (days >= 1 && days <= MAX_RETENTION_DAYS) {
                return null;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        return "talosburst.billing.retention-days must be a whole number of days from 1 to " + MAX_RETENTION_DAYS
                + " (got '" + raw + "'): how long per-day usage and event ids are kept; keep it above the topic's"
                + " retention, e.g. TALOSBURST_BILLING_RETENTION_DAYS=62";
    }
}
