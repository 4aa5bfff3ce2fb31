package dev.talosburst.provisioner.nodegroup;

import java.time.Duration;
import java.util.Objects;

/** CA's per-node-group autoscaling options; every field is always set. */
public record AutoscalingOptions(
        double scaleDownUtilizationThreshold,
        double scaleDownGpuUtilizationThreshold,
        Duration scaleDownUnneededTime,
        Duration scaleDownUnreadyTime,
        Duration maxNodeProvisionTime,
        boolean zeroOrMaxNodeScaling,
        boolean ignoreDaemonSetsUtilization) {

    public AutoscalingOptions {
        Objects.requireNonNull(scaleDownUnneededTime, "scaleDownUnneededTime");
        Objects.requireNonNull(scaleDownUnreadyTime, "scaleDownUnreadyTime");
        Objects.requireNonNull(maxNodeProvisionTime, "maxNodeProvisionTime");
    }

    /** cluster-autoscaler's own flag defaults. */
    public static AutoscalingOptions caDefaults() {
        return new AutoscalingOptions(0.5, 0.5, Duration.ofMinutes(10), Duration.ofMinutes(20), Duration.ofMinutes(15), false, false);
    }
}
