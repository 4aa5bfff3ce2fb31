package dev.talosburst.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.autoscaler.testing.PackagedApp;
import dev.talosburst.proto.externalgrpc.CloudProviderGrpc;
import dev.talosburst.proto.externalgrpc.Instance;
import dev.talosburst.proto.externalgrpc.NodeGroup;
import dev.talosburst.proto.externalgrpc.NodeGroupIncreaseSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupNodesRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupTargetSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupsRequest;
import dev.talosburst.proto.externalgrpc.RefreshRequest;
import io.grpc.ManagedChannel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The README's run command, for real: {@code java -jar autoscaler-grpc/target/quarkus-app/quarkus-run.jar} with
 * nothing configured but free ports, then cluster-autoscaler's first calls over plaintext gRPC on 127.0.0.1.
 */
class EmbeddedRunIT {

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
    void embeddedDefaultsServeClusterAutoscaler() throws Exception {
        int grpcPort = PackagedApp.freePort();
        int managementPort = PackagedApp.freePort();
        app = PackagedApp.named("embedded-run")
                .systemProperty("quarkus.profile", "demo")
                .systemProperty("talosburst.grpc.port", grpcPort)
                .systemProperty("quarkus.kubernetes-client.api-server-url", "https://127.0.0.1:6443")
                .systemProperty("talosburst.management.port", managementPort)
                .start();
        channel = app.plaintextChannel(grpcPort);

        List<NodeGroup> groups = await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(
                        () -> {
                            assertThat(app.isAlive())
                                    .as("application still running; see " + app.log())
                                    .isTrue();
                            ca().refresh(RefreshRequest.getDefaultInstance());
                            return ca().nodeGroups(NodeGroupsRequest.getDefaultInstance())
                                    .getNodeGroupsList();
                        },
                        list -> !list.isEmpty());
        assertThat(groups).extracting(NodeGroup::getId).containsExactlyInAnyOrder("cx22-fsn1", "cax11-fsn1");

        ca().nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest.newBuilder()
                .setId("cx22-fsn1")
                .setDelta(1)
                .build());
        assertThat(ca().nodeGroupTargetSize(NodeGroupTargetSizeRequest.newBuilder()
                                .setId("cx22-fsn1")
                                .build())
                        .getTargetSize())
                .isEqualTo(1);
        Instance created = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> ca().nodeGroupNodes(NodeGroupNodesRequest.newBuilder()
                                        .setId("cx22-fsn1")
                                        .build())
                                .getInstancesList(),
                        list -> list.size() == 1 && list.get(0).getId().startsWith("hcloud://"))
                .get(0);
        assertThat(created.getId()).matches("hcloud://\\d+");

        HttpResponse<String> ready = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
        String output = app.output();
        assertThat(output)
                .contains("Hetzner Cloud is SIMULATED")
                .contains("http://127.0.0.1:" + grpcPort)
                .contains("gRPC CloudProvider on 127.0.0.1:" + grpcPort + ": PLAINTEXT, for local use only");
        // a normal start prints only what an operator needs: no Quarkus warning that does not apply
        assertThat(output.lines().filter(l -> l.contains(" WARN ")).filter(l -> !l.contains("[dev.talosburst.")))
                .isEmpty();
        assertThat(output).doesNotContain("cannot be changed at runtime", "virtual threads", "insecure-requests");
    }

    private CloudProviderGrpc.CloudProviderBlockingStub ca() {
        return CloudProviderGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    }
}
