package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.nodegroup.InstanceView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers (server type, location) pairs that Hetzner recently reported out of stock or over quota, so
 * further creations fail fast (class OutOfResources) instead of spending the API budget.
 */
final class OutOfResourcesMemory {
    private final Clock clock;
    private final Duration backoff;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    private record Entry(Instant until, InstanceView.ErrorInfo error) {}

    OutOfResourcesMemory(Clock clock, Duration backoff) {
        this.clock = clock;
        this.backoff = backoff;
    }

    void remember(String serverType, String location, InstanceView.ErrorInfo error) {
        entries.put(serverType + "@" + location, new Entry(clock.instant().plus(backoff), error));
    }

    /** The remembered error while the backoff lasts. */
    Optional<InstanceView.ErrorInfo> current(String serverType, String location) {
        Entry entry = entries.get(serverType + "@" + location);
        if (entry == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(entry.until())) {
            entries.remove(serverType + "@" + location, entry);
            return Optional.empty();
        }
        return Optional.of(entry.error());
    }
}
