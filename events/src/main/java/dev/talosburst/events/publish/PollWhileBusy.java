package dev.talosburst.events.publish;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * How a background thread waits for work that callers hand over without waking it while work flows: for {@code window}
 * after the last activity it looks again every {@code poll}; after that it sleeps until a caller wakes it
 * ({@link #wakeIfAsleep}). A thread woken from a caller preempts the caller — on two cores that was most of
 * {@code emit}'s p99 — so a caller wakes it only once it sleeps. Real time, not the injected clock: it paces the CPU and
 * the disk, never a retry or an expiry.
 */
final class PollWhileBusy {

    private final long pollNanos;
    private final long windowNanos;
    private volatile Thread waiter;
    private volatile boolean asleep;

    PollWhileBusy(Duration poll, Duration window) {
        this.pollNanos = poll.toNanos();
        this.windowNanos = window.toNanos();
    }

    /**
     * The waiting thread: returns once {@code ready}, after {@code maxNanos}, or when interrupted (its flag kept).
     * {@code lastActivity} is the {@link System#nanoTime} of the last activity (an event handed over, a force).
     */
    void await(BooleanSupplier ready, LongSupplier lastActivity, long maxNanos) {
        waiter = Thread.currentThread();
        long deadline = System.nanoTime() + maxNanos; // wraps for Long.MAX_VALUE; the difference below stays right
        while (!ready.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            if (System.nanoTime() - lastActivity.getAsLong() < windowNanos) {
                LockSupport.parkNanos(this, Math.min(left, pollNanos));
                continue;
            }
            asleep = true; // then look again: a caller either sees this or was seen (both volatile)
            if (!ready.getAsBoolean()) {
                LockSupport.parkNanos(this, left);
            }
            asleep = false;
        }
    }

    /** A caller handed work over: wakes the waiting thread only if it sleeps; lock-free. */
    void wakeIfAsleep() {
        if (asleep) {
            LockSupport.unpark(waiter);
        }
    }
}
