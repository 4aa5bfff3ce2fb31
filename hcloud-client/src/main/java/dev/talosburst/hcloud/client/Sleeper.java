package dev.talosburst.hcloud.client;

import java.time.Duration;

/** Waits for a while; injected so tests advance a virtual clock instead of sleeping. */
@FunctionalInterface
public interface Sleeper {

    /** Blocks for {@code duration} (no-op when zero or negative). */
    void sleep(Duration duration) throws InterruptedException;

    /** Real waiting with {@link Thread#sleep}. */
    static Sleeper threadSleep() {
        return duration -> {
            if (!duration.isNegative() && !duration.isZero()) {
                Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
            }
        };
    }
}
