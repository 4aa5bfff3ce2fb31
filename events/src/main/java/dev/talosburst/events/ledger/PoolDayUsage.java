package dev.talosburst.events.ledger;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.math.BigDecimal;
import java.time.LocalDate;

/**
 * Billed usage of one pool on one UTC day in one currency.
 *
 * @param currency ISO code, or {@link BillingLedger#UNPRICED} for servers whose events carry no price
 * @param nodeHours billed server-hours starting on that day
 * @param amountNet what those hours cost, net (exact; hours past a server's monthly cap cost nothing)
 * @param amountGross the same, gross
 */
public record PoolDayUsage(
        String pool,
        LocalDate day,
        String currency,
        long nodeHours,
        @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal amountNet,
        @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal amountGross) {}
