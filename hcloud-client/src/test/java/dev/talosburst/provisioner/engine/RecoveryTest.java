package dev.talosburst.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.talosburst.hcloudsim.ServerSnapshot;
import dev.talosburst.provisioner.cloud.ImageQuery;
import dev.talosburst.provisioner.cloud.ServerSpec;
import dev.talosburst.provisioner.lifecycle.Transition;
import dev.talosburst.provisioner.nodegroup.InstanceView;
import dev.talosburst.provisioner.nodegroup.NodeGroupException;
import dev.talosburst.provisioner.pool.NodePool;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RecoveryTest {
    private final EngineFixture fx = new EngineFixture();
    private final NodePool pool = EngineFixture.pool("workers", "cx22", "fsn1", 0, 30);

    @AfterEach
    void close() {
        fx.close();
    }

    private int stableServerCount() {
        // the crashed process may still have a request on the wire: wait until Hetzner's count stops moving
        int[] last = {-1};
        await().pollInterval(Duration.ofMillis(300))
                .atMost(Duration.ofSeconds(20))
                .until(() -> {
                    int now = fx.servers().size();
                    boolean stable = now == last[0];
                    last[0] = now;
                    return stable;
                });
        return last[0];
    }

    @Test
    void aRestartInTheMiddleOfA20NodeScaleUpEndsWithExactly20Servers() {
        NodeGroupEngine first = fx.engine(pool);
        first.start();
        first.increaseSize("workers", 20);
        await().until(() -> fx.servers().size() >= 8);
        // the crash: one create takes effect in Hetzner but its response never arrives
        fx.sim.faults().loseResponses("POST", "/servers", 1);
        first.close();
        int existing = stableServerCount();
        assertThat(existing).isBetween(8, 20);

        NodeGroupEngine second = fx.engine(pool);
        second.start();
        // the view is rebuilt from one list: every server that exists counts, in-flight ones included
        assertThat(second.targetSize("workers")).isEqualTo(existing);
        assertThat(second.instances("workers")).hasSize(existing).allMatch(i -> i.id().startsWith("hcloud://"));

        // CA still sees pending pods and asks for the missing nodes; it never gets more than it asks for
        if (existing < 20) {
            second.increaseSize("workers", 20 - existing);
        }
        fx.awaitServers("workers", 20);
        fx.clock.advance(Duration.ofMinutes(2));
        second.tick();
        assertThat(stableServerCount()).isEqualTo(20);
        Set<String> names =
                new HashSet<>(fx.servers().stream().map(ServerSnapshot::name).toList());
        assertThat(names).hasSize(20);
        assertThat(second.targetSize("workers")).isEqualTo(20);
    }

    @Test
    void startRecoversTargetsInFlightCreatesAndDeletionsFromOneList() {
        // servers left by an earlier incarnation, at different stages
        Map<String, String> labels = new Ownership(EngineFixture.CLUSTER).labelsFor("workers", Map.of());
        long older = fx.client
                .createServer(spec("workers-older001", labels))
                .server()
                .id();
        fx.clock.advance(Duration.ofMinutes(1));
        long running = fx.client
                .createServer(spec("workers-running1", labels))
                .server()
                .id();
        fx.clock.advance(Duration.ofMinutes(1));
        long deleting = fx.client
                .createServer(spec("workers-deleting", labels))
                .server()
                .id();
        fx.clock.advance(Duration.ofMinutes(1));
        fx.client.deleteServer(deleting);
        long fresh = fx.client
                .createServer(spec("workers-fresh001", labels))
                .server()
                .id();
        // a server of someone else, even with a similar name, is never ours
        fx.client.createServer(spec("workers-foreign1", Map.of("team", "platform")));
        fx.sim.inspect().resetRequestLog();

        NodeGroupEngine engine = fx.engine(pool);
        engine.start();

        assertThat(fx.sim.inspect().requestCount("GET", "/servers")).isEqualTo(1);
        assertThat(engine.targetSize("workers")).isEqualTo(3);
        assertThat(engine.instances("workers"))
                .extracting(InstanceView::id)
                .containsExactlyInAnyOrder("hcloud://" + older, "hcloud://" + running, "hcloud://" + fresh);
        assertThat(engine.instances("workers"))
                .filteredOn(i -> i.id().equals("hcloud://" + fresh))
                .singleElement()
                .extracting(InstanceView::state)
                .isEqualTo(InstanceView.State.CREATING);
        assertThat(engine.instances("workers"))
                .filteredOn(i -> i.id().equals("hcloud://" + older))
                .singleElement()
                .extracting(InstanceView::state)
                .isEqualTo(InstanceView.State.RUNNING);
        // the complete list event reconciliation compares with what was published
        assertThat(engine.servers())
                .extracting(ServerView::name)
                .containsExactlyInAnyOrder("workers-older001", "workers-running1", "workers-fresh001");
        assertThat(engine.servers())
                .filteredOn(v -> v.serverId() == fresh)
                .singleElement()
                .satisfies(v -> assertThat(v.status()).isEqualTo("initializing"));
    }

    @Test
    void aFollowerAnswersReadsRefusesMutationsAndTakesOverAfterRebuildingItsView() {
        NodeGroupEngine leader = fx.engine(pool);
        leader.start();
        leader.increaseSize("workers", 2);
        fx.awaitServers("workers", 2);
        // the servers exist in Hetzner before the leader has handled the create responses (and published
        // server-created)
        await().until(() -> leader.instances("workers").stream().allMatch(i -> i.id().startsWith("hcloud://")));

        NodeGroupEngine follower = fx.engine(pool);
        int eventsBefore = fx.events.size();
        int callsBefore = fx.sinkCalls.size();
        follower.startAsFollower();
        // a follower's warm view publishes nothing: events come from the leader, once
        assertThat(fx.events).hasSize(eventsBefore);
        assertThat(fx.sinkCalls.subList(callsBefore, fx.sinkCalls.size()))
                .as("the sink is told it follows (it must write no shared state)")
                .containsExactly("following");
        assertThat(follower.isLeader()).isFalse();
        assertThat(follower.targetSize("workers")).isEqualTo(2);
        assertThatThrownBy(() -> follower.increaseSize("workers", 1))
                .isInstanceOfSatisfying(
                        NodeGroupException.class,
                        e -> assertThat(e.reason()).isEqualTo(NodeGroupException.Reason.NOT_LEADER));

        leader.increaseSize("workers", 1);
        fx.awaitServers("workers", 3);
        leader.close();
        int callsBeforePromotion = fx.sinkCalls.size();
        follower.promote();

        assertThat(follower.isLeader()).isTrue();
        List<String> promotionCalls = fx.sinkCalls.subList(callsBeforePromotion, fx.sinkCalls.size());
        assertThat(promotionCalls)
                .as("the sink is told to lead before the rebuild emits anything: it must re-read what was published")
                .first()
                .isEqualTo("leading");
        assertThat(promotionCalls).filteredOn(c -> c.contains("server-adopted")).isNotEmpty();
        assertThat(follower.targetSize("workers")).isEqualTo(3);
        // taking over announces each adoption as a transition of its own: server-created stays the creating leader's,
        // once
        List<String> createdIds = fx.events.stream()
                .filter(e -> e.transition() == Transition.SERVER_CREATED)
                .map(e -> e.identity())
                .toList();
        assertThat(createdIds).hasSize(3).doesNotHaveDuplicates();
        assertThat(fx.events)
                .filteredOn(e -> e.transition() == Transition.SERVER_ADOPTED)
                .extracting(e -> e.subject())
                .containsExactlyInAnyOrderElementsOf(
                        fx.servers().stream().map(s -> s.name()).toList());
        follower.increaseSize("workers", 1);
        fx.awaitServers("workers", 4);
        assertThat(fx.servers()).hasSize(4);
    }

    private ServerSpec spec(String name, Map<String, String> labels) {
        String image = Long.toString(
                fx.client.images(ImageQuery.snapshots("os=talos", "x86")).get(0).id());
        return new ServerSpec(name, "cx22", "fsn1", image, null, labels, List.of(), List.of(), null, true, true, true);
    }

    @Test
    void aCreateInFlightWhileTheLeadIsLostAndRegainedKeepsItsServer() {
        NodeGroupEngine engine = fx.engine(pool);
        engine.start();
        fx.sim.faults().latency("POST", "/servers", Duration.ofMillis(1500));
        engine.increaseSize("workers", 1);
        await().until(() -> fx.events(dev.talosburst.provisioner.lifecycle.Transition.SERVER_CREATE_REQUESTED)
                        .size()
                == 1);

        // the lease flaps while Hetzner is still answering: the view is rebuilt from a list that may predate the server
        int callsBefore = fx.sinkCalls.size();
        engine.demote();
        engine.promote();
        assertThat(engine.isLeader()).isTrue();
        assertThat(fx.sinkCalls.subList(callsBefore, fx.sinkCalls.size()))
                .as("demoted, the sink follows; promoted, it leads before anything is emitted")
                .filteredOn(c -> !c.startsWith("emit "))
                .containsExactly("following", "leading");

        await().until(() -> engine.instances("workers").stream().anyMatch(i -> i.id().startsWith("hcloud://")));
        fx.clock.advance(Duration.ofMinutes(2));
        engine.tick();
        assertThat(fx.servers())
                .singleElement()
                .satisfies(s -> assertThat(s.status()).isNotEqualTo("deleting"));
        assertThat(engine.targetSize("workers")).isEqualTo(1);
        assertThat(engine.instances("workers"))
                .singleElement()
                .extracting(InstanceView::id)
                .isEqualTo("hcloud://" + fx.servers().get(0).id());
    }
}
