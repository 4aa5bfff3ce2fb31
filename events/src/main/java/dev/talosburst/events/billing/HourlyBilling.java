package dev.talosburst.events.billing;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Hetzner Cloud's hourly billing rule, as talos-burst applies it (rule id {@value #RULE}).
 *
 * <p>A server is billed from its creation ({@code createdAt}) until its deletion; every started hour is
 * billed as a full hour at the hourly price captured at creation, so a server that lived 61 minutes costs
 * two hours and one that lived 10 seconds costs one. Hour {@code k} starts at {@code createdAt + k h} and is
 * attributed to the UTC day on which it starts. Hetzner's monthly price cap is not applied: events do not
 * carry the monthly price, so for a server that lives longer than its type's cap (hundreds of hours)
 * the amount is an upper bound.
 */
public final class HourlyBilling {

    /** Identifier of this rule, written into deletion events so consumers know how the amount was computed. */
    public static final String RULE = "hetzner-hourly-started-hour-v1";

    private static final Duration HOUR = Duration.ofHours(1);

    private HourlyBilling() {
    }

    /** Number of billed hours for a server created at {@code createdAt} and deleted (or observed) at {@code end}. */
    public static long billableHours(Instant createdAt, Instant end) {
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(end, "end");
        long seconds = Math.max(0, Duration.between(createdAt, end).getSeconds());
        long nanos = Math.max(0, Duration.between(createdAt, end).getNano());
        long full = seconds / 3600;
        boolean partial = seconds % 3600 != 0 || nanos != 0;
        return Math.max(1, full + (partial ? 1 : 0));
    }

    /** The UTC day each billed hour is attributed to, in order (one entry per billed hour). */
    public static List<LocalDate> billedHourDays(Instant createdAt, Instant end) {
        long hours = billableHours(createdAt, end);
        List<LocalDate> days = new ArrayList<>((int) Math.min(hours, 100_000));
        for (long k = 0; k < hours; k++) {
            days.add(createdAt.plus(HOUR.multipliedBy(k)).atZone(ZoneOffset.UTC).toLocalDate());
        }
        return days;
    }

    /** Amount for {@code hours} billed hours at {@code hourlyPrice}; exact (no rounding). */
    public static BigDecimal amount(long hours, BigDecimal hourlyPrice) {
        return hourlyPrice.multiply(BigDecimal.valueOf(hours));
    }
}
