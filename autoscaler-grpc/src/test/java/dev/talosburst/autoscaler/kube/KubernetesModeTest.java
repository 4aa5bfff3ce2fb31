package dev.talosburst.autoscaler.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.talosburst.autoscaler.testing.ManagementEndpoint;
import dev.talosburst.autoscaler.wiring.EmbeddedHetzner;
import dev.talosburst.proto.externalgrpc.CloudProviderGrpc;
import dev.talosburst.proto.externalgrpc.NodeGroupIncreaseSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupTargetSizeRequest;
import dev.talosburst.provisioner.directory.NodeDirectory;
import dev.talosburst.provisioner.engine.NodeGroupEngine;
import dev.talosburst.provisioner.engine.Ownership;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** The application with talosburst.kubernetes.enabled=true against the mock API server: wiring, election, health, providerID. */
@QuarkusTest
@TestProfile(KubernetesModeTest.Enabled.class)
@WithKubernetesTestServer(crud = true)
class KubernetesModeTest {
    static final String POOL = "cx22-fsn1";

    /** Kubernetes on, with a short lease so the test does not wait long. */
    public static class Enabled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "talosburst.kubernetes.enabled",
                    "true",
                    "talosburst.kubernetes.namespace",
                    "talos-burst",
                    "talosburst.kubernetes.identity",
                    "talos-burst-test",
                    "talosburst.kubernetes.lease-duration",
                    "4s",
                    "talosburst.kubernetes.renew-deadline",
                    "3s",
                    "talosburst.kubernetes.retry-period",
                    "500ms");
        }
    }

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    NodeDirectory nodes;

    @Inject
    NodeGroupEngine engine;

    @Inject
    EmbeddedHetzner hetzner;

    private static HttpResponse<String> get(String path) throws Exception {
        return ManagementEndpoint.get(path);
    }

    @Test
    void theReplicaLeadsThroughTheLeaseIsReadyAndGivesOurNodesTheirProviderId() throws Exception {
        KubernetesClient client = server.getClient();
        assertThat(nodes).isInstanceOf(KubernetesNodeDirectory.class);
        await().atMost(Duration.ofSeconds(20)).until(engine::isLeader);
        Lease lease = client.leases()
                .inNamespace("talos-burst")
                .withName("talos-burst-leader")
                .get();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("talos-burst-test");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> ready = get("/q/health/ready");
            assertThat(ready.body()).contains("\"leadership\"").contains("\"leaseHolder\": \"talos-burst-test\"");
            assertThat(ready.statusCode()).isEqualTo(200);
        });
        HttpResponse<String> live = get("/q/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).contains("\"talos-burst-process\"").contains("\"nodeInformerRunning\": true");

        int before = engine.targetSize(POOL);
        engine.increaseSize(POOL, 1);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> engine.instances(POOL).size() == before + 1
                        && engine.instances(POOL).stream().allMatch(i -> i.id().startsWith("hcloud://")));
        long serverId = engine.instances(POOL).stream()
                .map(i -> Long.parseLong(i.id().substring("hcloud://".length())))
                .max(Long::compare)
                .orElseThrow();
        String serverName = hetzner.local()
                .unwrap(dev.talosburst.hcloudsim.HcloudSimulator.class)
                .inspect()
                .server(serverId)
                .orElseThrow()
                .name();

        // the kubelet registers the Node under the server name, without providerID
        client.nodes()
                .resource(ClusterFixture.kubeletNode(serverName, Map.of(Ownership.NODE_POOL_LABEL, POOL)))
                .create();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Node node = client.nodes().withName(serverName).get();
            assertThat(node.getSpec().getProviderID()).isEqualTo("hcloud://" + serverId);
        });
    }

    @Test
    void whileNotActingTheReplicaIsNotReadyRefusesMutationsWithUnavailableAndStillAnswersReads() throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(engine::isLeader);
        ManagedChannel channel = NettyChannelBuilder.forAddress(
                        "127.0.0.1", ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class))
                .usePlaintext()
                .build();
        try {
            CloudProviderGrpc.CloudProviderBlockingStub ca =
                    CloudProviderGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
            int target = engine.targetSize(POOL);
            engine.demote(); // what losing the lease does

            assertThat(get("/q/health/ready").statusCode()).isEqualTo(503);
            assertThatThrownBy(() -> ca.nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest.newBuilder()
                            .setId(POOL)
                            .setDelta(1)
                            .build()))
                    .isInstanceOfSatisfying(
                            StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            assertThat(ca.nodeGroupTargetSize(NodeGroupTargetSizeRequest.newBuilder()
                                    .setId(POOL)
                                    .build())
                            .getTargetSize())
                    .isEqualTo(target);
            assertThat(get("/q/health/live").statusCode()).isEqualTo(200);
        } finally {
            engine.promote(); // this replica still holds the lease
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> get("/q/health/ready").statusCode() == 200);
    }
}
