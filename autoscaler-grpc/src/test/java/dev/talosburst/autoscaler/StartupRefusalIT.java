package dev.talosburst.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.autoscaler.config.ConfigurationCheck.InvalidConfigurationException;
import dev.talosburst.autoscaler.testing.PackagedApp;
import dev.talosburst.hcloudsim.HcloudSimulator;
import dev.talosburst.hcloudsim.SimulatorOptions;
import dev.talosburst.proto.externalgrpc.CloudProviderGrpc;
import dev.talosburst.proto.externalgrpc.NodeGroup;
import dev.talosburst.proto.externalgrpc.NodeGroupsRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a production start-up refuses, on the packaged jar: no silent demo (no example pools, no simulator, no demo
 * user-data against real Hetzner), and every problem in one block an operator can act on, without a stack trace.
 */
class StartupRefusalIT {

    private static final Duration REFUSAL = Duration.ofSeconds(90);
    private static HcloudSimulator hetzner;

    @BeforeAll
    static void startHetzner() {
        // stands in for api.hetzner.cloud: talos-burst is configured for real Hetzner, with an endpoint and a token
        hetzner = HcloudSimulator.start(
                SimulatorOptions.builder().host("127.0.0.1").port(0).build());
    }

    @AfterAll
    static void stopHetzner() {
        hetzner.close();
    }

    @Test
    void withNothingConfiguredItListsWhatARealDeploymentNeedsAndPointsToTheDemo() throws Exception {
        try (PackagedApp app = PackagedApp.named("refused-nothing-configured")
                .systemProperty("talosburst.management.port", PackagedApp.freePort())
                .start()) {
            assertThat(app.exitCode(REFUSAL)).isEqualTo(1);
            assertThat(app.output())
                    .contains(
                            InvalidConfigurationException.HEADLINE,
                            "talosburst.pools: no node pool is configured",
                            "-Dquarkus.profile=demo",
                            "talosburst.cluster-id: required",
                            "talosburst.hcloud.token: required",
                            "talosburst.talos.worker-config: required with real Hetzner",
                            "talosburst.grpc.tls.cert: required")
                    .doesNotContain("SIMULATED", "cx22-fsn1", "cax11-fsn1");
            assertNoStackTrace(app);
        }
    }

    @Test
    void realHetznerWithoutAWorkerConfigDoesNotStart() throws Exception {
        try (PackagedApp app =
                realHetzner("refused-no-worker-config", PackagedApp.freePort()).start()) {
            assertThat(app.exitCode(REFUSAL)).isEqualTo(1);
            assertThat(app.output())
                    .contains(
                            "talosburst.talos.worker-config: required with real Hetzner",
                            "talosburst.talos.demo-user-data=true")
                    .doesNotContain(hetzner.token());
            assertNoStackTrace(app);
        }
        assertThat(hetzner.inspect().servers()).as("nothing was bought").isEmpty();
    }

    @Test
    void realHetznerOffersExactlyThePoolsTheOperatorWrote() throws Exception {
        int grpcPort = PackagedApp.freePort();
        try (PackagedApp app = realHetzner("real-hetzner-own-pools", grpcPort)
                .systemProperty("talosburst.talos.demo-user-data", "true")
                .start()) {
            app.awaitPort(grpcPort);
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort)
                    .usePlaintext()
                    .build();
            try {
                List<String> groups = CloudProviderGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .nodeGroups(NodeGroupsRequest.getDefaultInstance())
                        .getNodeGroupsList()
                        .stream()
                        .map(NodeGroup::getId)
                        .toList();
                assertThat(groups).containsExactly("mine");
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            assertThat(app.output()).doesNotContain("SIMULATED", hetzner.token());
        }
    }

    @Test
    void theDemoProfileCannotRunAgainstRealHetzner() throws Exception {
        try (PackagedApp app = realHetzner("refused-demo-on-real-hetzner", PackagedApp.freePort())
                .systemProperty("quarkus.profile", "demo")
                .systemProperty("talosburst.talos.demo-user-data", "true")
                .start()) {
            assertThat(app.exitCode(REFUSAL)).isEqualTo(1);
            assertThat(app.output()).contains("quarkus.profile=demo is the simulated demo");
            assertNoStackTrace(app);
        }
    }

