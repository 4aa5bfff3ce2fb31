package dev.talosburst.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.talosburst.hcloudsim.ServerSnapshot;
import dev.talosburst.provisioner.directory.KubeNode;
import dev.talosburst.provisioner.lifecycle.Transition;
import dev.talosburst.provisioner.nodegroup.NodeGroupException;
import dev.talosburst.provisioner.nodegroup.NodeRef;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ScaleDownTest {
    private final EngineFixture fx = new EngineFixture();
    private NodeGroupEngine engine;

    @BeforeEach
    void start() {
        engine = fx.engine(
                EngineFixture.pool("workers", "cx22", "fsn1", 1, 5), EngineFixture.pool("arm", "cax11", "fsn1", 0, 5));
        engine.start();
    }

    @AfterEach
    void close() {
        fx.close();
    }

    private List<ServerSnapshot> scaleUp(String pool, int count) {
        engine.increaseSize(pool, count);
        fx.awaitServers(pool, count);
        await().until(() -> engine.instances(pool).stream().allMatch(i -> i.id().startsWith("hcloud://")));
        return fx.serversOf(pool);
    }

    @Test
    void nodesRegisterGetTheirProviderIdAndScaleDownDeletesServerAndNode() {
        List<ServerSnapshot> servers = scaleUp("workers", 2);
        ServerSnapshot first = servers.get(0);
        ServerSnapshot second = servers.get(1);

        // kubelets register the Nodes under the server names, without providerID (no cloud-controller-manager)
        fx.nodes.register(first.name(), Map.of(Ownership.NODE_POOL_LABEL, "workers"));
        fx.nodes.register(second.name(), Map.of(Ownership.NODE_POOL_LABEL, "workers"));
        assertThat(fx.nodes.byName(first.name()))
                .get()
                .extracting(KubeNode::providerId)
                .isEqualTo("hcloud://" + first.id());
        fx.nodes.setReady(first.name(), true);
        assertThat(fx.events(Transition.NODE_REGISTERED)).hasSize(2);
        assertThat(fx.events(Transition.NODE_READY))
                .singleElement()
                .satisfies(e -> assertThat(e.server().readyAt()).isNotNull());
        assertThat(engine.forNode(NodeRef.of("hcloud://" + first.id(), first.name())))
                .get()
                .extracting(g -> g.id())
                .isEqualTo("workers");

        engine.deleteNodes("workers", List.of(NodeRef.of("hcloud://" + first.id(), first.name())));

        assertThat(engine.targetSize("workers")).isEqualTo(1);
        await().until(() -> fx.nodes.byName(first.name()).isEmpty());
        // deleting, or already gone
        assertThat(fx.sim
                        .inspect()
                        .server(first.id())
                        .map(ServerSnapshot::status)
                        .filter(s -> !s.equals("deleting")))
                .isEmpty();
        assertThat(fx.nodes.byName(second.name())).isPresent();
        assertThat(fx.events(Transition.SCALE_DOWN_REQUESTED)).hasSize(1);
        assertThat(fx.events(Transition.SERVER_DELETED)).singleElement().satisfies(e -> {
            assertThat(e.serverId()).isEqualTo(first.id());
            assertThat(e.server().deletedAt()).isNotNull();
            assertThat(e.details()).containsKey("lifetimeSeconds");
        });
        assertThat(fx.events(Transition.NODE_REMOVED))
                .singleElement()
                .satisfies(e -> assertThat(e.subject()).isEqualTo(first.name()));

        fx.clock.advance(Duration.ofMinutes(2));
        engine.tick();
        assertThat(fx.serversOf("workers")).extracting(ServerSnapshot::name).containsExactly(second.name());
        assertThat(fx.events(Transition.SERVER_DELETED)).hasSize(1);
    }

    @Test
    void deleteNodesRefusesForeignNodesOtherGroupsAndGoingBelowMin() {
        List<ServerSnapshot> workers = scaleUp("workers", 1);
        List<ServerSnapshot> arm = scaleUp("arm", 1);

        assertThatThrownBy(() -> engine.deleteNodes(
                        "workers",
                        List.of(NodeRef.of(
                                "hcloud://" + arm.get(0).id(), arm.get(0).name()))))
                .isInstanceOfSatisfying(NodeGroupException.class, e -> {
                    assertThat(e.reason()).isEqualTo(NodeGroupException.Reason.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("belongs to node group 'arm'");
                });
        assertThatThrownBy(() -> engine.deleteNodes("workers", List.of(NodeRef.of("", "control-plane-1"))))
                .isInstanceOfSatisfying(NodeGroupException.class, e -> {
                    assertThat(e.reason()).isEqualTo(NodeGroupException.Reason.INVALID_ARGUMENT);
                    assertThat(e.getMessage())
                            .contains("control-plane-1")
                            .contains("not a server of node group 'workers'");
                });
        assertThatThrownBy(() -> engine.deleteNodes(
                        "workers",
                        List.of(NodeRef.of(
                                "hcloud://" + workers.get(0).id(),
                                workers.get(0).name()))))
                .isInstanceOfSatisfying(NodeGroupException.class, e -> {
                    assertThat(e.reason()).isEqualTo(NodeGroupException.Reason.FAILED_PRECONDITION);
                    assertThat(e.getMessage())
                            .contains("below its minimum of 1")
                            .contains("talosburst.pools.workers.min");
                });
        assertThatThrownBy(() -> engine.deleteNodes("nope", List.of()))
                .isInstanceOfSatisfying(
                        NodeGroupException.class,
                        e -> assertThat(e.reason()).isEqualTo(NodeGroupException.Reason.NOT_FOUND));
        assertThat(fx.servers()).hasSize(2).allMatch(s -> !s.status().equals("deleting"));
    }

    @Test
    void decreaseTargetSizeCancelsOnlyPendingCreations() {
        scaleUp("workers", 1);
        fx.sim.faults().stockOut("cx22", "fsn1");
        engine.increaseSize("workers", 3);
        await().until(() -> engine.instances("workers").stream()
                        .filter(i -> i.error().isPresent())
                        .count()
                == 3);
        assertThat(engine.targetSize("workers")).isEqualTo(4);

        engine.decreaseTargetSize("workers", -2);
        assertThat(engine.targetSize("workers")).isEqualTo(2);

        assertThatThrownBy(() -> engine.decreaseTargetSize("workers", -2))
                .isInstanceOfSatisfying(NodeGroupException.class, e -> {
                    assertThat(e.reason()).isEqualTo(NodeGroupException.Reason.FAILED_PRECONDITION);
                    assertThat(e.getMessage()).contains("only 1 pending creation(s) can be cancelled");
                });
        assertThatThrownBy(() -> engine.decreaseTargetSize("workers", 1))
                .isInstanceOfSatisfying(
                        NodeGroupException.class,
                        e -> assertThat(e.reason()).isEqualTo(NodeGroupException.Reason.INVALID_ARGUMENT));
        assertThat(engine.targetSize("workers")).isEqualTo(2);
        assertThat(fx.servers()).hasSize(1);
    }

    @Test
    void increaseSizeRefusesNonPositiveDeltaAndGoingAboveMax() {
        assertThatThrownBy(() -> engine.increaseSize("arm", 0))
                .isInstanceOfSatisfying(
                        NodeGroupException.class,
                        e -> assertThat(e.reason()).isEqualTo(NodeGroupException.Reason.INVALID_ARGUMENT));
        assertThatThrownBy(() -> engine.increaseSize("arm", 6)).isInstanceOfSatisfying(NodeGroupException.class, e -> {
            assertThat(e.reason()).isEqualTo(NodeGroupException.Reason.INVALID_ARGUMENT);
            assertThat(e.getMessage()).contains("above its maximum of 5").contains("talosburst.pools.arm.max");
        });
        engine.increaseSize("arm", 1);
        assertThatThrownBy(() -> engine.increaseSize("arm", Integer.MAX_VALUE))
                .as("target + delta overflows: still above the maximum, refused at once")
                .isInstanceOfSatisfying(
                        NodeGroupException.class,
                        e -> assertThat(e.getMessage()).contains("above its maximum of 5"));
        assertThat(engine.targetSize("arm")).isEqualTo(1);
    }

    @Test
    void forNodeMatchesByProviderIdNameAndPlaceholderButNeverForeignNodes() {
        ServerSnapshot server = scaleUp("workers", 1).get(0);
        assertThat(engine.forNode(NodeRef.of("hcloud://" + server.id(), "whatever")))
                .get()
                .extracting(g -> g.id())
                .isEqualTo("workers");
        assertThat(engine.forNode(NodeRef.of("", server.name())))
                .get()
                .extracting(g -> g.id())
                .isEqualTo("workers");
        assertThat(engine.forNode(NodeRef.of("", "control-plane-1"))).isEmpty();
        assertThat(engine.forNode(NodeRef.of("robot://4711", server.name()))).isEmpty();
        assertThat(engine.forNode(NodeRef.of("hcloud://999999", "other"))).isEmpty();

        fx.sim.faults().stockOut("cax11", "fsn1");
        engine.increaseSize("arm", 1);
        await().until(() ->
                engine.instances("arm").stream().anyMatch(i -> i.error().isPresent()));
        String placeholder = engine.instances("arm").get(0).id();
        // CA's fake node for a failed instance: name == providerID == instance id
        assertThat(engine.forNode(NodeRef.of(placeholder, placeholder)))
                .get()
                .extracting(g -> g.id())
                .isEqualTo("arm");
    }

    @Test
    void aDeleteInFlightWhenTheReplicaLosesTheLeadStillReportsTheDeletion() {
        ServerSnapshot server = scaleUp("arm", 1).get(0);
        fx.sim.faults().latency("DELETE", "/servers", Duration.ofMillis(800));

        engine.deleteNodes("arm", List.of(NodeRef.of("hcloud://" + server.id(), server.name())));
        engine.demote(); // the lease is lost while Hetzner is still answering the DELETE

        // billing must still hear of it: the new leader may list Hetzner only after the server is gone
        await().until(() -> fx.events(Transition.SERVER_DELETED).size() == 1);
        assertThat(fx.events(Transition.SERVER_DELETED).get(0).serverId()).isEqualTo(server.id());
    }

    @Test
    void deletingANodeWhoseCreateIsInFlightDropsItFromTheTargetAndDeletesTheServerWhenItArrives() {
        fx.sim.faults().latency("POST", "/servers", Duration.ofMillis(1500));
        engine.increaseSize("arm", 1);
        // the create request is on the wire: the instance still has its placeholder id
        await().until(() -> fx.sim.inspect().requestCount("POST", "/servers") == 0
                && fx.renderedFor.stream().anyMatch(n -> n.startsWith("arm-")));
        String placeholder = engine.instances("arm").get(0).id();
        assertThat(placeholder).startsWith("talosburst://pending/");

        engine.deleteNodes("arm", List.of(NodeRef.of(placeholder, placeholder)));

        assertThat(engine.targetSize("arm")).isZero();
        assertThat(engine.instances("arm"))
                .singleElement()
                .satisfies(i -> assertThat(i.state())
                        .isEqualTo(dev.talosburst.provisioner.nodegroup.InstanceView.State.DELETING));
        await().until(() -> fx.events(Transition.SERVER_DELETED).size() == 1);
        assertThat(fx.serversOf("arm")).allSatisfy(s -> assertThat(s.status()).isEqualTo("deleting"));
        assertThat(engine.instances("arm")).isEmpty();
        assertThat(engine.targetSize("arm")).isZero();
    }
}
