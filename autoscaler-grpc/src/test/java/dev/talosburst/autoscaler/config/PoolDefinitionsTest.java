package dev.talosburst.autoscaler.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.pool.Taint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PoolDefinitionsTest {

    @TempDir
    Path dir;

    @Test
    void mapsEveryPoolOptionOntoTheDomainPool() throws Exception {
        Path patch = Files.writeString(
                dir.resolve("patch.yaml"), "machine:\n  sysctls:\n    vm.max_map_count: \"262144\"\n");
        Map<String, String> p = new HashMap<>();
        p.put("talosburst.pools.cx22-fsn1.server-type", "cx22");
        p.put("talosburst.pools.cx22-fsn1.location", "fsn1");
        p.put("talosburst.pools.cx22-fsn1.zone", "eu-central");
        p.put("talosburst.pools.cx22-fsn1.min", "1");
        p.put("talosburst.pools.cx22-fsn1.max", "5");
        p.put("talosburst.pools.cx22-fsn1.image.talos-version", "v1.11.6");
        p.put("talosburst.pools.cx22-fsn1.node-labels.\"node-role.kubernetes.io/burst\"", "");
        p.put("talosburst.pools.cx22-fsn1.node-labels.team", "data");
        p.put("talosburst.pools.cx22-fsn1.taints", "dedicated=burst:NoSchedule,spot:PreferNoSchedule");
        p.put("talosburst.pools.cx22-fsn1.server-labels.cost-center", "42");
        p.put("talosburst.pools.cx22-fsn1.firewalls", "talos-workers");
        p.put("talosburst.pools.cx22-fsn1.networks", "net-a,net-b");
        p.put("talosburst.pools.cx22-fsn1.placement-group", "spread-1");
        p.put("talosburst.pools.cx22-fsn1.public-ipv6", "false");
        p.put("talosburst.pools.cx22-fsn1.max-provision-time", "20m");
        p.put("talosburst.pools.cx22-fsn1.autoscaling.scale-down-utilization-threshold", "0.6");
        p.put("talosburst.pools.cx22-fsn1.autoscaling.scale-down-unneeded-time", "5m");
        p.put("talosburst.pools.cx22-fsn1.autoscaling.zero-or-max-node-scaling", "true");
        p.put("talosburst.pools.cx22-fsn1.talos-patches[0]", "machine:\n  kubelet:\n    extraArgs:\n      a: b,c");
        p.put("talosburst.pools.cx22-fsn1.talos-patches[1]", "@" + patch);
        p.put("talosburst.pools.cax11-nbg1.server-type", "cax11");
        p.put("talosburst.pools.cax11-nbg1.location", "nbg1");
        p.put("talosburst.pools.cax11-nbg1.max", "2");
        p.put("talosburst.pools.cax11-nbg1.image.id", "123456");

        PoolDefinitions.Result result =
                PoolDefinitions.from(ConfigFixture.load(p).pools());

        assertThat(result.problems()).isEmpty();
        assertThat(result.pools()).extracting(NodePool::id).containsExactly("cax11-nbg1", "cx22-fsn1");
        NodePool arm = result.pools().get(0);
        assertThat(arm.minSize()).isZero();
        assertThat(arm.zone()).isEqualTo("nbg1");
        assertThat(arm.image().imageId()).isEqualTo(123456L);
        assertThat(arm.publicIpv4()).isTrue();
        assertThat(arm.maxProvisionTime()).isEqualTo(Duration.ofMinutes(15));
        NodePool pool = result.pools().get(1);
        assertThat(pool.serverType()).isEqualTo("cx22");
        assertThat(pool.zone()).isEqualTo("eu-central");
        assertThat(pool.minSize()).isEqualTo(1);
        assertThat(pool.maxSize()).isEqualTo(5);
        assertThat(pool.image().labelSelector()).isEqualTo("os=talos,version=v1.11.6");
        assertThat(pool.nodeLabels())
                .containsEntry("node-role.kubernetes.io/burst", "")
                .containsEntry("team", "data");
        assertThat(pool.taints())
                .containsExactly(
                        new Taint("dedicated", "burst", "NoSchedule"), new Taint("spot", "", "PreferNoSchedule"));
        assertThat(pool.serverLabels()).containsEntry("cost-center", "42");
        assertThat(pool.firewalls()).containsExactly("talos-workers");
        assertThat(pool.networks()).containsExactly("net-a", "net-b");
        assertThat(pool.placementGroup()).isEqualTo("spread-1");
        assertThat(pool.publicIpv6()).isFalse();
        assertThat(pool.maxProvisionTime()).isEqualTo(Duration.ofMinutes(20));
        assertThat(pool.autoscaling().scaleDownUtilizationThreshold()).isEqualTo(0.6);
        assertThat(pool.autoscaling().scaleDownUnneededTime()).isEqualTo(Duration.ofMinutes(5));
        assertThat(pool.autoscaling().zeroOrMaxNodeScaling()).isTrue();
        assertThat(pool.autoscaling().scaleDownUnreadyTime()).isNull();
        assertThat(pool.talosPatches())
                .containsExactly(
                        "machine:\n  kubelet:\n    extraArgs:\n      a: b,c",
                        "machine:\n  sysctls:\n    vm.max_map_count: \"262144\"\n");
    }

    @Test
    void minAboveMaxNamesBothOptions() {
        var result = PoolDefinitions.from(ConfigFixture.load(pool("cx22-fsn1", Map.of("min", "4", "max", "2")))
                .pools());
        assertThat(result.pools()).isEmpty();
        assertThat(result.problems())
                .singleElement()
                .asString()
                .contains("talosburst.pools.cx22-fsn1.min (4)", "talosburst.pools.cx22-fsn1.max (2)");
    }

    @Test
    void badPoolIdIsNamed() {
        var result = PoolDefinitions.from(
                ConfigFixture.load(pool("CX22_fsn1", Map.of())).pools());
        assertThat(result.problems()).anySatisfy(p -> assertThat(p).contains("talosburst.pools.CX22_fsn1", "RFC 1123"));
    }

    @Test
    void badTaintThresholdAndImageAreAllReported() {
        var result = PoolDefinitions.from(ConfigFixture.load(pool(
                        "p1",
                        Map.of(
                                "taints", "dedicated=burst:Sometimes",
                                "autoscaling.scale-down-utilization-threshold", "1.5",
                                "image.id", "7",
                                "image.talos-version", "v1.11.0")))
                .pools());
        assertThat(result.problems()).hasSize(3);
        assertThat(result.problems())
                .anySatisfy(p ->
                        assertThat(p).startsWith("talosburst.pools.p1.taints:").contains("Sometimes"));
        assertThat(result.problems())
                .anySatisfy(p ->
                        assertThat(p).startsWith("talosburst.pools.p1.autoscaling.scale-down-utilization-threshold"));
        assertThat(result.problems()).anySatisfy(p -> assertThat(p).startsWith("talosburst.pools.p1.image:"));
    }

    @Test
    void imageConflictsAreReportedOnceAndABadIdIsNamed() {
        String conflict = "talosburst.pools.p1.image: set only one of image.id, image.selector and image.talos-version";
        assertThat(poolProblems(Map.of("image.id", "7", "image.selector", "os=talos")))
                .containsExactly(conflict);
        assertThat(poolProblems(Map.of("image.selector", "os=talos", "image.talos-version", "v1.11.0")))
                .containsExactly(conflict);
        assertThat(poolProblems(
                        Map.of("image.id", "7", "image.selector", "os=talos", "image.talos-version", "v1.11.0")))
                .containsExactly(conflict);
        assertThat(poolProblems(Map.of("image.id", "0")))
                .containsExactly("talosburst.pools.p1.image.id: 0 is not a Hetzner image id (a positive number)");
        assertThat(poolProblems(Map.of("autoscaling.scale-down-unready-time", "0s")))
                .containsExactly(
                        "talosburst.pools.p1.autoscaling.scale-down-unready-time: must be a positive duration, e.g. 10m");
    }

    private static List<String> poolProblems(Map<String, String> extra) {
        return PoolDefinitions.from(ConfigFixture.load(pool("p1", extra)).pools())
                .problems();
    }

    @Test
    void unknownPoolFieldFailsAndNamesTheKey() {
        assertThatThrownBy(() -> ConfigFixture.load(pool("p1", Map.of("sever-type", "cx22"))))
                .hasMessageContaining("talosburst.pools.p1.sever-type");
        assertThatThrownBy(() -> ConfigFixture.load(pool("p1", Map.of("autoscaling.scale-down-time", "5m"))))
                .hasMessageContaining("talosburst.pools.p1.autoscaling.scale-down-time");
    }

    @Test
    void unknownTopLevelKeyFails() {
        Map<String, String> p = new HashMap<>(pool("p1", Map.of()));
        p.put("talosburst.gpu-lable", "x");
        assertThatThrownBy(() -> ConfigFixture.load(p)).hasMessageContaining("talosburst.gpu-lable");
    }

    @Test
    void missingRequiredOptionIsNamed() {
        Map<String, String> p = new HashMap<>();
        p.put("talosburst.pools.p1.location", "fsn1");
        p.put("talosburst.pools.p1.max", "1");
        assertThatThrownBy(() -> ConfigFixture.load(p)).hasMessageContaining("talosburst.pools.p1.server-type");
    }

    @Test
    void noPoolsIsAProblem() {
        assertThat(PoolDefinitions.from(Map.of()).problems())
                .singleElement()
                .asString()
                .startsWith("talosburst.pools:");
    }

    static Map<String, String> pool(String id, Map<String, String> extra) {
        Map<String, String> p = new HashMap<>();
        p.put("talosburst.pools." + id + ".server-type", "cx22");
        p.put("talosburst.pools." + id + ".location", "fsn1");
        p.put("talosburst.pools." + id + ".max", "3");
        extra.forEach((k, v) -> p.put("talosburst.pools." + id + "." + k, v));
        return p;
    }

    static List<String> problems(Map<String, String> properties) {
        try {
            ConfigurationCheck.validate(ConfigFixture.load(properties));
            return List.of();
        } catch (ConfigurationCheck.InvalidConfigurationException e) {
            return e.problems();
        }
    }
}
