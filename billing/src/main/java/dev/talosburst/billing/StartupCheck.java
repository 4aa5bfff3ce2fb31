package dev.talosburst.billing;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses to start without Kafka's address, before the Kafka connector tries (its own error is a stack trace about
 * "bootstrap.servers"); the message names the option and the environment variable. Printed without a stack trace.
 */
@Singleton
public class StartupCheck {

    /** The first line of a refused start-up. */
    public static final String HEADLINE = "talos-burst billing cannot start, fix the configuration:";

    void check(
            @Observes @Priority(1) StartupEvent event,
            @ConfigProperty(name = "talosburst.billing.bootstrap-servers") Optional<String> bootstrapServers) {
        if (bootstrapServers.isEmpty() || bootstrapServers.get().isBlank()) {
            throw new ConfigurationException(
                    HEADLINE + "\n  - talosburst.billing.bootstrap-servers is required: set it to the"
                            + " Kafka bootstrap servers talos-burst publishes to, e.g. TALOSBURST_BILLING_BOOTSTRAP_SERVERS=kafka:9092");
        }
    }
}
