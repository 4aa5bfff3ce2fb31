package dev.talosburst.autoscaler.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.proto.externalgrpc.NodeGroupAutoscalingOptions;
import dev.talosburst.provisioner.nodegroup.AutoscalingOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AutoscalingOptionsMessagesTest {

    private static com.google.protobuf.Duration pb(Duration d) {
        return com.google.protobuf.Duration.newBuilder()
                .setSeconds(d.getSeconds())
                .setNanos(d.getNano())
                .build();
    }

    private static dev.talosburst.proto.k8s.meta.v1.Duration k8s(Duration d) {
        return dev.talosburst.proto.k8s.meta.v1.Duration.newBuilder()
                .setDuration(d.toNanos())
                .build();
    }

    @Test
    void newFieldsWinOverOldOnes() {
        NodeGroupAutoscalingOptions request = NodeGroupAutoscalingOptions.newBuilder()
                .setScaleDownUtilizationThreshold(0.7)
                .setScaleDownGpuUtilizationThreshold(0.6)
                .setScaleDownUnneededDuration(pb(Duration.ofMinutes(3)))
                .setScaleDownUnneededTime(k8s(Duration.ofMinutes(99)))
                .setScaleDownUnreadyDuration(pb(Duration.ofMinutes(4)))
                .setMaxNodeProvisionDuration(pb(Duration.ofMinutes(5)))
                .setZeroOrMaxNodeScaling(true)
                .build();

        AutoscalingOptions defaults = AutoscalingOptionsMessages.defaults(request, true);

        assertThat(defaults)
                .isEqualTo(new AutoscalingOptions(
                        0.7, 0.6, Duration.ofMinutes(3), Duration.ofMinutes(4), Duration.ofMinutes(5), true, false));
    }

    @Test
    void oldClientFieldsAreHonoured() {
        // A CA 1.33 sends fields 1-7 only.
        NodeGroupAutoscalingOptions request = NodeGroupAutoscalingOptions.newBuilder()
                .setScaleDownUtilizationThreshold(0.4)
                .setScaleDownUnneededTime(k8s(Duration.ofSeconds(90)))
                .setScaleDownUnreadyTime(k8s(Duration.ofMinutes(7)))
                .setMaxNodeProvisionTime(k8s(Duration.ofMinutes(12)))
                .setIgnoreDaemonSetsUtilization(true)
                .build();

        AutoscalingOptions defaults = AutoscalingOptionsMessages.defaults(request, true);

        assertThat(defaults.scaleDownUtilizationThreshold()).isEqualTo(0.4);
        assertThat(defaults.scaleDownGpuUtilizationThreshold())
                .isEqualTo(AutoscalingOptions.caDefaults().scaleDownGpuUtilizationThreshold());
        assertThat(defaults.scaleDownUnneededTime()).isEqualTo(Duration.ofSeconds(90));
        assertThat(defaults.scaleDownUnreadyTime()).isEqualTo(Duration.ofMinutes(7));
        assertThat(defaults.maxNodeProvisionTime()).isEqualTo(Duration.ofMinutes(12));
        assertThat(defaults.ignoreDaemonSetsUtilization()).isTrue();
    }

    @Test
    void missingOrZeroDurationsBecomeCaDefaultsNotZero() {
        // CA 1.25-1.28 has no field 5; a zero duration would make CA reap nodes at once.
        NodeGroupAutoscalingOptions request = NodeGroupAutoscalingOptions.newBuilder()
                .setScaleDownUnneededDuration(pb(Duration.ZERO))
                .build();

        assertThat(AutoscalingOptionsMessages.defaults(request, true)).isEqualTo(AutoscalingOptions.caDefaults());
        assertThat(AutoscalingOptionsMessages.defaults(NodeGroupAutoscalingOptions.getDefaultInstance(), false))
                .isNull();
    }

    @Test
    void responseFillsEveryDurationInBothGenerations() {
        AutoscalingOptions options = new AutoscalingOptions(
                0.3, 0.2, Duration.ofMinutes(2), Duration.ofSeconds(150), Duration.ofMillis(900_500), true, true);

        NodeGroupAutoscalingOptions message = AutoscalingOptionsMessages.toMessage(options);

        assertThat(message.getScaleDownUtilizationThreshold()).isEqualTo(0.3);
        assertThat(message.getScaleDownGpuUtilizationThreshold()).isEqualTo(0.2);
        assertThat(message.getScaleDownUnneededTime().getDuration()).isEqualTo(120_000_000_000L);
        assertThat(message.getScaleDownUnreadyTime().getDuration()).isEqualTo(150_000_000_000L);
        assertThat(message.getMaxNodeProvisionTime().getDuration()).isEqualTo(900_500_000_000L);
        assertThat(message.getScaleDownUnneededDuration()).isEqualTo(pb(Duration.ofMinutes(2)));
        assertThat(message.getScaleDownUnreadyDuration()).isEqualTo(pb(Duration.ofSeconds(150)));
        assertThat(message.getMaxNodeProvisionDuration().getSeconds()).isEqualTo(900);
        assertThat(message.getMaxNodeProvisionDuration().getNanos()).isEqualTo(500_000_000);
        assertThat(message.getZeroOrMaxNodeScaling()).isTrue();
        assertThat(message.getIgnoreDaemonSetsUtilization()).isTrue();
        // and it reads back to the same options through either generation
        assertThat(AutoscalingOptionsMessages.defaults(message, true)).isEqualTo(options);
        assertThat(AutoscalingOptionsMessages.defaults(
                        message.toBuilder()
                                .clearScaleDownUnneededDuration()
                                .clearScaleDownUnreadyDuration()
                                .clearMaxNodeProvisionDuration()
                                .build(),
                        true))
                .isEqualTo(options);
    }
}
