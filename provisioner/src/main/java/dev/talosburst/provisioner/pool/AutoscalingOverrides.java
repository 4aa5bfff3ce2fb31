package dev.talosburst.provisioner.pool;

import java.time.Duration;

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
}
