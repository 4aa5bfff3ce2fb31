package dev.talosburst.billing;

import dev.talosburst.events.ledger.PoolDayUsage;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;

/** {@code GET /usage}: node-hours and cost per pool, UTC day and currency (amounts as decimal strings). */
@Path("/usage")
public class UsageResource {

    /** The JSON document. */
    public record Usage(Instant asOf, long eventsCounted, long duplicatesDropped, List<PoolDayUsage> days) {}

    private final BillingService billing;

    UsageResource(BillingService billing) {
        this.billing = billing;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Usage usage() {
        BillingBook book = billing.book();
        book.refreshMetrics();
        return new Usage(book.now(), book.eventsCounted(), book.duplicatesDropped(), book.usage());
    }
}
