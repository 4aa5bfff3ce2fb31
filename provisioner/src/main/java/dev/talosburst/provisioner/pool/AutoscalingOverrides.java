package dev.talosburst.provisioner.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A pool's own CA autoscaling options; null fields fall back to CA's defaults ({@code AutoscalingOptions.withOverrides}). */
public record AutoscalingOverrides(
        Double scaleDownUtilizationThreshold,
        Double scaleDownGpuUtilizationThreshold,
        Duration scaleDownUnneededTime,
        Duration scaleDownUnreadyTime,
        Duration maxNodeProvisionTime,
        Boolean zeroOrMaxNodeScaling,
        Boolean ignoreDaemonSetsUtilization) {

    public static AutoscalingOverrides none() {
        return new AutoscalingOverrides(null, null, null, null, null, null, null);
    }

    /**
     * Every problem with these overrides, each naming the option to fix ({@code optionPrefix} e.g.
     * {@code talosburst.pools.<id>.autoscaling}); empty when valid.
     */
    public List<String> problems(String optionPrefix) {
        List<String> problems = new ArrayList<>();
        threshold(scaleDownUtilizationThreshold, optionPrefix + ".scale-down-utilization-threshold", problems);
        threshold(scaleDownGpuUtilizationThreshold, optionPrefix + ".scale-down-gpu-utilization-threshold", problems);
        positive(scaleDownUnneededTime, optionPrefix + ".scale-down-unneeded-time", problems);
        positive(scaleDownUnreadyTime, optionPrefix + ".scale-down-unready-time", problems);
        positive(maxNodeProvisionTime, optionPrefix + ".max-node-provision-time", problems);
        return problems;
    }

    private static void threshold(Double value, String option, List<String> problems) {
        // Written so that NaN fails too.
        if (value != null && !(value >= 0 && value <= 1)) {
            problems.add(option + ": " + value + " must be between 0 and 1 (a fraction of the node's allocatable)");
        }
    }

    private static void positive(Duration value, String option, List<String> problems) {
        if (value != null && (value.isNegative() || value.isZero())) {
            problems.add(option + ": must be a positive duration, e.g. 10m");
        }
    }
}
