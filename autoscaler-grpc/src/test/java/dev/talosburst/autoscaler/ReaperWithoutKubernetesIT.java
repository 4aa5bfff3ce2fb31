package dev.talosburst.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.autoscaler.testing.PackagedApp;
import dev.talosburst.proto.externalgrpc.CloudProviderGrpc;
import dev.talosburst.proto.externalgrpc.Instance;
import dev.talosburst.proto.externalgrpc.InstanceStatus;
import dev.talosburst.proto.externalgrpc.NodeGroupIncreaseSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupNodesRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupTargetSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupsRequest;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar with {@code talosburst.kubernetes.enabled=false} (the default) and a pool whose max-provision-time is
 * a few seconds: no Node can be seen registering, so the server must outlive that time by many resyncs instead of being
 * reaped, and the start-up log must say that this rule is off.
 */
class ReaperWithoutKubernetesIT {

    private static final String POOL = "quick-fsn1";

    private PackagedApp app;
    /** To the app's gRPC port; closed with the app. */
    private ManagedChannel channel;

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void aServerIsNotReapedForNotRegisteringWhenRegistrationCannotBeObserved() throws Exception {
        int grpcPort = PackagedApp.freePort();
        app = PackagedApp.named("reaper-without-kubernetes")
                .systemProperty("talosburst.hcloud.embedded-simulator", true)
                .systemProperty("talosburst.kubernetes.enabled", false)
                .systemProperty("talosburst.reaper.enabled", true)
                .systemProperty("talosburst.engine.resync-interval", "1s")
                .systemProperty("talosburst.pools." + POOL + ".server-type", "cx22")
                .systemProperty("talosburst.pools." + POOL + ".location", "fsn1")
                .systemProperty("talosburst.pools." + POOL + ".max", 2)
                .systemProperty("talosburst.pools." + POOL + ".max-provision-time", "2s")
                .systemProperty("talosburst.grpc.port", grpcPort)
                .systemProperty("talosburst.management.port", PackagedApp.freePort())
                .start();
        channel = app.plaintextChannel(grpcPort);

        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> {
                    assertThat(app.isAlive())
                            .as("application still running; see " + app.log())
                            .isTrue();
                    return ca().nodeGroups(NodeGroupsRequest.getDefaultInstance()).getNodeGroupsList().stream()
                            .anyMatch(g -> g.getId().equals(POOL));
                });
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .untilAsserted(() -> ca().nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest.newBuilder()
                        .setId(POOL)
                        .setDelta(1)
                        .build()));
        String id = await().atMost(Duration.ofSeconds(30))
                .until(
                        this::instances,
                        list -> list.size() == 1 && list.get(0).getId().startsWith("hcloud://"))
                .get(0)
                .getId();

        // five times the max-provision-time, with a resync every second: before the fix the reaper deleted it after 2s
        await().during(Duration.ofSeconds(10))
                .atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    List<Instance> now = instances();
                    return now.size() == 1
                            && now.get(0).getId().equals(id)
                            && now.get(0).getStatus().getInstanceState()
                                    != InstanceStatus.InstanceState.instanceDeleting
                            && ca().nodeGroupTargetSize(NodeGroupTargetSizeRequest.newBuilder()
                                                    .setId(POOL)
                                                    .build())
                                            .getTargetSize()
                                    == 1;
                });
        String output = app.output();
        assertThat(output)
                .contains("It does NOT delete servers for never registering as a Node")
                .contains("the reaper never deletes a server for not registering")
                .doesNotContain("reaper: deleting server");
    }

    private List<Instance> instances() {
        return ca().nodeGroupNodes(
                        NodeGroupNodesRequest.newBuilder().setId(POOL).build())
                .getInstancesList();
    }

    private CloudProviderGrpc.CloudProviderBlockingStub ca() {
        return CloudProviderGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    }
}
