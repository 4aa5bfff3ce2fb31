package dev.talosburst.billing;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Shutdown;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Holds the billing book of this service (its store in {@code talosburst.billing.data-dir}). */
@Startup // the store is loaded and the gauges registered at start, not at the first event
@Singleton
public class BillingService {

    private final BillingBook book;

    BillingService(@ConfigProperty(name = "talosburst.billing.data-dir") Path dataDir, MeterRegistry registry) {
        this.book = new BillingBook(dataDir, Clock.systemUTC(), registry);
    }

    BillingBook book() {
        return book;
    }

    @Shutdown
    void close() throws IOException {
        book.close();
    }
}
