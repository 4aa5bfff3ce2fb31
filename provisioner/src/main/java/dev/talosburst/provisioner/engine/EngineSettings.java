package dev.talosburst.provisioner.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * How the engine behaves.
 *
 * @param clusterId identifies this cluster's servers in Hetzner (ownership label); RFC 1123, ≤ 63 chars
 * @param resyncInterval how often the view is re-listed from Hetzner (one label-selected list pass)
 * @param outOfResourcesBackoff how long a (server type, location) that reported out-of-resources is skipped
 * @param createConcurrency parallel create requests across all pools
 * @param createRetryBackoff wait before a retryable create failure is tried again (same name)
 * @param tickInterval how often background work is checked (real time)
 */
public record EngineSettings(
        String clusterId,
        Duration resyncInterval,
        Duration outOfResourcesBackoff,
        int createConcurrency,
        Duration createRetryBackoff,
        Duration tickInterval,
        ReaperSettings reaper) {

    public EngineSettings {
        Objects.requireNonNull(clusterId, "clusterId");
        resyncInterval = resyncInterval == null ? Duration.ofMinutes(1) : resyncInterval;
        outOfResourcesBackoff = outOfResourcesBackoff == null ? Duration.ofMinutes(5) : outOfResourcesBackoff;
        createConcurrency = createConcurrency <= 0 ? 4 : createConcurrency;
        createRetryBackoff = createRetryBackoff == null ? Duration.ofSeconds(30) : createRetryBackoff;
        tickInterval = tickInterval == null ? Duration.ofSeconds(1) : tickInterval;
        reaper = reaper == null ? ReaperSettings.defaults() : reaper;
    }

    /** Defaults for a cluster id. */
    public static EngineSettings defaults(String clusterId) {
        return new EngineSettings(clusterId, null, null, 0, null, null, null);
    }

    public EngineSettings withResyncInterval(Duration interval) {
        return new EngineSettings(clusterId, interval, outOfResourcesBackoff, createConcurrency, createRetryBackoff, tickInterval, reaper);
    }

    public EngineSettings withReaper(ReaperSettings value) {
        return new EngineSettings(clusterId, resyncInterval, outOfResourcesBackoff, createConcurrency, createRetryBackoff, tickInterval, value);
    }

    public EngineSettings withTickInterval(Duration value) {
        return new EngineSettings(clusterId, resyncInterval, outOfResourcesBackoff, createConcurrency, createRetryBackoff, value, reaper);
    }

    /**
     * What the {@link ServerReaper} deletes.
     *
     * @param enabled false: never reap
     * @param dryRun true: only report what would be reaped
     * @param stuckAfter how long a server may sit in initializing/off/unknown
     */
    public record ReaperSettings(boolean enabled, boolean dryRun, Duration stuckAfter) {
        public ReaperSettings {
            stuckAfter = stuckAfter == null ? Duration.ofMinutes(10) : stuckAfter;
        }

        public static ReaperSettings defaults() {
            return new ReaperSettings(true, false, null);
        }
    }
}
