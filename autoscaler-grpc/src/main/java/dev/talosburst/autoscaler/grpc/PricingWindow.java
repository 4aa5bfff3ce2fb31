package dev.talosburst.autoscaler.grpc;

import com.google.protobuf.Timestamp;
import dev.talosburst.proto.k8s.meta.v1.Time;
import java.time.Instant;

/**
 * The time window of a pricing request: the 1.34.2+ {@code google.protobuf.Timestamp} fields first, the old
 * {@code metav1.Time} fields as fallback.
 */
public record PricingWindow(Instant start, Instant end) {

    /** Reads and checks the window; {@link IllegalArgumentException} when a bound is missing or end precedes start. */
    public static PricingWindow of(
            boolean hasStartTimestamp,
            Timestamp startTimestamp,
            boolean hasStartTime,
            Time startTime,
            boolean hasEndTimestamp,
            Timestamp endTimestamp,
            boolean hasEndTime,
            Time endTime) {
        Instant start = pick(hasStartTimestamp, startTimestamp, hasStartTime, startTime, "start");
        Instant end = pick(hasEndTimestamp, endTimestamp, hasEndTime, endTime, "end");
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("pricing window ends (" + end + ") before it starts (" + start + ")");
        }
        return new PricingWindow(start, end);
    }

    private static Instant pick(boolean hasNew, Timestamp newer, boolean hasOld, Time older, String which) {
        if (hasNew) {
            return Instant.ofEpochSecond(newer.getSeconds(), newer.getNanos());
        }
        if (hasOld) {
            return Instant.ofEpochSecond(older.getSeconds(), older.getNanos());
        }
        throw new IllegalArgumentException("pricing request has no " + which + " time: set " + which
                + "Timestamp (or the " + "pre-1.35 " + which + "Time)");
    }
}
