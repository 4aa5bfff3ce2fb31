package dev.talosburst.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.talosburst.hcloudsim.ServerSnapshot;
import dev.talosburst.provisioner.cloud.ImageQuery;
import dev.talosburst.provisioner.cloud.ServerSpec;
import dev.talosburst.provisioner.nodegroup.NodeGroupException;
import dev.talosburst.provisioner.nodegroup.NodeGroupSummary;
import dev.talosburst.provisioner.nodegroup.NodeRef;
import dev.talosburst.provisioner.pool.NodePool;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code startInBackground()}: the pools are checked before it returns, the first list of servers runs afterwards, and
 * until it is done cluster-autoscaler is told to come back (NOT_READY), never shown a pool without its servers.
 */
class StartInBackgroundTest {
    private final EngineFixture fx = new EngineFixture();
    private final CountDownLatch listHeld = new CountDownLatch(1);
    private final CountDownLatch releaseList = new CountDownLatch(1);

    @AfterEach
    void close() {
        releaseList.countDown();
        fx.close();
    }

    @Test
    void answersWhileTheFirstListRunsButNeverWithAnEmptyPool() throws Exception {
        NodePool pool = EngineFixture.pool("cx22-fsn1", "cx22", "fsn1", 0, 10);
        Ownership ours = new Ownership(EngineFixture.CLUSTER);
        String image = Long.toString(
                fx.client.images(ImageQuery.snapshots("os=talos", "x86")).get(0).id());
        for (int i = 0; i < 3; i++) {
            fx.client.createServer(new ServerSpec(
                    "cx22-fsn1-srv" + i,
                    "cx22",
                    "fsn1",
                    image,
                    null,
                    ours.labelsFor("cx22-fsn1", Map.of()),
                    List.of(),
                    List.of(),
                    null,
                    true,
                    true,
                    true));
        }
        InterceptedCloud cloud = new InterceptedCloud(fx.client);
        cloud.onNextList(
                servers -> { // the first list is slow (100 pages at 5,000 servers)
                    listHeld.countDown();
                    try {
                        releaseList.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return servers;
                });
        NodeGroupEngine engine = fx.engine(fx.settings(), cloud, pool);

        engine.startInBackground();

        assertThat(engine.startupChecked())
                .as("the pools were checked before it returned")
                .isTrue();
        assertThat(listHeld.await(30, TimeUnit.SECONDS))
                .as("the first list runs on the engine's thread")
                .isTrue();
        ServerSnapshot server = fx.servers().get(0);
        assertThat(engine.all()).extracting(NodeGroupSummary::id).containsExactly("cx22-fsn1");
        assertThat(engine.isSynced()).isFalse();
        for (Runnable rpc : List.<Runnable>of(
                () -> engine.targetSize("cx22-fsn1"),
                () -> engine.instances("cx22-fsn1"),
                () -> engine.forNode(NodeRef.of("hcloud://" + server.id(), server.name())),
                engine::refresh,
                () -> engine.increaseSize("cx22-fsn1", 1))) {
            assertThatThrownBy(rpc::run)
                    .isInstanceOfSatisfying(
                            NodeGroupException.class,
                            e -> assertThat(e.reason())
                                    .isIn(NodeGroupException.Reason.NOT_READY, NodeGroupException.Reason.NOT_LEADER));
        }

        releaseList.countDown();
        await().atMost(Duration.ofSeconds(30)).until(engine::isLeader);
        assertThat(engine.isSynced()).isTrue();
        assertThat(engine.targetSize("cx22-fsn1")).isEqualTo(3);
        assertThat(engine.instances("cx22-fsn1")).hasSize(3);
        assertThat(engine.forNode(NodeRef.of("hcloud://" + server.id(), server.name())))
                .get()
                .satisfies(g -> assertThat(g.id()).isEqualTo("cx22-fsn1"));
    }

    @Test
    void aPoolHetznerProvesWrongIsReportedBeforeItReturns() {
        NodeGroupEngine engine = fx.engine(EngineFixture.pool("typo", "cx22", "fsn2", 0, 3));

        engine.startInBackground();

        assertThat(engine.hetznerStatus().state()).isEqualTo(HetznerStatus.State.CONFIGURATION_INVALID);
        assertThat(engine.hetznerStatus().startupProblems())
                .singleElement()
                .asString()
                .startsWith("talosburst.pools.typo.location:");
        assertThat(engine.isLeader()).isFalse();
    }
}
