package dev.talosburst.billing;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Shutdown;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Holds the billing book of this service (its store in {@code talosburst.billing.data-dir}). */
@Startup // the store is loaded and the gauges registered at start, not at the first event
@Singleton
public class BillingService {

    private static final Logger LOG = Logger.getLogger(BillingService.class);

    private final BillingBook book;
    private final ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "billing-maintenance");
        t.setDaemon(true);
        return t;
    });

    BillingService(
            @ConfigProperty(name = "talosburst.billing.data-dir") Path dataDir,
            @ConfigProperty(name = "talosburst.billing.retention-days") String retentionDays,
            MeterRegistry registry) {
        this.book = new BillingBook(dataDir, Clock.systemUTC(), registry, StartupCheck.retentionDays(retentionDays));
        // hourly: the window moves at midnight UTC even when no event arrives and nobody reads /usage
        maintenance.scheduleWithFixedDelay(this::maintain, 1, 1, TimeUnit.HOURS);
    }

    private void maintain() {
        try {
            book.refreshMetrics();
        } catch (RuntimeException e) {
            LOG.errorf("billing: maintenance failed, retrying in an hour: %s", e.getMessage());
        }
    }

    BillingBook book() {
        return book;
    }

    @Shutdown
    void close() throws IOException {
        maintenance.shutdownNow();
        book.close();
    }
}
