package dev.talosburst.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.provisioner.pool.AutoscalingOverrides;
import dev.talosburst.provisioner.pool.ImageSelector;
import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.pool.PoolProblem;
import dev.talosburst.provisioner.userdata.UserDataSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The pool rules the engine applies itself (not only start-up): image choice and autoscaling overrides, with the same
 * messages start-up prints, each naming the option key.
 */
class PoolValidationTest {

    private static final UserDataSource USER_DATA = (pool, serverName, labels, taints) -> "machine: {}";

    @Test
    void aValidPoolWithOverridesAndImageIdPasses() {
        NodePool pool = pool(
                new ImageSelector(42L, null),
                new AutoscalingOverrides(
                        0.0, 1.0, Duration.ofMinutes(5), Duration.ofMinutes(20), Duration.ofMinutes(10), true, false));
        assertThat(PoolValidation.check(List.of(pool), USER_DATA, "c1")).isEmpty();
    }

    @Test
    void thresholdsOutsideZeroToOneAreRefused() {
        NodePool pool = pool(null, new AutoscalingOverrides(1.5, -0.1, null, null, null, null, null));
        assertThat(texts(pool))
                .containsExactly(
                        "talosburst.pools.p1.autoscaling.scale-down-utilization-threshold: 1.5 must be between 0 and 1"
                                + " (a fraction of the node's allocatable)",
                        "talosburst.pools.p1.autoscaling.scale-down-gpu-utilization-threshold: -0.1 must be between 0"
                                + " and 1 (a fraction of the node's allocatable)");
    }

    @Test
    void notANumberThresholdIsRefused() {
        NodePool pool = pool(null, new AutoscalingOverrides(Double.NaN, null, null, null, null, null, null));
        assertThat(texts(pool))
                .singleElement()
                .asString()
                .startsWith("talosburst.pools.p1.autoscaling.scale-down-utilization-threshold: NaN must be between");
    }

    @Test
    void zeroOrNegativeAutoscalingDurationsAreRefused() {
        NodePool pool = pool(
                null,
                new AutoscalingOverrides(
                        null, null, Duration.ZERO, Duration.ofSeconds(-1), Duration.ofMinutes(-5), null, null));
        assertThat(texts(pool))
                .containsExactly(
                        "talosburst.pools.p1.autoscaling.scale-down-unneeded-time: must be a positive duration, e.g. 10m",
                        "talosburst.pools.p1.autoscaling.scale-down-unready-time: must be a positive duration, e.g. 10m",
                        "talosburst.pools.p1.autoscaling.max-node-provision-time: must be a positive duration, e.g. 10m");
    }

    @Test
    void imageIdAndSelectorTogetherAreRefused() {
        NodePool pool = pool(new ImageSelector(7L, "os=talos,version=v1.11.0"), null);
        assertThat(texts(pool))
                .containsExactly(
                        "talosburst.pools.p1.image: set only one of image.id, image.selector and image.talos-version");
    }

    @Test
    void nonPositiveImageIdIsRefused() {
        assertThat(texts(pool(new ImageSelector(0L, null), null)))
                .containsExactly("talosburst.pools.p1.image.id: 0 is not a Hetzner image id (a positive number)");
        assertThat(texts(pool(new ImageSelector(-3L, null), null)))
                .containsExactly("talosburst.pools.p1.image.id: -3 is not a Hetzner image id (a positive number)");
    }

    @Test
    void everyProblemIsTaggedWithItsPool() {
        NodePool pool = pool(new ImageSelector(-1L, null), null);
        assertThat(PoolValidation.check(List.of(pool), USER_DATA, "c1"))
                .extracting(PoolProblem::poolId)
                .containsOnly("p1");
    }

    private static List<String> texts(NodePool pool) {
        return PoolValidation.check(List.of(pool), USER_DATA, "c1").stream()
                .map(PoolProblem::text)
                .toList();
    }

    private static NodePool pool(ImageSelector image, AutoscalingOverrides overrides) {
        return new NodePool(
                "p1", "cx22", "fsn1", null, 0, 3, image, Map.of(), List.of(), Map.of(), List.of(), List.of(), null,
                true, true, overrides, List.of(), null);
    }
}
