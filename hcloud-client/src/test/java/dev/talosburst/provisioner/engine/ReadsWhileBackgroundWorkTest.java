package dev.talosburst.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.hcloudsim.ServerSnapshot;
import dev.talosburst.provisioner.cloud.ImageQuery;
import dev.talosburst.provisioner.cloud.ServerSpec;
import dev.talosburst.provisioner.directory.KubeNode;
import dev.talosburst.provisioner.directory.NodeDirectory;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.lifecycle.Transition;
import dev.talosburst.provisioner.nodegroup.AutoscalingOptions;
import dev.talosburst.provisioner.nodegroup.InstanceView;
import dev.talosburst.provisioner.nodegroup.NodeRef;
import dev.talosburst.provisioner.pool.NodePool;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * CA's read RPCs answer from indexes and counters, never waiting for background work that holds the view (a resync, the
 * node sweep), CA's mutations never wait for background work stuck outside the process, and CA's IncreaseSize never hands
 * an event to the sink (whose journal fsyncs) on its own thread.
 */
class ReadsWhileBackgroundWorkTest {
    private final EngineFixture fx = new EngineFixture();
    private final CountDownLatch sweepEntered = new CountDownLatch(1);
    private final CountDownLatch releaseSweep = new CountDownLatch(1);
    private volatile boolean blockSweep;

    @AfterEach
    void close() {
        releaseSweep.countDown();
        fx.close();
    }

    @Test
    void readsAnswerWhileTheNodeSweepHoldsTheView() throws Exception {
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
        NodeGroupEngine engine = fx.engine(fx.settings(), fx.client, blockingDirectory(), pool);
        engine.start();
        ServerSnapshot server = fx.servers().get(0);

        // the next resync's node sweep stops in the middle, as a slow background pass would
        blockSweep = true;
        fx.clock.advance(Duration.ofMinutes(2));
        CompletableFuture<Void> background = CompletableFuture.runAsync(engine::tick);
        assertThat(sweepEntered.await(30, TimeUnit.SECONDS))
                .as("the sweep started")
                .isTrue();

        CompletableFuture<List<Object>> reads = CompletableFuture.supplyAsync(() -> List.of(
                engine.all(),
                engine.targetSize("cx22-fsn1"),
                engine.instances("cx22-fsn1"),
                engine.forNode(NodeRef.of("hcloud://" + server.id(), server.name())),
                engine.options("cx22-fsn1", AutoscalingOptions.caDefaults()),
                engine.nodePrice(
                        NodeRef.of("hcloud://" + server.id(), server.name()),
                        fx.clock.instant(),
                        fx.clock.instant().plusSeconds(3600)),
                engine.isSynced()));
        // the sweep is still running: reads must not wait for it
        List<Object> answers = reads.get(30, TimeUnit.SECONDS);
        assertThat(background).isNotDone();
        assertThat(answers.get(1)).isEqualTo(3);
        assertThat(engine.instances("cx22-fsn1")).hasSize(3);
        assertThat(engine.forNode(NodeRef.of("hcloud://" + server.id(), server.name())))
                .get()
                .satisfies(g -> assertThat(g.id()).isEqualTo("cx22-fsn1"));

        releaseSweep.countDown();
        background.get(30, TimeUnit.SECONDS);
        List<InstanceView> again = engine.instances("cx22-fsn1");
        for (int i = 0; i < again.size(); i++) {
            assertThat(engine.instances("cx22-fsn1").get(i))
                    .as("an unchanged server is the same view on every call (no garbage per instance)")
                    .isSameAs(again.get(i));
        }
    }

