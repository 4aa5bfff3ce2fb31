package dev.talosburst.e2e.harness;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** What happened when, from every observer (test, simulated kubelets, simulator poller, Kafka), printed per scenario. */
public final class Timeline {

    private record Entry(Instant at, String what) {}

    private final List<Entry> entries = new ArrayList<>();
    private Instant start = Instant.now();

    /** Starts a new scenario's timeline. */
    public synchronized void reset() {
        entries.clear();
        start = Instant.now();
    }

    /** Records something that happened now. */
    public void note(String what) {
        note(Instant.now(), what);
    }

    /** Records something that happened at {@code at}. */
    public synchronized void note(Instant at, String what) {
        entries.add(new Entry(at, what));
    }

    /** The timeline, oldest first, with seconds since the scenario started. */
    public synchronized String render(String title) {
        StringBuilder sb = new StringBuilder("---- timeline: ").append(title).append(" ----\n");
        entries.stream().sorted(Comparator.comparing(Entry::at)).forEach(e -> {
            long ms = Duration.between(start, e.at()).toMillis();
            sb.append(String.format("%+8.1fs  %s%n", ms / 1000.0, e.what()));
        });
        return sb.toString();
    }
}
