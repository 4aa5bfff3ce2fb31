package dev.talosburst.autoscaler.grpc;

import dev.talosburst.proto.externalgrpc.NodeGroupAutoscalingOptions;
import dev.talosburst.provisioner.nodegroup.AutoscalingOptions;
import java.time.Duration;

/**
 * {@code NodeGroupAutoscalingOptions} in both generations: requests are read from the 1.34.2+ fields
 * (google.protobuf.Duration 8/9/10) first and the old metav1.Duration fields 3/4/5 as fallback; responses
 * fill every field of both, because a duration CA finds missing becomes 0 and deletes new nodes at once.
 */
public final class AutoscalingOptionsMessages {

    private AutoscalingOptionsMessages() {}

    /**
     * CA's defaults as sent in the request; fields that are missing or zero take CA's built-in defaults
     * (proto3 cannot tell an unset number from 0). Null when the request carries no defaults at all.
     */
    public static AutoscalingOptions defaults(NodeGroupAutoscalingOptions request, boolean present) {
        if (!present) {
            return null;
        }
        AutoscalingOptions ca = AutoscalingOptions.caDefaults();
        return new AutoscalingOptions(
                request.getScaleDownUtilizationThreshold() > 0
                        ? request.getScaleDownUtilizationThreshold()
                        : ca.scaleDownUtilizationThreshold(),
                request.getScaleDownGpuUtilizationThreshold() > 0
                        ? request.getScaleDownGpuUtilizationThreshold()
                        : ca.scaleDownGpuUtilizationThreshold(),
                duration(
                        request.hasScaleDownUnneededDuration(),
                        request.getScaleDownUnneededDuration(),
                        request.hasScaleDownUnneededTime(),
                        request.getScaleDownUnneededTime(),
                        ca.scaleDownUnneededTime()),
                duration(
                        request.hasScaleDownUnreadyDuration(),
                        request.getScaleDownUnreadyDuration(),
                        request.hasScaleDownUnreadyTime(),
                        request.getScaleDownUnreadyTime(),
                        ca.scaleDownUnreadyTime()),
                duration(
                        request.hasMaxNodeProvisionDuration(),
                        request.getMaxNodeProvisionDuration(),
                        request.hasMaxNodeProvisionTime(),
                        request.getMaxNodeProvisionTime(),
                        ca.maxNodeProvisionTime()),
                request.getZeroOrMaxNodeScaling(),
                request.getIgnoreDaemonSetsUtilization());
    }

    /** The options with every field of both generations filled. */
    public static NodeGroupAutoscalingOptions toMessage(AutoscalingOptions options) {
        return NodeGroupAutoscalingOptions.newBuilder()
                .setScaleDownUtilizationThreshold(options.scaleDownUtilizationThreshold())
                .setScaleDownGpuUtilizationThreshold(options.scaleDownGpuUtilizationThreshold())
                .setScaleDownUnneededTime(kubernetes(options.scaleDownUnneededTime()))
                .setScaleDownUnreadyTime(kubernetes(options.scaleDownUnreadyTime()))
                .setMaxNodeProvisionTime(kubernetes(options.maxNodeProvisionTime()))
                .setZeroOrMaxNodeScaling(options.zeroOrMaxNodeScaling())
                .setIgnoreDaemonSetsUtilization(options.ignoreDaemonSetsUtilization())
                .setScaleDownUnneededDuration(protobuf(options.scaleDownUnneededTime()))
                .setScaleDownUnreadyDuration(protobuf(options.scaleDownUnreadyTime()))
                .setMaxNodeProvisionDuration(protobuf(options.maxNodeProvisionTime()))
                .build();
    }

    private static Duration duration(
            boolean hasNew,
            com.google.protobuf.Duration newer,
            boolean hasOld,
            dev.talosburst.proto.k8s.meta.v1.Duration older,
            Duration fallback) {
        if (hasNew) {
            Duration value = Duration.ofSeconds(newer.getSeconds(), newer.getNanos());
            if (value.compareTo(Duration.ZERO) > 0) {
                return value;
            }
        }
        if (hasOld && older.getDuration() > 0) {
            return Duration.ofNanos(older.getDuration());
        }
        return fallback;
    }

    private static dev.talosburst.proto.k8s.meta.v1.Duration kubernetes(Duration duration) {
        return dev.talosburst.proto.k8s.meta.v1.Duration.newBuilder()
                .setDuration(duration.toNanos())
                .build();
    }

    private static com.google.protobuf.Duration protobuf(Duration duration) {
        return com.google.protobuf.Duration.newBuilder()
                .setSeconds(duration.getSeconds())
                .setNanos(duration.getNano())
                .build();
    }
}
