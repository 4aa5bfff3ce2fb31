package dev.talosburst.autoscaler.kube;

import static dev.talosburst.autoscaler.kube.ClusterFixture.POOL;
import static dev.talosburst.autoscaler.kube.ClusterFixture.kubeletNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.hcloudsim.ServerSnapshot;
import dev.talosburst.provisioner.directory.KubeNode;
import dev.talosburst.provisioner.engine.NodeGroupEngine;
import dev.talosburst.provisioner.engine.Ownership;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.lifecycle.Transition;
import dev.talosburst.provisioner.nodegroup.NodeRef;
import dev.talosburst.provisioner.testing.CapturedLog;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine and the fabric8 node directory against the mock API server: providerID, readiness, cleanup. */
@EnableKubernetesMockClient(crud = true)
class NodeLifecycleTest {
    static KubernetesClient client;
    static KubernetesMockServer server;

    private ClusterFixture fx;
    private KubernetesNodeDirectory directory;
    private NodeGroupEngine engine;

    @BeforeEach
    void start() {
        client.nodes().delete();
        await().until(() -> client.nodes().list().getItems().isEmpty());
        fx = new ClusterFixture();
        directory = fx.directory(client);
        engine = fx.engine(directory);
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    private List<ServerSnapshot> scaleUp(int count) {
        engine.increaseSize(POOL, count);
        List<ServerSnapshot> servers = fx.awaitServers(count);
        await().until(() -> engine.instances(POOL).stream().allMatch(i -> i.id().startsWith("hcloud://")));
        return servers;
    }

    private Node node(String name) {
        return client.nodes().withName(name).get();
    }

    private static String providerId(Node node) {
        return node.getSpec().getProviderID();
    }

    private Timer phase(String phase) {
        return fx.registry
                .find("talosburst.node.provisioning")
                .tags("pool", POOL, "phase", phase)
                .timer();
    }

    @Test
    void aNodeNamedLikeOurServerGetsItsProviderIdOnceAndOtherNodesAreLeftAlone() {
        engine.start();
        List<ServerSnapshot> servers = scaleUp(2);
        ServerSnapshot plain = servers.get(0);
        ServerSnapshot claimed = servers.get(1);
        Node foreign = client.nodes()
                .resource(kubeletNode("control-plane-1", Map.of("node-role.kubernetes.io/control-plane", "")))
                .create();
        // registered under our server's name, but someone already set a providerID naming another server
        client.nodes()
                .resource(new NodeBuilder(kubeletNode(claimed.name(), Map.of(Ownership.NODE_POOL_LABEL, POOL)))
                        .editSpec()
                        .withProviderID("hcloud://424242")
                        .endSpec()
                        .build())
                .create();

        client.nodes()
                .resource(kubeletNode(plain.name(), Map.of(Ownership.NODE_POOL_LABEL, POOL)))
                .create();

        await().untilAsserted(() -> assertThat(providerId(node(plain.name()))).isEqualTo("hcloud://" + plain.id()));
        await().untilAsserted(() -> assertThat(directory.byProviderId("hcloud://" + plain.id()))
                .get()
                .extracting(KubeNode::name)
                .isEqualTo(plain.name()));
        await().untilAsserted(() -> assertThat(fx.registry
                        .find("talosburst.node.providerid.mismatch")
                        .tags("pool", POOL)
                        .counter())
                .isNotNull()
                .extracting(Counter::count)
                .isNotEqualTo(0.0));

        // a full resync with its Node sweep changes nothing more
        fx.clock.advance(Duration.ofMinutes(2));
        engine.tick();
        assertThat(providerId(node(claimed.name()))).isEqualTo("hcloud://424242");
        Node foreignNow = node("control-plane-1");
        assertThat(foreignNow.getSpec().getProviderID()).isNull();
        assertThat(foreignNow.getMetadata().getResourceVersion())
                .isEqualTo(foreign.getMetadata().getResourceVersion());
        assertThat(engine.forNode(NodeRef.of("hcloud://" + plain.id(), plain.name())))
                .get()
                .extracting(g -> g.id())
                .isEqualTo(POOL);
    }

    @Test
    void aFollowerWatchesButNeverPatchesAndAPromotedEngineDoes() {
        engine.start();
        ServerSnapshot server = scaleUp(1).get(0);
        engine.demote();

        client.nodes()
                .resource(kubeletNode(server.name(), Map.of(Ownership.NODE_POOL_LABEL, POOL)))
                .create();
        await().until(() -> directory.byName(server.name()).isPresent());
        fx.clock.advance(Duration.ofMinutes(2));
        engine.tick();
        await().during(Duration.ofMillis(500))
                .atMost(Duration.ofSeconds(2))
                .until(() -> providerId(node(server.name())) == null);
        // a follower publishes nothing either: the leader does
        assertThat(fx.events(Transition.NODE_REGISTERED)).isEmpty();

        engine.promote();
        // the promotion's resync learns the server again and sets the providerID on its Node
        await().untilAsserted(() -> assertThat(providerId(node(server.name()))).isEqualTo("hcloud://" + server.id()));
    }

    @Test
    void registrationAndReadinessReachTheEngineTheEventsAndTheHistogram() {
        engine.start();
        ServerSnapshot server = scaleUp(1).get(0);
        fx.clock.advance(Duration.ofSeconds(40));
        client.nodes()
                .resource(kubeletNode(server.name(), Map.of(Ownership.NODE_POOL_LABEL, POOL)))
                .create();
        await().until(() -> !fx.events(Transition.NODE_REGISTERED).isEmpty());
        assertThat(phase("node_registered").count()).isEqualTo(1);
        assertThat(phase("node_registered").totalTime(TimeUnit.SECONDS)).isGreaterThanOrEqualTo(40);
        assertThat(fx.events(Transition.NODE_READY)).isEmpty();

        fx.clock.advance(Duration.ofSeconds(20));
        ClusterFixture.setReady(client, server.name(), "True");
        await().until(() -> !fx.events(Transition.NODE_READY).isEmpty());
        LifecycleEvent ready = fx.events(Transition.NODE_READY).get(0);
        assertThat(ready.serverId()).isEqualTo(server.id());
        assertThat(ready.server().registeredAt()).isNotNull();
        assertThat(ready.server().readyAt())
                .isEqualTo(ready.server().registeredAt().plusSeconds(20));
        assertThat(phase("node_ready").count()).isEqualTo(1);
        assertThat(phase("node_ready").totalTime(TimeUnit.SECONDS)).isGreaterThanOrEqualTo(60);

        ClusterFixture.setReady(client, server.name(), "Unknown");
        await().until(() -> !fx.events(Transition.NODE_NOT_READY).isEmpty());
        ClusterFixture.setReady(client, server.name(), "True");
        await().until(() -> fx.events(Transition.NODE_READY).size() == 2);
        // readiness regained is a second node-ready event, but the provisioning histogram measures only the first time
        assertThat(phase("node_ready").count()).isEqualTo(1);
        assertThat(fx.events(Transition.NODE_REGISTERED)).hasSize(1);
    }

    @Test
    void scaleDownDeletesTheServerAndThenItsNode() {
        engine.start();
        List<ServerSnapshot> servers = scaleUp(2);
        ServerSnapshot gone = servers.get(0);
        ServerSnapshot kept = servers.get(1);
        for (ServerSnapshot server : servers) {
            client.nodes()
                    .resource(kubeletNode(server.name(), Map.of(Ownership.NODE_POOL_LABEL, POOL)))
                    .create();
        }
        await().until(() -> directory
                .byName(gone.name())
                .map(n -> !n.providerId().isEmpty())
                .orElse(false));

        engine.deleteNodes(POOL, List.of(NodeRef.of("hcloud://" + gone.id(), gone.name())));

        await().until(() -> node(gone.name()) == null);
        assertThat(node(kept.name())).isNotNull();
        assertThat(fx.sim
                        .inspect()
                        .server(gone.id())
                        .map(ServerSnapshot::status)
                        .filter(s -> !s.equals("deleting")))
                .isEmpty();
        await().until(() -> fx.events(Transition.NODE_REMOVED).size() == 1);
        assertThat(fx.events(Transition.NODE_REMOVED).get(0).subject()).isEqualTo(gone.name());
    }

    @Test
    void anOrphanNodeOfOursIsRemovedAndNodesThatAreNotOursStay() {
        engine.start();
        ServerSnapshot live = scaleUp(1).get(0);
        client.nodes()
                .resource(kubeletNode(live.name(), Map.of(Ownership.NODE_POOL_LABEL, POOL)))
                .create();
        // ours by label and name, but no such server exists (deleted while talos-burst was down)
        client.nodes()
                .resource(kubeletNode(
                        POOL + "-zz9orphn",
                        Map.of(Ownership.NODE_POOL_LABEL, POOL, Ownership.NODE_CLUSTER_LABEL, ClusterFixture.CLUSTER)))
                .create();
        // ours in every way but the cluster: another talos-burst installation with the same pool names
        client.nodes()
                .resource(kubeletNode(
                        POOL + "-neighbr1",
                        Map.of(Ownership.NODE_POOL_LABEL, POOL, Ownership.NODE_CLUSTER_LABEL, "other-cluster")))
                .create();
        // named like ours without our label; labelled like ours without our name; labelled with a pool we do not have
        client.nodes().resource(kubeletNode(POOL + "-unlabeld", Map.of())).create();
        client.nodes()
                .resource(kubeletNode("gpu-box-1", Map.of(Ownership.NODE_POOL_LABEL, POOL)))
                .create();
        client.nodes()
                .resource(kubeletNode("other-abcdefgh", Map.of(Ownership.NODE_POOL_LABEL, "other")))
                .create();
        await().until(() -> directory.all().size() == 6);

        fx.clock.advance(Duration.ofMinutes(2));
        engine.tick();

        await().until(() -> node(POOL + "-zz9orphn") == null);
        assertThat(client.nodes().list().getItems())
                .extracting(n -> n.getMetadata().getName())
                .containsExactlyInAnyOrder(
                        live.name(), POOL + "-unlabeld", "gpu-box-1", "other-abcdefgh", POOL + "-neighbr1");
    }

    /** What a real API server answers when a JSON patch's resourceVersion test fails (the Node changed meanwhile). */
    private static Status resourceVersionTestFailed() {
        return new StatusBuilder()
                .withApiVersion("v1")
                .withKind("Status")
                .withStatus("Failure")
                .withCode(422)
                .withReason("Invalid")
                .withMessage("the server rejected our request due to an error in our request")
                .withNewDetails()
                .addNewCause()
                .withMessage("testing value /metadata/resourceVersion failed: test failed")
                .endCause()
                .endDetails()
                .build();
    }

    @Test
    void theKubeletUpdatingItsNodeFirstIsRetriedAndLoggedInOneDebugLine() {
        engine.start();
        ServerSnapshot server = scaleUp(1).get(0);
        // the kubelet's status update landed between the cache's copy and our patch: the API server refuses the test
        // once
        NodeLifecycleTest.server
                .expect()
                .patch()
                .withPath("/api/v1/nodes/" + server.name())
                .andReturn(422, resourceVersionTestFailed())
                .once();
        try (CapturedLog log = CapturedLog.of("dev.talosburst", Level.FINE)) {
            client.nodes()
                    .resource(kubeletNode(server.name(), Map.of(Ownership.NODE_POOL_LABEL, POOL)))
                    .create();

            await().untilAsserted(
                            () -> assertThat(providerId(node(server.name()))).isEqualTo("hcloud://" + server.id()));
            assertThat(log.atLeast(Level.WARNING)).isEmpty();
            assertThat(log.at(Level.FINE))
                    .filteredOn(m -> m.contains("providerID patch of Node " + server.name()))
                    .singleElement()
                    .asString()
                    .contains("HTTP 422 Invalid", "retrying")
                    .doesNotContain("\n", "Status(", "StatusDetails");
            assertThat(log.at(Level.INFO))
                    .contains("set providerID of Node " + server.name() + " to hcloud://" + server.id());
        }
    }

    @Test
    void onlyAProviderIdPatchThatFailsEveryAttemptWarnsInOneLine() {
        engine.start();
        ServerSnapshot server = scaleUp(1).get(0);
        NodeLifecycleTest.server
                .expect()
                .patch()
                .withPath("/api/v1/nodes/" + server.name())
                .andReturn(422, resourceVersionTestFailed())
                .times(KubernetesNodeDirectory.PATCH_ATTEMPTS);
        try (CapturedLog log = CapturedLog.of("dev.talosburst", Level.FINE)) {
            client.nodes()
                    .resource(kubeletNode(server.name(), Map.of(Ownership.NODE_POOL_LABEL, POOL)))
                    .create();

            await().until(() -> !log.at(Level.WARNING).isEmpty());
            assertThat(log.at(Level.WARNING))
                    .singleElement()
                    .asString()
                    .startsWith("setting providerID of Node " + server.name()
                            + " failed: HTTP 422 Invalid: the server rejected our request")
                    .contains("(3 attempts); will retry")
                    .doesNotContain("\n", "Status(", "StatusDetails");
            assertThat(log.at(Level.FINE))
                    .filteredOn(m -> m.contains("providerID patch of Node " + server.name()))
                    .hasSize(2);
            assertThat(providerId(node(server.name()))).isNull();

            // the next resync's Node sweep tries again, and the API server takes it now
            fx.clock.advance(Duration.ofMinutes(2));
            engine.tick();
            await().untilAsserted(
                            () -> assertThat(providerId(node(server.name()))).isEqualTo("hcloud://" + server.id()));
            assertThat(log.at(Level.WARNING)).hasSize(1);
        }
    }
}
