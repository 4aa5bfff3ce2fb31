package dev.talosburst.provisioner.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * How the engine behaves.
 *
 * @param clusterId identifies this cluster's servers in Hetzner (ownership label); RFC 1123, ≤ 63 chars
 * @param resyncInterval the shortest interval between full label-selected lists of the fleet; stretched so that the lists
 *                       spend at most a fifth of this process's budget share (see {@link #fullListInterval(int)})
 * @param outOfResourcesBackoff how long a (server type, location) that reported out-of-resources is skipped
 * @param createConcurrency parallel create requests across all pools
 * @param createRetryBackoff wait before a retryable create failure is tried again (same name)
 * @param tickInterval how often background work is checked (real time)
 * @param reaper what the reaper deletes
 * @param inFlightPollInterval how often servers being created (not yet running) are looked at: one list of the
 *                             initializing/starting servers, then a GET for each that left that state
 * @param budgetPerHour the Hetzner project's requests per hour (3600)
 * @param budgetShare the share of it this process may spend (0–1]
 */
public record EngineSettings(
        String clusterId,
        Duration resyncInterval,
        Duration outOfResourcesBackoff,
        int createConcurrency,
        Duration createRetryBackoff,
        Duration tickInterval,
        ReaperSettings reaper,
        Duration inFlightPollInterval,
        int budgetPerHour,
        double budgetShare) {

    /** Full lists may use at most half of our budget share; the rest is for creations, deletions and in-flight polls. */
    static final double FULL_LIST_PART_OF_SHARE = 0.5;

    public EngineSettings {
        Objects.requireNonNull(clusterId, "clusterId");
        resyncInterval = resyncInterval == null ? Duration.ofMinutes(5) : resyncInterval;
        outOfResourcesBackoff = outOfResourcesBackoff == null ? Duration.ofMinutes(5) : outOfResourcesBackoff;
        createConcurrency = createConcurrency <= 0 ? 4 : createConcurrency;
        createRetryBackoff = createRetryBackoff == null ? Duration.ofSeconds(30) : createRetryBackoff;
        tickInterval = tickInterval == null ? Duration.ofSeconds(1) : tickInterval;
        reaper = reaper == null ? ReaperSettings.defaults() : reaper;
        inFlightPollInterval = inFlightPollInterval == null ? Duration.ofSeconds(2) : inFlightPollInterval;
        budgetPerHour = budgetPerHour <= 0 ? 3600 : budgetPerHour;
        budgetShare = budgetShare <= 0 ? 0.5 : budgetShare;
        if (budgetShare > 1) {
            throw new IllegalArgumentException("budget share must be at most 1, got " + budgetShare);
        }
    }

    public EngineSettings(
            String clusterId,
            Duration resyncInterval,
            Duration outOfResourcesBackoff,
            int createConcurrency,
            Duration createRetryBackoff,
            Duration tickInterval,
            ReaperSettings reaper) {
        this(
                clusterId,
                resyncInterval,
                outOfResourcesBackoff,
                createConcurrency,
                createRetryBackoff,
                tickInterval,
                reaper,
                null,
                0,
                0);
    }

    /**
     * How long to wait between full lists of a fleet of {@code servers}: the resync interval, or longer when lists of this
     * fleet ({@code ⌈servers/50⌉} requests each) would otherwise spend more than {@link #FULL_LIST_PART_OF_SHARE} of our
     * share of the project's budget.
     */
    public Duration fullListInterval(int servers) {
        long pages = Math.max(1, (servers + 49) / 50);
        double listsPerHour = budgetPerHour * budgetShare * FULL_LIST_PART_OF_SHARE / pages;
        Duration byBudget = Duration.ofMillis((long) Math.ceil(3_600_000 / listsPerHour));
        return byBudget.compareTo(resyncInterval) > 0 ? byBudget : resyncInterval;
    }

    /** Defaults for a cluster id. */
    public static EngineSettings defaults(String clusterId) {
        return new EngineSettings(clusterId, null, null, 0, null, null, null, null, 0, 0);
    }

    public EngineSettings withResyncInterval(Duration interval) {
        return new EngineSettings(
                clusterId,
                interval,
                outOfResourcesBackoff,
                createConcurrency,
                createRetryBackoff,
                tickInterval,
                reaper,
                inFlightPollInterval,
                budgetPerHour,
                budgetShare);
    }

    public EngineSettings withReaper(ReaperSettings value) {
        return new EngineSettings(
                clusterId,
                resyncInterval,
                outOfResourcesBackoff,
                createConcurrency,
                createRetryBackoff,
                tickInterval,
                value,
                inFlightPollInterval,
                budgetPerHour,
                budgetShare);
    }

    public EngineSettings withTickInterval(Duration value) {
        return new EngineSettings(
                clusterId,
                resyncInterval,
                outOfResourcesBackoff,
                createConcurrency,
                createRetryBackoff,
                value,
                reaper,
                inFlightPollInterval,
                budgetPerHour,
                budgetShare);
    }

    public EngineSettings withBudget(int perHour, double share, Duration inFlightPoll) {
        return new EngineSettings(
                clusterId,
                resyncInterval,
                outOfResourcesBackoff,
                createConcurrency,
                createRetryBackoff,
                tickInterval,
                reaper,
                inFlightPoll,
                perHour,
                share);
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
