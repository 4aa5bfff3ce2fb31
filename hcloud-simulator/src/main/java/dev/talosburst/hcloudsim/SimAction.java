package dev.talosburst.hcloudsim;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A simulated action: {@code running} from {@code started} until {@code finishAt}, then {@code success}
 * (or {@code error} when {@code errorCode} is set). Progress grows linearly with time.
 */
record SimAction(
        long id,
        String command,
        Instant started,
        Instant finishAt,
        List<Resource> resources,
        String errorCode,
        String errorMessage) {

    /** A resource the action works on. */
    record Resource(long id, String type) {}

    String status(Instant now) {
        if (now.isBefore(finishAt)) {
            return "running";
        }
        return errorCode == null ? "success" : "error";
    }

    int progress(Instant now) {
        if (!now.isBefore(finishAt)) {
            return 100;
        }
        long total = Duration.between(started, finishAt).toMillis();
        long done = Math.max(0, Duration.between(started, now).toMillis());
        return (int) Math.min(99, done * 100 / Math.max(1, total));
    }

    boolean concerns(long resourceId, String type) {
        return resources.stream().anyMatch(r -> r.id() == resourceId && r.type().equals(type));
    }
}
