package dev.talosburst.provisioner.engine;

import static org.awaitility.Awaitility.await;

import dev.talosburst.hcloud.client.ApiToken;
import dev.talosburst.hcloud.client.HcloudClient;
import dev.talosburst.hcloud.client.HcloudSettings;
import dev.talosburst.hcloudsim.HcloudSimulator;
import dev.talosburst.hcloudsim.ServerSnapshot;
import dev.talosburst.hcloudsim.SettableClock;
import dev.talosburst.hcloudsim.SimulatorOptions;
import dev.talosburst.provisioner.cloud.CloudApi;
import dev.talosburst.provisioner.directory.InMemoryNodeDirectory;
import dev.talosburst.provisioner.directory.NodeDirectory;
import dev.talosburst.provisioner.lifecycle.EventSink;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.lifecycle.Transition;
import dev.talosburst.provisioner.pool.AutoscalingOverrides;
import dev.talosburst.provisioner.pool.ImageSelector;
import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.pool.Taint;
import dev.talosburst.provisioner.userdata.UserDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * A provisioning engine wired to the real Hetzner client against the simulator, on a virtual clock, with an
 * in-memory node directory standing in for the kubelets. Background ticks are off: tests call {@code tick()}.
 */
final class EngineFixture implements AutoCloseable {
    static final String CLUSTER = "test-cluster";

    final SettableClock clock = new SettableClock(Instant.parse("2026-11-26T10:00:00Z"));
    final HcloudSimulator sim;
    final HcloudClient client;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final InMemoryNodeDirectory nodes = new InMemoryNodeDirectory(clock);
    final List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
    /** Events handed to the sink while the emitting thread held an engine's view lock; {@link #close()} fails on any. */
    final List<String> emittedUnderViewLock = new CopyOnWriteArrayList<>();
    /** In order: "leading", "following" and "emit <identity>" as the sink was told them. */
    final List<String> sinkCalls = new CopyOnWriteArrayList<>();
    /** Every event, checked for the view lock: a real sink may fsync its journal, which must never stall CA's RPCs. */
    final EventSink sink = new EventSink() {
        @Override
        public void emit(LifecycleEvent event) {
            if (holdsViewLock()) {
                emittedUnderViewLock.add(event.identity() + " on thread "
                        + Thread.currentThread().getName());
            }
            sinkCalls.add("emit " + event.identity());
            events.add(event);
        }

        @Override
        public void leading() {
            sinkCalls.add("leading");
        }

        @Override
        public void following() {
            sinkCalls.add("following");
        }
    };

    final List<NodeGroupEngine> engines = new ArrayList<>();
    /** Records what the engine asked the renderer for; the rendered text names the server so tests can check it arrived. */
    final List<String> renderedFor = new CopyOnWriteArrayList<>();

    final UserDataSource userData = (pool, serverName, labels, taints) -> {
        renderedFor.add(serverName);
        return "version: v1alpha1\n# worker " + serverName + " of " + pool.id() + " labels " + labels + " taints "
                + taints + "\n";
    };

    EngineFixture() {
        this(b -> b);
    }

    EngineFixture(UnaryOperator<SimulatorOptions.Builder> simOptions) {
        sim = HcloudSimulator.start(
                simOptions.apply(SimulatorOptions.builder().clock(clock)).build());
        client = clientWith(s -> s);
    }

    HcloudClient clientWith(UnaryOperator<HcloudSettings> tune) {
        HcloudSettings settings = HcloudSettings.defaults(ApiToken.of(sim.token()))
                .withEndpoint(sim.endpoint())
                .withRetries(2, Duration.ofSeconds(1), Duration.ofSeconds(2))
                .withRequestTimeout(Duration.ofSeconds(5));
        // virtual waiting: the client's budget and backoff advance the shared clock instead of sleeping
        return new HcloudClient(tune.apply(settings), registry, clock, d -> clock.advance(d));
    }

    static NodePool pool(String id, String type, String location, int min, int max) {
        return pool(id, type, location, min, max, Duration.ofMinutes(15));
    }

    static NodePool pool(String id, String type, String location, int min, int max, Duration maxProvisionTime) {
        return new NodePool(
                id,
                type,
                location,
                null,
                min,
                max,
                ImageSelector.talos("v1.11.6"),
                Map.of("example.com/tier", "burst"),
                List.of(new Taint("burst", "true", "NoSchedule")),
                Map.of("team", "platform"),
                List.of(),
                List.of(),
                null,
                true,
                true,
                AutoscalingOverrides.none(),
                List.of(),
                maxProvisionTime);
    }

    EngineSettings settings() {
        // background ticks effectively off: tests drive tick() themselves
        return EngineSettings.defaults(CLUSTER)
                .withTickInterval(Duration.ofHours(1))
                .withResyncInterval(Duration.ofMinutes(1));
    }

    NodeGroupEngine engine(NodePool... pools) {
        return engine(settings(), client, pools);
    }

    NodeGroupEngine engine(EngineSettings settings, CloudApi cloud, NodePool... pools) {
        return engine(settings, cloud, nodes, pools);
    }

    NodeGroupEngine engine(EngineSettings settings, CloudApi cloud, NodeDirectory directory, NodePool... pools) {
        NodeGroupEngine engine =
                new NodeGroupEngine(settings, List.of(pools), cloud, userData, sink, directory, clock, registry);
        engines.add(engine);
        return engine;
    }

    List<ServerSnapshot> servers() {
        return sim.inspect().servers();
    }

    List<ServerSnapshot> serversOf(String pool) {
        return servers().stream()
                .filter(s -> pool.equals(s.labels().get(Ownership.POOL)))
                .toList();
    }

    void awaitServers(String pool, int count) {
        await().atMost(Duration.ofSeconds(30)).until(() -> serversOf(pool).size() == count);
    }

    List<LifecycleEvent> events(Transition transition) {
        return events.stream().filter(e -> e.transition() == transition).toList();
    }

    /** The engine's view, for tests that hold its lock the way a writer would. */
    static FleetView viewOf(NodeGroupEngine engine) {
        try {
            java.lang.reflect.Field field = NodeGroupEngine.class.getDeclaredField("view");
            field.setAccessible(true);
            return (FleetView) field.get(engine);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("NodeGroupEngine has no field 'view' any more: update EngineFixture.viewOf", e);
        }
    }

    /** True when the calling thread holds the monitor of any {@link FleetView} (an engine's view lock). */
    static boolean holdsViewLock() {
        ThreadInfo info = ManagementFactory.getThreadMXBean()
                .getThreadInfo(new long[] {Thread.currentThread().getId()}, true, false)[0];
        return Arrays.stream(info.getLockedMonitors())
                .anyMatch(monitor -> monitor.getClassName().equals(FleetView.class.getName()));
    }

    @Override
    public void close() {
        engines.forEach(NodeGroupEngine::close);
        sim.close();
        if (!emittedUnderViewLock.isEmpty()) {
            throw new AssertionError(
                    "lifecycle events were handed to the sink under the view lock: " + emittedUnderViewLock);
        }
    }
}
