package dev.talosburst.autoscaler.config;

import java.util.List;

/**
 * The ranges of the numeric {@code talosburst.*} options, checked by {@link ConfigurationCheck} with the other rules so
 * that every problem is listed in one block (this replaces Bean Validation annotations, whose bootstrap cost about half
 * of the start-up's main-thread time).
 */
final class NumericRanges {

    private NumericRanges() {}

    /** Adds one problem per option outside its range, naming the option and the accepted values. */
    static void check(TalosBurstConfig config, List<String> problems) {
        port(
                "talosburst.grpc.port",
                config.grpc().port(),
                1,
                "the port cluster-autoscaler dials, default " + GrpcTransport.DEFAULT_PORT,
                problems);
        port(
                "talosburst.management.port",
                config.management().port(),
                0,
                "0 picks a free port, default " + GrpcTransport.DEFAULT_MANAGEMENT_PORT,
                problems);
        atLeastOne("talosburst.hcloud.budget-per-hour", config.hcloud().budgetPerHour(), "Hetzner's is 3600", problems);
        atLeastOne("talosburst.engine.create-concurrency", config.engine().createConcurrency(), "default 4", problems);
        TalosBurstConfig.Events events = config.events();
        atLeastOne("talosburst.events.queue-capacity", events.queueCapacity(), "default 10000", problems);
        atLeastOne("talosburst.events.backlog-warn-threshold", events.backlogWarnThreshold(), "default 1000", problems);
        atLeastOne("talosburst.events.partitions", events.partitions(), "default 6", problems);
        atLeastOne("talosburst.events.replication-factor", events.replicationFactor(), "default 3", problems);
    }

    private static void port(String option, int value, int lowest, String hint, List<String> problems) {
        if (value < lowest || value > 65535) {
            problems.add(option + ": " + value + " is not a port; use " + lowest + "-65535 (" + hint + ")");
        }
    }

    private static void atLeastOne(String option, long value, String hint, List<String> problems) {
        if (value < 1) {
            problems.add(option + ": " + value + " is too small; use a whole number of at least 1 (" + hint + ")");
        }
    }
}