    @Test
    void everyProblemInOneBlockWithTheKeyToFix() throws Exception {
        try (PackagedApp app = demo("refused-one-block")
                .systemProperty("talosburst.pools.cx22-fsn1.mx", "4")
                .systemProperty("talosburst.reaper.stuck-aftr", "5m")
                .systemProperty("talosburst.pools.cax11-fsn1.min", "5")
                .systemProperty("talosburst.engine.create-concurrency", "0")
                .systemProperty("talosburst.pools.cx22-fsn1.talos-patches[0]", "@/nonexistent/patch.yaml")
                .systemProperty("quarkus.http.port", "8080")
                .systemProperty("quarkus.tls.talosburst-grpc.trust-all", "true")
                .start()) {
            assertThat(app.exitCode(REFUSAL)).isEqualTo(1);
            assertThat(app.output())
                    .contains(
                            InvalidConfigurationException.HEADLINE,
                            "talosburst.pools.cx22-fsn1.mx: no such option; did you mean talosburst.pools.cx22-fsn1.max?",
                            "talosburst.reaper.stuck-aftr: no such option; did you mean talosburst.reaper.stuck-after?",
                            "talosburst.pools.cax11-fsn1.min (5) is greater than talosburst.pools.cax11-fsn1.max (3)",
                            "talosburst.engine.create-concurrency: 0 is too small; use a whole number of at least 1",
                            "talosburst.pools.cx22-fsn1.talos-patches[0]: cannot read patch file /nonexistent/patch.yaml",
                            "quarkus.http.port is set",
                            "set talosburst.grpc.port instead",
                            "quarkus.tls.talosburst-grpc.trust-all is set (in SysPropConfigSource) but the gRPC endpoint's TLS comes only "
                                    + "from talosburst.grpc.tls.*");
            assertThat(app.output().lines().filter(l -> l.contains(InvalidConfigurationException.HEADLINE)))
                    .hasSize(1);
            assertNoStackTrace(app);
        }
    }

    @Test
    void aBadDurationSaysWhichFormatsAreAccepted() throws Exception {
        try (PackagedApp app = demo("refused-bad-duration")
                .systemProperty("talosburst.engine.resync-interval", "10mins")
                .start()) {
            assertThat(app.exitCode(REFUSAL)).isEqualTo(1);
            assertThat(app.output())
                    .contains("talosburst.engine.resync-interval", "'10mins' is not a duration", "90s, 10m, 1h");
            assertNoStackTrace(app);
        }
    }

    private static PackagedApp.Builder demo(String name) {
        return PackagedApp.named(name)
                .systemProperty("quarkus.profile", "demo")
                .systemProperty("talosburst.grpc.port", PackagedApp.freePort())
                .systemProperty("talosburst.management.port", PackagedApp.freePort());
    }

    /** Configured for real Hetzner (the simulator behind the endpoint), plaintext on loopback, one pool of its own. */
    private static PackagedApp.Builder realHetzner(String name, int grpcPort) {
        return PackagedApp.named(name)
                .systemProperty("talosburst.hcloud.embedded-simulator", "false")
                .systemProperty("talosburst.hcloud.endpoint", hetzner.endpoint())
                .env("TALOSBURST_HCLOUD_TOKEN", hetzner.token())
                .systemProperty("talosburst.cluster-id", "it-cluster")
                .systemProperty("talosburst.grpc.plaintext", "true")
                .systemProperty("talosburst.grpc.port", grpcPort)
                .systemProperty("talosburst.management.port", PackagedApp.freePort())
                .systemProperty("talosburst.pools.mine.server-type", "cx22")
                .systemProperty("talosburst.pools.mine.location", "fsn1")
                .systemProperty("talosburst.pools.mine.max", "2");
    }

    private static void assertNoStackTrace(PackagedApp app) {
        assertThat(app.output().lines().filter(l -> l.startsWith("\tat ") || l.startsWith("Caused by")))
                .as(app.log().toString())
                .isEmpty();
    }
}
