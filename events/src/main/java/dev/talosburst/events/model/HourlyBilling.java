package dev.talosburst.events.model;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Hetzner Cloud's hourly billing rule, as talos-burst applies it.
 *
 * <p>A server is billed from its creation ({@code createdAt}) until its deletion; every started hour is
 * billed as a full hour at the hourly price captured at creation, so a server that lived 61 minutes costs
 * two hours and one that lived 10 seconds costs one. Hour {@code k} starts at {@code createdAt + k h} and is
 * attributed to the UTC day (and calendar month) on which it starts. When the price carries the monthly
 * price (rule {@value #RULE_MONTHLY_CAP}), a server never costs more than that in one UTC calendar month:
 * per month, amount = min(started hours × hourly, monthly) — the hour that crosses the cap costs the
 * remainder, later hours of that month cost nothing. Without a monthly price (rule {@value #RULE}) the cap
 * is unknown and the amount is an upper bound.
 */
public final class HourlyBilling {

    /** Rule of prices without a monthly cap: every started hour at the hourly price, uncapped. */
    public static final String RULE = "hetzner-hourly-started-hour-v1";

    /** Rule of prices with a monthly cap: as {@link #RULE}, but at most the monthly price per server and UTC calendar month. */
    public static final String RULE_MONTHLY_CAP = "hetzner-hourly-started-hour-monthly-cap-v1";

    private static final Duration HOUR = Duration.ofHours(1);

    /**
     * A server's price as billing applies it.
     *
     * @param monthlyNet the monthly cap (net), null when unknown
     * @param monthlyGross the monthly cap (gross), null when unknown; unless both are known no cap is applied
     */
    public record Rate(BigDecimal hourlyNet, BigDecimal hourlyGross, BigDecimal monthlyNet, BigDecimal monthlyGross) {

        public Rate {
            Objects.requireNonNull(hourlyNet, "hourlyNet");
            Objects.requireNonNull(hourlyGross, "hourlyGross");
        }

        /** True when both monthly caps are known, so {@link #RULE_MONTHLY_CAP} applies. */
        public boolean capped() {
            return monthlyNet != null && monthlyGross != null;
        }

        /** The rule id this rate is billed under. */
        public String rule() {
            return capped() ? RULE_MONTHLY_CAP : RULE;
        }
    }

    /** One billed hour: the UTC day it starts on and what it costs after the monthly cap. */
    public record BilledHour(LocalDate day, BigDecimal net, BigDecimal gross) {}

    /** Net and gross amount of a span of billed hours. */
    public record Amount(BigDecimal net, BigDecimal gross) {}

    private HourlyBilling() {}

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

    /** Every billed hour with its cost under {@code rate} (the monthly cap applied per UTC calendar month), in order. */
    public static List<BilledHour> billedHours(Instant createdAt, Instant end, Rate rate) {
        List<LocalDate> days = billedHourDays(createdAt, end);
        List<BilledHour> out = new ArrayList<>(days.size());
        YearMonth month = null;
        BigDecimal net = BigDecimal.ZERO;
        BigDecimal gross = BigDecimal.ZERO;
        BigDecimal monthlyNet = rate.capped() ? rate.monthlyNet() : null;
        BigDecimal monthlyGross = rate.capped() ? rate.monthlyGross() : null;
        for (LocalDate day : days) {
            if (!YearMonth.from(day).equals(month)) {
                month = YearMonth.from(day);
                net = BigDecimal.ZERO;
                gross = BigDecimal.ZERO;
            }
            BigDecimal hourNet = capped(net, rate.hourlyNet(), monthlyNet);
            BigDecimal hourGross = capped(gross, rate.hourlyGross(), monthlyGross);
            net = net.add(hourNet);
            gross = gross.add(hourGross);
            out.add(new BilledHour(day, hourNet, hourGross));
        }
        return out;
    }

    /** What a server created at {@code createdAt} and deleted at {@code end} costs under {@code rate}; exact. */
    public static Amount amount(Instant createdAt, Instant end, Rate rate) {
        BigDecimal net = BigDecimal.ZERO;
        BigDecimal gross = BigDecimal.ZERO;
        for (BilledHour h : billedHours(createdAt, end, rate)) {
            net = net.add(h.net());
            gross = gross.add(h.gross());
        }
        return new Amount(net, gross);
    }

    /** Amount for {@code hours} billed hours at {@code hourlyPrice}, uncapped; exact (no rounding). */
    public static BigDecimal amount(long hours, BigDecimal hourlyPrice) {
        return hourlyPrice.multiply(BigDecimal.valueOf(hours));
    }

    /** The cost of one more hour when {@code soFar} is already billed this month: the hourly price, at most what is left below the cap. */
    private static BigDecimal capped(BigDecimal soFar, BigDecimal hourly, BigDecimal monthly) {
        if (monthly == null) {
            return hourly;
        }
        BigDecimal left = monthly.subtract(soFar).max(BigDecimal.ZERO);
        return hourly.min(left);
    }
}
