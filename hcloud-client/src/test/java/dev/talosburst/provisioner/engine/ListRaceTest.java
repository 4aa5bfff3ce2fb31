package dev.talosburst.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.hcloudsim.ServerSnapshot;
import dev.talosburst.provisioner.lifecycle.Transition;
import dev.talosburst.provisioner.nodegroup.InstanceView;
import dev.talosburst.provisioner.nodegroup.NodeRef;
import dev.talosburst.provisioner.pool.NodePool;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a paged server list can get wrong while servers come and go, and why no server or event suffers for it. */
class ListRaceTest {
    private final EngineFixture fx = new EngineFixture();
    private final InterceptedCloud cloud = new InterceptedCloud(fx.client);
    private final NodePool pool = EngineFixture.pool("workers", "cx22", "fsn1", 0, 10);

    @AfterEach
    void close() {
        fx.close();
    }

    private NodeGroupEngine startedWith(int servers) {
        NodeGroupEngine engine = fx.engine(fx.settings(), cloud, pool);
        engine.start();
        engine.increaseSize("workers", servers);
        fx.awaitServers("workers", servers);
        await().until(() -> engine.instances("workers").stream().allMatch(i -> i.id().startsWith("hcloud://")));
        return engine;
    }

    @Test
    void aServerSkippedByAPagedListIsConfirmedAliveNotReportedDeleted() {
        NodeGroupEngine engine = startedWith(3);
        ServerSnapshot skipped = fx.serversOf("workers").get(1);
        fx.nodes.register(
                skipped.name(),
                Map.of(Ownership.NODE_POOL_LABEL, "workers", Ownership.NODE_CLUSTER_LABEL, EngineFixture.CLUSTER));

        // another server was deleted between two pages, so this one slid onto the page already read
        cloud.onNextList(
                servers -> servers.stream().filter(s -> s.id() != skipped.id()).toList());
        fx.clock.advance(Duration.ofMinutes(2));
        engine.tick();

        assertThat(fx.events(Transition.SERVER_DELETED)).isEmpty();
        assertThat(fx.nodes.byName(skipped.name())).isPresent();
        assertThat(engine.targetSize("workers")).isEqualTo(3);
        assertThat(engine.instances("workers")).extracting(InstanceView::id).contains("hcloud://" + skipped.id());
        assertThat(fx.sim.inspect().server(skipped.id()))
                .get()
                .extracting(ServerSnapshot::status)
                .isEqualTo("running");
    }

    @Test
    void aServerDeletedWhileTheListWasOnTheWireIsNotBroughtBack() {
        NodeGroupEngine engine = startedWith(2);
        ServerSnapshot victim = fx.serversOf("workers").get(0);

        // the list is taken, then CA's scale-down deletes the server before the list is applied
        cloud.onNextList(servers -> {
            engine.deleteNodes("workers", List.of(NodeRef.of("hcloud://" + victim.id(), victim.name())));
            await().until(() -> fx.events(Transition.SERVER_DELETED).size() == 1);
            return servers;
        });
        fx.clock.advance(Duration.ofMinutes(2));
        engine.tick();

        assertThat(engine.targetSize("workers")).isEqualTo(1);
        assertThat(engine.instances("workers")).extracting(InstanceView::id).doesNotContain("hcloud://" + victim.id());
        assertThat(fx.events(Transition.SERVER_CREATED))
                .filteredOn(e -> e.serverId() == victim.id())
                .hasSize(1);
        fx.clock.advance(Duration.ofMinutes(30));
        engine.tick();
        assertThat(fx.events(Transition.SERVER_REAPED))
                .filteredOn(e -> e.serverId() != null && e.serverId() == victim.id())
                .isEmpty();
    }

    @Test
    void aCreationCancelledWhileWaitingForItsRetryIsNeverSent() {
        NodeGroupEngine engine = fx.engine(fx.settings(), cloud, pool);
        engine.start();
        // Hetzner fails the create transiently (after the client's own retries): the slot waits for a retry
        fx.sim.faults().failNext("POST", "/servers", 3, 503, "unavailable", "service unavailable");
        engine.increaseSize("workers", 1);
        await().until(() -> fx.sim.inspect().requestCount("POST", "/servers") == 3
                && engine.instances("workers").get(0).state() == InstanceView.State.CREATING);
        await().until(() -> fx.events(Transition.SERVER_CREATE_REQUESTED).size() == 1);
        String placeholder = engine.instances("workers").get(0).id();

        engine.deleteNodes("workers", List.of(NodeRef.of(placeholder, placeholder)));
        fx.clock.advance(Duration.ofMinutes(2)); // the retry would be due now
        engine.tick();

        assertThat(engine.targetSize("workers")).isZero();
        assertThat(fx.sim.inspect().requestCount("POST", "/servers")).isEqualTo(3);
        assertThat(fx.servers()).isEmpty();
        assertThat(fx.events(Transition.SERVER_CREATED)).isEmpty();
    }
}
