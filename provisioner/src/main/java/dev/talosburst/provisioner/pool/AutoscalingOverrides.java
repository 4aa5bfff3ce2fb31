package dev.talosburst.provisioner.pool;

import dev.talosburst.provisioner.nodegroup.AutoscalingOptions;
import java.time.Duration;

/** A pool's own CA autoscaling options; null fields fall back to CA's defaults. */
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

    /** These overrides on top of {@code defaults}. */
    public AutoscalingOptions over(AutoscalingOptions defaults) {
        return new AutoscalingOptions(
                scaleDownUtilizationThreshold != null ? scaleDownUtilizationThreshold : defaults.scaleDownUtilizationThreshold(),
                scaleDownGpuUtilizationThreshold != null ? scaleDownGpuUtilizationThreshold : defaults.scaleDownGpuUtilizationThreshold(),
                scaleDownUnneededTime != null ? scaleDownUnneededTime : defaults.scaleDownUnneededTime(),
                scaleDownUnreadyTime != null ? scaleDownUnreadyTime : defaults.scaleDownUnreadyTime(),
                maxNodeProvisionTime != null ? maxNodeProvisionTime : defaults.maxNodeProvisionTime(),
                zeroOrMaxNodeScaling != null ? zeroOrMaxNodeScaling : defaults.zeroOrMaxNodeScaling(),
                ignoreDaemonSetsUtilization != null ? ignoreDaemonSetsUtilization : defaults.ignoreDaemonSetsUtilization());
    }
}
