package dev.talosburst.autoscaler.kube;

import static org.awaitility.Awaitility.await;

import dev.talosburst.hcloud.client.ApiToken;
import dev.talosburst.hcloud.client.HcloudClient;
import dev.talosburst.hcloud.client.HcloudSettings;
import dev.talosburst.hcloudsim.HcloudSimulator;
import dev.talosburst.hcloudsim.ServerSnapshot;
import dev.talosburst.hcloudsim.SettableClock;
import dev.talosburst.hcloudsim.SimulatorOptions;
import dev.talosburst.provisioner.directory.NodeDirectory;
import dev.talosburst.provisioner.engine.EngineSettings;
import dev.talosburst.provisioner.engine.NodeGroupEngine;
import dev.talosburst.provisioner.engine.Ownership;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.lifecycle.Transition;
import dev.talosburst.provisioner.pool.AutoscalingOverrides;
import dev.talosburst.provisioner.pool.ImageSelector;
import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.userdata.UserDataSource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The provisioning engine wired as in production, but against the Hetzner simulator (on a virtual clock) and the
 * fabric8 mock API server: tests play the kubelets by creating and updating Node objects.
 */
final class ClusterFixture implements AutoCloseable {
    static final String CLUSTER = "test-cluster";
    static final String POOL = "workers";

    final SettableClock clock = new SettableClock(Instant.parse("2026-11-26T10:00:00Z"));
    final HcloudSimulator sim =
            HcloudSimulator.start(SimulatorOptions.builder().clock(clock).build());
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final UserDataSource userData =
            (pool, serverName, labels, taints) -> "version: v1alpha1\n# worker " + serverName + "\n";

    HcloudClient hcloud() {
        HcloudSettings settings = HcloudSettings.defaults(ApiToken.of(sim.token()))
                .withEndpoint(sim.endpoint())
                .withRetries(2, Duration.ofSeconds(1), Duration.ofSeconds(2))
                .withRequestTimeout(Duration.ofSeconds(5));
        return new HcloudClient(settings, registry, clock, d -> clock.advance(d));
    }

    static NodePool pool() {
        return new NodePool(
                POOL,
                "cx22",
                "fsn1",
                null,
                0,
                10,
                ImageSelector.talos("v1.11.6"),
                Map.of(),
                List.of(),
                Map.of(),
                List.of(),
                List.of(),
                null,
                true,
                true,
                AutoscalingOverrides.none(),
                List.of(),
                Duration.ofMinutes(15));
    }

    /** A directory on the given client, started and synced. */
    KubernetesNodeDirectory directory(KubernetesClient client) {
        KubernetesNodeDirectory directory = new KubernetesNodeDirectory(client, clock, Duration.ofMinutes(10));
        closeables.add(directory);
        directory.start();
        awaitLive(client, directory);
        return directory;
    }

    /**
     * Waits until the directory has listed and its watch delivers. The mock server, unlike a real API server, does not
     * replay changes made between the list and the start of the watch, so a Node created in that gap would be missed:
     * a probe Node proves the watch is open.
     */
    static void awaitLive(KubernetesClient client, KubernetesNodeDirectory directory) {
        await().atMost(Duration.ofSeconds(10)).until(() -> directory.hasSynced() && directory.isWatching());
        String probe = "watch-probe-" + Long.toHexString(System.nanoTime());
        client.nodes().resource(kubeletNode(probe, Map.of())).create();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> directory.byName(probe).isPresent());
        client.nodes().withName(probe).delete();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> directory.byName(probe).isEmpty());
    }

    /** An engine whose background ticks are off (tests call tick()) and whose resync is due after a virtual minute. */
    NodeGroupEngine engine(NodeDirectory nodes) {
        EngineSettings settings = EngineSettings.defaults(CLUSTER)
                .withTickInterval(Duration.ofHours(1))
                .withResyncInterval(Duration.ofMinutes(1));
        NodeGroupEngine engine =
                new NodeGroupEngine(settings, List.of(pool()), hcloud(), userData, events::add, nodes, clock, registry);
        closeables.add(engine);
        return engine;
    }

    void closeLater(AutoCloseable closeable) {
        closeables.add(closeable);
    }

    List<ServerSnapshot> servers() {
        return sim.inspect().servers().stream()
                .filter(s -> POOL.equals(s.labels().get(Ownership.POOL)))
                .toList();
    }

    List<ServerSnapshot> awaitServers(int count) {
        await().atMost(Duration.ofSeconds(30)).until(() -> servers().size() == count);
        return servers();
    }

    List<LifecycleEvent> events(Transition transition) {
        return events.stream().filter(e -> e.transition() == transition).toList();
    }

    /** A Node as a kubelet registers it: our pool label, no providerID, not Ready yet. */
    static Node kubeletNode(String name, Map<String, String> labels) {
        return new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .endSpec()
                .withNewStatus()
                .withConditions(ready("False"))
                .endStatus()
                .build();
    }

    static NodeCondition ready(String status) {
        return new NodeConditionBuilder()
                .withType("Ready")
                .withStatus(status)
                .withReason("KubeletReady")
                .build();
    }

    static void setReady(KubernetesClient client, String name, String status) {
        client.nodes()
                .withName(name)
                .editStatus(n -> new NodeBuilder(n)
                        .editStatus()
                        .withConditions(ready(status))
                        .endStatus()
                        .build());
    }

    @Override
    public void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                // closing the rest matters more
            }
        }
        sim.close();
    }
}
