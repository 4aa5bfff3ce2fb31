package dev.talosburst.provisioner.engine;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The create workers: take pending slots off the fair {@link CreateQueue} and create their servers ({@link ScaleUp});
 * failed attempts whose back-off is over go back on the queue.
 */
final class CreateWorkers implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CreateWorkers.class);

    private final FleetView view;
    private final CreateQueue queue;
    private final ScaleUp scaleUp;
    private final Leadership leadership;
    private final Clock clock;
    private final int count;
    private final ExecutorService executor;
    private volatile boolean running;

    CreateWorkers(FleetView view, CreateQueue queue, ScaleUp scaleUp, Leadership leadership, Clock clock, int count) {
        this.view = view;
        this.queue = queue;
        this.scaleUp = scaleUp;
        this.leadership = leadership;
        this.clock = clock;
        this.count = count;
        this.executor = Executors.newFixedThreadPool(count, BackgroundLoop.daemon("talosburst-create"));
    }

    /** Starts the workers (once). */
    void start() {
        if (running) {
            return;
        }
        running = true;
        for (int i = 0; i < count; i++) {
            executor.execute(this::work);
        }
    }

    /** Queues the slots whose failed attempt's back-off is over (oldest request first); drops the ones CA deleted. */
    void requeueDue(Instant now) {
        // every tick: the phase is readable without the lock, so only slots being created are looked at under it
        List<Slot> creating = view.snapshot().stream()
                .filter(slot -> slot.phase() == Slot.Phase.CREATING)
                .sorted(Comparator.comparingLong(Slot::sequence))
                .toList();
        if (creating.isEmpty()) {
            return;
        }
        List<Slot> due = new ArrayList<>();
        synchronized (view) {
            for (Slot slot : creating) {
                if (slot.owner() != view) {
                    continue;
                }
                if (slot.phase() == Slot.Phase.CREATING && !slot.createInFlight() && slot.isCancelRequested()) {
                    view.abandon(slot); // deleted by CA while it waited for a retry
                } else if (slot.retryDue(now)) {
                    due.add(slot);
                }
            }
        }
        due.forEach(queue::add);
    }

    private void work() {
        while (running) {
            try {
                Slot slot = queue.poll(200, TimeUnit.MILLISECONDS);
                if (slot == null) {
                    continue;
                }
                if (!leadership.isLeader()) {
                    synchronized (view) {
                        slot.launchDeferred(clock.instant()); // picked up again once we lead
                    }
                    continue;
                }
                LogContext.run(slot.pool(), slot.name(), "create", () -> scaleUp.create(slot));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.errorf(e, "create worker error");
            }
        }
    }

    @Override
    public void close() {
        running = false;
        executor.shutdownNow();
    }
}