    @Test
    void readsAndTheEventReconcilersServerListNeverWaitForTheViewLock() throws Exception {
        NodeGroupEngine engine = startedEngine(10);
        engine.increaseSize("cx22-fsn1", 3);
        fx.awaitServers("cx22-fsn1", 3);
        org.awaitility.Awaitility.await().until(() -> engine.servers().size() == 3);
        ServerSnapshot server = fx.servers().get(0);
        fx.nodes.register(server.name(), Map.of(Ownership.NODE_POOL_LABEL, "cx22-fsn1"));

        // any writer (a resync step, a mutation) holds the view lock for as long as it likes
        FleetView view = EngineFixture.viewOf(engine);
        CompletableFuture<Void> writer = holdViewLock(view);

        CompletableFuture<List<ServerView>> servers = CompletableFuture.supplyAsync(engine::servers);
        CompletableFuture<List<Object>> reads = CompletableFuture.supplyAsync(() -> List.of(
                engine.all(),
                engine.targetSize("cx22-fsn1"),
                engine.instances("cx22-fsn1"),
                engine.forNode(NodeRef.of("hcloud://" + server.id(), server.name())),
                engine.nodePrice(
                        NodeRef.of("hcloud://" + server.id(), server.name()),
                        fx.clock.instant(),
                        fx.clock.instant().plusSeconds(3600))));
        assertThat(servers.get(30, TimeUnit.SECONDS)).hasSize(3).anySatisfy(s -> {
            assertThat(s.name()).isEqualTo(server.name());
            assertThat(s.nodeRegistered()).isTrue();
            assertThat(s.facts().createRequestedAt()).isNotNull();
        });
        assertThat(reads.get(30, TimeUnit.SECONDS).get(1)).isEqualTo(3);
        assertThat(writer).isNotDone();

        releaseSweep.countDown();
        writer.get(30, TimeUnit.SECONDS);
    }

    @Test
    void mutationsProceedWhileTheNodeSweepIsStuckInKubernetes() throws Exception {
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
        NodeGroupEngine engine = fx.engine(fx.settings(), fx.client, blockingDirectory(), pool);
        engine.start();

        // the next resync's node sweep waits for the Kubernetes directory (a slow API server, a large cluster)
        blockSweep = true;
        fx.clock.advance(Duration.ofMinutes(2));
        CompletableFuture<Void> background = CompletableFuture.runAsync(engine::tick);
        assertThat(sweepEntered.await(30, TimeUnit.SECONDS))
                .as("the sweep started")
                .isTrue();

        // CA's mutations take the view lock: background work must not hold it while it waits for anything
        CompletableFuture<Integer> mutations = CompletableFuture.supplyAsync(() -> {
            engine.increaseSize("cx22-fsn1", 2);
            return engine.targetSize("cx22-fsn1");
        });
        assertThat(mutations.get(30, TimeUnit.SECONDS)).isEqualTo(5);
        assertThat(background).isNotDone();

        releaseSweep.countDown();
        background.get(30, TimeUnit.SECONDS);
    }

    @Test
    void increaseSizeNeverWaitsForTheViewLock() throws Exception {
        NodeGroupEngine engine = startedEngine(10);
        engine.increaseSize("cx22-fsn1", 1);
        fx.awaitServers("cx22-fsn1", 1);
        org.awaitility.Awaitility.await().until(() -> engine.servers().size() == 1); // the view knows it too

        // background work holds the view lock (a create worker preempted in its critical section, a resync step)
        FleetView view = EngineFixture.viewOf(engine);
        CompletableFuture<Void> writer = holdViewLock(view);

        CompletableFuture<List<InstanceView>> increase = CompletableFuture.supplyAsync(() -> {
            engine.increaseSize("cx22-fsn1", 3);
            return engine.instances("cx22-fsn1");
        });
        assertThat(increase.get(30, TimeUnit.SECONDS))
                .as("IncreaseSize answered while the view lock was held: the existing server and 3 pending instances")
                .hasSize(4)
                .filteredOn(i -> i.id().startsWith(Slot.PLACEHOLDER_PREFIX))
                .hasSize(3);
        assertThat(engine.targetSize("cx22-fsn1")).isEqualTo(4);
        assertThat(writer).isNotDone();

        // the maximum still holds without the view lock
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.increaseSize("cx22-fsn1", 7))
                .isInstanceOf(dev.talosburst.provisioner.nodegroup.NodeGroupException.class)
                .hasMessageContaining("above its maximum of 10");
        assertThat(writer).isNotDone();

