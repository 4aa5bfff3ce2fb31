package dev.talosburst.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.provisioner.nodegroup.AutoscalingOptions;
import dev.talosburst.provisioner.nodegroup.NodeRef;
import dev.talosburst.provisioner.nodegroup.NodeTemplate;
import dev.talosburst.provisioner.nodegroup.PodRequests;
import dev.talosburst.provisioner.pool.AutoscalingOverrides;
import dev.talosburst.provisioner.pool.ImageSelector;
import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.pool.Taint;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NodeTemplateTest {
    private final EngineFixture fx = new EngineFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void templateDescribesTheServerTypeWithRealisticAllocatableAndThePoolsLabelsAndTaints() {
        NodeGroupEngine engine = fx.engine(EngineFixture.pool("arm", "cax21", "hel1", 0, 3));
        engine.start();

        NodeTemplate template = engine.template("arm");

        assertThat(template.architecture()).isEqualTo("arm64");
        assertThat(template.labels())
                .containsEntry("kubernetes.io/arch", "arm64")
                .containsEntry("kubernetes.io/os", "linux")
                .containsEntry("node.kubernetes.io/instance-type", "cax21")
                .containsEntry("topology.kubernetes.io/region", "hel1")
                .containsEntry("topology.kubernetes.io/zone", "hel1")
                .containsEntry("instance.hetzner.cloud/provided-by", "cloud")
                .containsEntry(Ownership.NODE_POOL_LABEL, "arm")
                .containsEntry("example.com/tier", "burst");
        assertThat(template.taints()).containsExactly(new Taint("burst", "true", "NoSchedule"));
        NodeTemplate.Resources capacity = template.capacity();
        NodeTemplate.Resources allocatable = template.allocatable();
        assertThat(capacity.milliCpu()).isEqualTo(4000);
        assertThat(capacity.pods()).isEqualTo(110);
        // a cax21 advertises 8 GB; the VM shows less, and kubelet keeps some
        assertThat(capacity.memoryBytes()).isLessThan(8L << 30).isGreaterThan(7L << 30);
        assertThat(allocatable.memoryBytes()).isLessThan(capacity.memoryBytes());
        assertThat(allocatable.milliCpu()).isLessThan(capacity.milliCpu());
        assertThat(allocatable.ephemeralStorageBytes()).isLessThan(capacity.ephemeralStorageBytes());
    }

    @Test
    void optionsOverlayPoolOverridesOnCaDefaultsAndFollowTheMaxProvisionTime() {
        NodePool tuned = new NodePool(
                "tuned",
                "cx22",
                "fsn1",
                null,
                0,
                3,
                ImageSelector.talos(null),
                null,
                null,
                null,
                null,
                null,
                null,
                true,
                true,
                new AutoscalingOverrides(0.3, null, Duration.ofMinutes(3), null, null, true, null),
                null,
                Duration.ofMinutes(20));
        NodeGroupEngine engine = fx.engine(tuned, EngineFixture.pool("plain", "cx22", "fsn1", 0, 3));
        engine.start();

        AutoscalingOptions options = engine.options("tuned", AutoscalingOptions.caDefaults());
        assertThat(options.scaleDownUtilizationThreshold()).isEqualTo(0.3);
        assertThat(options.scaleDownGpuUtilizationThreshold()).isEqualTo(0.5);
        assertThat(options.scaleDownUnneededTime()).isEqualTo(Duration.ofMinutes(3));
        assertThat(options.scaleDownUnreadyTime()).isEqualTo(Duration.ofMinutes(20));
        assertThat(options.maxNodeProvisionTime()).isEqualTo(Duration.ofMinutes(20));
        assertThat(options.zeroOrMaxNodeScaling()).isTrue();

        AutoscalingOptions plain = engine.options("plain", null);
        assertThat(plain.maxNodeProvisionTime()).isEqualTo(Duration.ofMinutes(15));
        assertThat(plain.scaleDownUnneededTime()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void pricesComeFromHetznersHourlyPriceInThePoolsLocation() {
        NodeGroupEngine engine = fx.engine(
                EngineFixture.pool("small", "cx22", "fsn1", 0, 3), EngineFixture.pool("large", "cx42", "fsn1", 0, 3));
        engine.start();
        engine.increaseSize("small", 1);
        fx.awaitServers("small", 1);
        var server = fx.serversOf("small").get(0);
        java.math.BigDecimal hourly = fx.client.serverTypes().stream()
                .filter(t -> t.name().equals("cx22"))
                .findFirst()
                .orElseThrow()
                .priceIn("fsn1")
                .orElseThrow()
                .hourlyNet();

        Instant start = Instant.parse("2026-11-26T10:00:00Z");
        double twoHours = engine.nodePrice(NodeRef.of("", server.name()), start, start.plus(Duration.ofHours(2)));
        assertThat(twoHours).isCloseTo(hourly.doubleValue() * 2, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(engine.nodePrice(NodeRef.of("", "control-plane-1"), start, start.plus(Duration.ofHours(2))))
                .isZero();

        // a pod wanting half of a small node's allocatable costs half of the cheapest node per hour
        NodeTemplate small = engine.template("small");
        double pod = engine.podPrice(
                new PodRequests(small.allocatable().milliCpu() / 2, 1L << 20), start, start.plus(Duration.ofHours(1)));
        assertThat(pod).isCloseTo(hourly.doubleValue() / 2, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void clusterAutoscalersTemplateNodesArePricedFromTheirPoolsTypeAndLocation() {
        // three equivalent 4-vCPU / 8 GB pools at different prices: the price expander compares their template nodes
        NodeGroupEngine engine = fx.engine(
                EngineFixture.pool("intel", "cx32", "fsn1", 0, 3),
                EngineFixture.pool("amd", "cpx31", "fsn1", 0, 3),
                EngineFixture.pool("arm", "cax21", "fsn1", 0, 3));
        engine.start();
        Instant start = Instant.parse("2026-11-26T10:00:00Z");
        Instant end = start.plus(Duration.ofMinutes(90));

        Map<String, Double> byLabels = new java.util.LinkedHashMap<>();
        for (String group : List.of("intel", "amd", "arm")) {
            double hourly = hourlyNet(engine.template(group).serverType(), "fsn1");
            // what CA sends: its template node, renamed template-node-for-<group>-<random>, our labels, no providerID
            NodeRef template = new NodeRef(
                    "",
                    "template-node-for-" + group + "-5577006791947779410",
                    engine.template(group).labels(),
                    Map.of());
            byLabels.put(group, engine.nodePrice(template, start, end));
            assertThat(byLabels.get(group)).isCloseTo(hourly * 1.5, org.assertj.core.data.Offset.offset(1e-9));
            // the name alone is enough (a template built without our labels)
            assertThat(engine.nodePrice(NodeRef.of("", "template-node-for-" + group + "-42"), start, end))
                    .isEqualTo(byLabels.get(group));
        }
        assertThat(byLabels.get("arm")).isLessThan(byLabels.get("intel"));
        assertThat(byLabels.get("intel")).isLessThan(byLabels.get("amd"));

        // not ours: another installation's labels, an unknown group, a foreign node
        Map<String, String> foreign =
                new java.util.HashMap<>(engine.template("amd").labels());
        foreign.put(Ownership.NODE_CLUSTER_LABEL, "another-cluster");
        assertThat(engine.nodePrice(new NodeRef("", "template-node-for-amd-1", foreign, Map.of()), start, end))
                .isZero();
        assertThat(engine.nodePrice(NodeRef.of("", "template-node-for-gpu-1"), start, end))
                .isZero();
        assertThat(engine.nodePrice(NodeRef.of("", "template-node-for-amdx-1"), start, end))
                .isZero();

        // a pod bound to a template node costs its share of that pool, not of the cheapest one
        NodeTemplate amd = engine.template("amd");
        double pod = engine.podPrice(
                new PodRequests(amd.allocatable().milliCpu() / 2, 1L << 20, "template-node-for-amd-7"), start, end);
        assertThat(pod).isCloseTo(hourlyNet("cpx31", "fsn1") / 2 * 1.5, org.assertj.core.data.Offset.offset(1e-6));
    }

    private double hourlyNet(String type, String location) {
        return fx.client.serverTypes().stream()
                .filter(t -> t.name().equals(type))
                .findFirst()
                .orElseThrow()
                .priceIn(location)
                .orElseThrow()
                .hourlyNet()
                .doubleValue();
    }

    @Test
    void invalidPoolsFailConstructionWithEveryProblemNamed() {
        NodePool bad = new NodePool(
                "Bad_Pool",
                "",
                "fsn1",
                null,
                3,
                1,
                null,
                Map.of(),
                List.of(),
                Map.of(),
                List.of(),
                List.of(),
                null,
                true,
                true,
                null,
                List.of(),
                null);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> fx.engine(bad))
                .isInstanceOf(PoolValidation.InvalidPoolsException.class)
                .hasMessageContaining(
                        "talosburst.pools.Bad_Pool: pool id 'Bad_Pool' must be a lowercase RFC 1123 label")
                .hasMessageContaining("talosburst.pools.Bad_Pool.server-type: required")
                .hasMessageContaining(
                        "talosburst.pools.Bad_Pool.min (3) is greater than talosburst.pools.Bad_Pool.max (1)");
    }

    @Test
    void theEngineRefusesTheImageAndAutoscalingRulesStartUpRefuses() {
        NodePool bad = new NodePool(
                "bad",
                "cx22",
                "fsn1",
                null,
                0,
                1,
                new ImageSelector(-5L, "os=talos"),
                Map.of(),
                List.of(),
                Map.of(),
                List.of(),
                List.of(),
                null,
                true,
                true,
                new AutoscalingOverrides(2.0, null, Duration.ZERO, null, null, null, null),
                List.of(),
                null);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> fx.engine(bad))
                .isInstanceOf(PoolValidation.InvalidPoolsException.class)
                .hasMessageContaining(
                        "talosburst.pools.bad.image: set only one of image.id, image.selector and image.talos-version")
                .hasMessageContaining("talosburst.pools.bad.image.id: -5 is not a Hetzner image id")
                .hasMessageContaining("talosburst.pools.bad.autoscaling.scale-down-utilization-threshold: 2.0 must be"
                        + " between 0 and 1")
                .hasMessageContaining(
                        "talosburst.pools.bad.autoscaling.scale-down-unneeded-time: must be a positive duration");
    }
}
