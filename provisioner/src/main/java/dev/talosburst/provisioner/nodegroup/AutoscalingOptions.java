package dev.talosburst.provisioner.nodegroup;

import dev.talosburst.provisioner.pool.AutoscalingOverrides;
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
        return new AutoscalingOptions(
                0.5, 0.5, Duration.ofMinutes(10), Duration.ofMinutes(20), Duration.ofMinutes(15), false, false);
    }

    /** A pool's overrides on top of these options (the pool's null fields keep these values). */
    public AutoscalingOptions withOverrides(AutoscalingOverrides o) {
        return new AutoscalingOptions(
                o.scaleDownUtilizationThreshold() != null
                        ? o.scaleDownUtilizationThreshold()
                        : scaleDownUtilizationThreshold,
                o.scaleDownGpuUtilizationThreshold() != null
                        ? o.scaleDownGpuUtilizationThreshold()
                        : scaleDownGpuUtilizationThreshold,
                o.scaleDownUnneededTime() != null ? o.scaleDownUnneededTime() : scaleDownUnneededTime,
                o.scaleDownUnreadyTime() != null ? o.scaleDownUnreadyTime() : scaleDownUnreadyTime,
                o.maxNodeProvisionTime() != null ? o.maxNodeProvisionTime() : maxNodeProvisionTime,
                o.zeroOrMaxNodeScaling() != null ? o.zeroOrMaxNodeScaling() : zeroOrMaxNodeScaling,
                o.ignoreDaemonSetsUtilization() != null
                        ? o.ignoreDaemonSetsUtilization()
                        : ignoreDaemonSetsUtilization);
    }
}