        releaseSweep.countDown();
        writer.get(30, TimeUnit.SECONDS);
        fx.awaitServers("cx22-fsn1", 4);
        assertThat(engine.targetSize("cx22-fsn1")).isEqualTo(4);
    }

    @Test
    void decreaseTargetSizeOfRequestedServersNeverWaitsForTheViewLock() throws Exception {
        NodeGroupEngine engine = startedEngine(10);

        // background work holds the view lock: no create worker can take a requested server
        FleetView view = EngineFixture.viewOf(engine);
        CompletableFuture<Void> writer = holdViewLock(view);

        CompletableFuture<Integer> commands = CompletableFuture.supplyAsync(() -> {
            engine.increaseSize("cx22-fsn1", 3);
            engine.decreaseTargetSize("cx22-fsn1", -2);
            return engine.targetSize("cx22-fsn1");
        });
        assertThat(commands.get(30, TimeUnit.SECONDS))
                .as("DecreaseTargetSize answered while the view lock was held")
                .isEqualTo(1);
        assertThat(engine.instances("cx22-fsn1")).hasSize(1);
        assertThat(writer).isNotDone();

        // more than can be withdrawn: the one requested server is given back and the call decides under the lock
        CompletableFuture<Throwable> tooMany =
                callUntilBlocked(() -> engine.decreaseTargetSize("cx22-fsn1", -2)); // on the view lock
        assertThat(engine.targetSize("cx22-fsn1"))
                .as("nothing changed before the lock")
                .isEqualTo(1);
        releaseSweep.countDown();
        writer.get(30, TimeUnit.SECONDS);
        assertThat(tooMany.get(30, TimeUnit.SECONDS))
                .isInstanceOf(dev.talosburst.provisioner.nodegroup.NodeGroupException.class)
                .hasMessageContaining("cannot decrease the target");

        fx.awaitServers("cx22-fsn1", 1);
        org.awaitility.Awaitility.await().until(() -> engine.servers().size() == 1);
        engine.tick();
        assertThat(fx.servers())
                .as("only the one server still wanted was bought")
                .hasSize(1);
        assertThat(engine.targetSize("cx22-fsn1")).isEqualTo(1);
        assertThat(fx.events(Transition.SERVER_CREATE_REQUESTED)).hasSize(1);
    }

    @Test
    void anIncreaseSizeThatOutlivesTheLeadershipItWasAcceptedUnderTakesItsSlotsBack() throws Exception {
        NodeGroupEngine engine = startedEngine(10);
        FleetView view = EngineFixture.viewOf(engine);
        CompletableFuture<Throwable> outcome;
        // the call passed its checks as the leader, then waits for its pool's command lock ...
        synchronized (view.commandLock("cx22-fsn1")) {
            outcome = callUntilBlocked(() -> engine.increaseSize("cx22-fsn1", 3));
            engine.demote(); // ... while this replica loses the lease
        }
        assertThat(outcome.get(30, TimeUnit.SECONDS))
                .isInstanceOf(dev.talosburst.provisioner.nodegroup.NodeGroupException.class)
                .hasMessageContaining("not the leader");
        assertThat(engine.targetSize("cx22-fsn1")).isZero();
        assertThat(engine.instances("cx22-fsn1")).isEmpty();
        assertThat(view.snapshot()).isEmpty();
        assertThat(fx.events(Transition.SCALE_UP_REQUESTED)).isEmpty();
        engine.promote();
        org.awaitility.Awaitility.await().until(engine::isLeader);
        engine.tick();
        assertThat(fx.servers()).as("nothing was bought for the refused call").isEmpty();
    }

    @Test
    void increaseSizeRacingRebuildsAndBackgroundWorkKeepsEveryCountEqualToItsSlots() throws Exception {
        NodeGroupEngine engine = startedEngine(1_000);
        FleetView view = EngineFixture.viewOf(engine);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        // CA's commands in a loop, as the engine's background loop rebuilds the view (promotions) and creates servers
        CompletableFuture<Void> commands = CompletableFuture.runAsync(() -> {
            while (!stop.get()) {
                try {
                    engine.increaseSize("cx22-fsn1", 2);
                    accepted.incrementAndGet();
                    engine.decreaseTargetSize("cx22-fsn1", -1);
                } catch (dev.talosburst.provisioner.nodegroup.NodeGroupException e) {
                    refused.incrementAndGet(); // not the leader, not synced, or nothing left to cancel: all legal
                }
            }
        });
        CompletableFuture<Void> rebuilds = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 40 && !stop.get(); i++) {
                engine.demote();
                engine.promote();
                engine.tick(); // clear + list + act again
            }
        });
        try {
            rebuilds.get(120, TimeUnit.SECONDS);
        } finally {
            stop.set(true);
            commands.get(60, TimeUnit.SECONDS);
        }
        assertThat(accepted.get()).as("some IncreaseSize calls went through").isPositive();
        assertThat(refused.get()).as("some were refused during a rebuild").isPositive();
        synchronized (view) {
            List<Slot> slots = view.slots("cx22-fsn1");
            assertThat(view.targetSize("cx22-fsn1"))
                    .as("the target count equals the slots it counts")
                    .isEqualTo(
                            (int) slots.stream().filter(Slot::countedInTarget).count());
            assertThat(view.liveCount("cx22-fsn1"))
                    .isEqualTo((int) slots.stream().filter(Slot::isLive).count());
            assertThat(slots).allSatisfy(s -> assertThat(s.owner()).isSameAs(view));
            assertThat(view.snapshot()).containsExactlyInAnyOrderElementsOf(slots);
        }
    }

    @Test
    void increaseSizePublishesItsEventOffTheCallingThreadAndBeforeTheCreations() throws Exception {
        List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<LifecycleEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        NodePool pool = EngineFixture.pool("cx22-fsn1", "cx22", "fsn1", 0, 10);
        NodeGroupEngine engine = new NodeGroupEngine(
                fx.settings(),
                List.of(pool),
                fx.client,
                fx.userData,
                event -> {
                    events.add(event);
                    threads.add(
                            event.transition() + "@" + Thread.currentThread().getName());
                },
                fx.nodes,
                fx.clock,
                fx.registry);
        fx.engines.add(engine);
        engine.start();

        String caller = Thread.currentThread().getName();
        engine.increaseSize("cx22-fsn1", 2);

        assertThat(engine.targetSize("cx22-fsn1")).isEqualTo(2);
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> events.stream()
                                .filter(e -> e.transition() == Transition.SERVER_CREATE_REQUESTED)
                                .count()
                        == 2);
        assertThat(threads)
                .filteredOn(t -> t.startsWith(Transition.SCALE_UP_REQUESTED + "@"))
                .singleElement()
                .satisfies(t -> assertThat(t).doesNotEndWith("@" + caller));
        assertThat(events.stream().map(LifecycleEvent::transition))
                .containsSubsequence(
                        Transition.SCALE_UP_REQUESTED,
                        Transition.SERVER_CREATE_REQUESTED,
                        Transition.SERVER_CREATE_REQUESTED);
    }

    /** The leading engine of one pool {@code cx22-fsn1} of at most {@code max} servers, its view built. */
    private NodeGroupEngine startedEngine(int max) {
        NodeGroupEngine engine = fx.engine(EngineFixture.pool("cx22-fsn1", "cx22", "fsn1", 0, max));
        engine.start();
        return engine;
    }

    /** Runs {@code call} on a thread of its own until it waits for a monitor; its outcome: null, or what it threw. */
    private static CompletableFuture<Throwable> callUntilBlocked(Runnable call) {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                call.run();
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        caller.start();
        org.awaitility.Awaitility.await().until(() -> caller.getState() == Thread.State.BLOCKED);
        return outcome;
    }

    /** Holds the view lock on another thread, as a writer would, until {@code releaseSweep}; returns once it holds it. */
    private CompletableFuture<Void> holdViewLock(FleetView view) throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            synchronized (view) {
                held.countDown();
                try {
                    releaseSweep.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
        return writer;
    }

    /** The fixture's directory, whose {@code all()} (called by the sweep inside the view lock) can be held. */
    private NodeDirectory blockingDirectory() {
        NodeDirectory nodes = fx.nodes;
        return new NodeDirectory() {
            @Override
            public Optional<KubeNode> byName(String name) {
                return nodes.byName(name);
            }

            @Override
            public Collection<KubeNode> all() {
                if (blockSweep) {
                    sweepEntered.countDown();
                    try {
                        releaseSweep.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return nodes.all();
            }

            @Override
            public void setProviderId(String nodeName, String providerId) {
                nodes.setProviderId(nodeName, providerId);
            }

            @Override
            public void removeNode(String nodeName) {
                nodes.removeNode(nodeName);
            }

            @Override
            public void subscribe(NodeListener listener) {
                nodes.subscribe(listener);
            }

            @Override
            public boolean observesRegistration() {
                return nodes.observesRegistration();
            }
        };
    }
}
