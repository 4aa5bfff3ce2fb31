package dev.talosburst.demo;

import dev.talosburst.hcloudsim.HcloudSimulator;
import dev.talosburst.hcloudsim.ServerSnapshot;
import dev.talosburst.hcloudsim.SimulatedServerType;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Plays Talos' kubelet for every server of one cluster in the Hetzner simulator, against any Kubernetes API (the
 * fabric8 mock server or a real API server) through the {@link KubernetesClient} API only.
 *
 * <p>When a server turns {@code running}, its kubelet reads the server's user-data as Hetzner hands it to the machine,
 * registers a Node named by the config's hostname (else the server name) with the config's node labels and taints
 * (when the user-data carries no {@code talos-burst.dev/pool} label, the server's Hetzner labels stand in, and it says
 * so) and capacity from the server type, NotReady, then Ready after a delay. It never sets providerID (talos-burst does)
 * and deletes nothing, except a Node whose server is gone and that nobody removed within a grace period (a real Node
 * would stop heartbeating and be garbage; here it is reported as a fault of whoever should have removed it).
 */
public final class SimulatedKubelets implements AutoCloseable {

    static final String CLUSTER_LABEL = "talos-burst.dev/cluster";
    static final String POOL_LABEL = "talos-burst.dev/pool";

    private final HcloudSimulator hetzner;
    private final KubernetesClient kube;
    private final String clusterId;
    private final Consumer<String> timeline;
    private final Duration registerDelay;
    private final Duration readyDelay;
    private final Duration orphanGrace;
    private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "simulated-kubelet");
        t.setDaemon(true);
        return t;
    });
    private final Map<Long, String> status = new ConcurrentHashMap<>();
    private final Map<Long, String> serverNames = new ConcurrentHashMap<>();
    /** Server id → Node name, once the kubelet registered. */
    private final Map<Long, String> registered = new ConcurrentHashMap<>();

    private final Set<Long> booting = ConcurrentHashMap.newKeySet();
    private final Set<String> removedByKubelet = ConcurrentHashMap.newKeySet();
    private final List<String> errors = new ArrayList<>();

    /**
     * Kubelets for the servers labelled {@code talos-burst.dev/cluster=<clusterId>}; call {@link #start()}.
     *
     * @param timeline receives one line per step (server status changes, Node registered, Ready)
     * @param orphanGrace how long a Node may outlive its server before the kubelet removes it and reports it
     */
    public SimulatedKubelets(
            HcloudSimulator hetzner,
            KubernetesClient kube,
            String clusterId,
            Consumer<String> timeline,
            Duration registerDelay,
            Duration readyDelay,
            Duration orphanGrace) {
        this.hetzner = hetzner;
        this.kube = kube;
        this.clusterId = clusterId;
        this.timeline = timeline;
        this.registerDelay = registerDelay;
        this.readyDelay = readyDelay;
        this.orphanGrace = orphanGrace;
    }

    /** Starts watching the simulator (every 200 ms). */
    public SimulatedKubelets start() {
        executor.scheduleWithFixedDelay(this::poll, 0, 200, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Nodes the kubelets had to remove themselves because nobody else did after their server was deleted. */
    public Set<String> nodesRemovedByKubelets() {
        return Set.copyOf(removedByKubelet);
    }

    /** Servers of the cluster the kubelets currently see in Hetzner. */
    public int serversSeen() {
        return status.size();
    }

    /** Failures inside kubelets (they must not hide). */
    public synchronized List<String> errors() {
        return List.copyOf(errors);
    }

    private synchronized void error(String what, RuntimeException e) {
        errors.add(what + ": " + e);
        timeline.accept("simulated kubelet: " + what + " failed: " + e.getMessage());
    }

    private void poll() {
        try {
            Map<Long, ServerSnapshot> now = new LinkedHashMap<>();
            for (ServerSnapshot s : hetzner.inspect().servers()) {
                if (clusterId.equals(s.labels().get(CLUSTER_LABEL))) {
                    now.put(s.id(), s);
                }
            }
            for (ServerSnapshot s : now.values()) {
                serverNames.put(s.id(), s.name());
                String previous = status.put(s.id(), s.status());
                if (previous == null) {
                    timeline.accept("server " + s.name() + " created (hcloud://" + s.id() + ", " + s.serverType()
                            + " in " + s.location() + "), " + s.status());
                } else if (!previous.equals(s.status())) {
                    timeline.accept("server " + s.name() + " " + s.status());
                }
                if ("running".equals(s.status()) && !registered.containsKey(s.id()) && booting.add(s.id())) {
                    executor.schedule(() -> register(s), registerDelay.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            for (Long id : List.copyOf(status.keySet())) {
                if (!now.containsKey(id)) {
                    status.remove(id);
                    timeline.accept("server " + serverNames.get(id) + " deleted (gone from Hetzner)");
                    String node = registered.remove(id);
                    if (node != null) {
                        executor.schedule(() -> removeIfOrphaned(node), orphanGrace.toMillis(), TimeUnit.MILLISECONDS);
                    }
                }
            }
        } catch (RuntimeException e) {
            error("polling the simulator", e);
        }
    }

    private void register(ServerSnapshot server) {
        try {
            if (hetzner.inspect().server(server.id()).isEmpty()) {
                return;
            }
            TalosMachineConfig config = TalosMachineConfig.fromUserData(
                    hetzner.inspect().userData(server.id()).orElse(null));
            String name = config.hostname().orElse(server.name());
            Map<String, String> labels = new LinkedHashMap<>(config.labels());
            String source = "labels from its user-data";
            if (!labels.containsKey(POOL_LABEL)) {
                // The user-data set no node labels: take ours from the server's Hetzner labels, like a cloud provider
                // would.
                labels.put(POOL_LABEL, server.labels().get(POOL_LABEL));
                labels.put(CLUSTER_LABEL, server.labels().get(CLUSTER_LABEL));
                source =
                        "no node labels in its user-data: pool and cluster labels taken from the server's Hetzner labels";
            }
            SimulatedServerType type = hetzner.catalogue()
                    .serverType(server.serverType())
                    .orElseThrow(() -> new IllegalStateException("unknown server type " + server.serverType()));
            Node node = TalosNodes.registering(name, server, type, labels, config.taints());
            // noted first: once created, talos-burst may act on the Node before create() returns
            timeline.accept("Node " + name + " registered by its kubelet (" + source + "), NotReady");
            kube.nodes().resource(node).create();
            registered.put(server.id(), name);
            executor.schedule(() -> becomeReady(name), readyDelay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            error("registering server " + server.name(), e);
        } finally {
            booting.remove(server.id());
        }
    }

    private void becomeReady(String name) {
        if (!registered.containsValue(name)) {
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                // a status-only change, like the kubelet's own status update (no conflict with providerID patches)
                Node node = kube.nodes().withName(name).get();
                node.getStatus().setConditions(List.of(TalosNodes.ready(true)));
                kube.nodes().resource(node).updateStatus();
                timeline.accept("Node " + name + " Ready");
                return;
            } catch (RuntimeException e) {
                if (attempt == 3) {
                    error("making " + name + " Ready", e);
                    return;
                }
            }
        }
    }

    private void removeIfOrphaned(String name) {
        try {
            if (kube.nodes().withName(name).get() != null) {
                removedByKubelet.add(name);
                kube.nodes().withName(name).delete();
                timeline.accept(
                        "Node " + name + " removed by the simulated kubelet: its server is gone and nobody removed it");
            }
        } catch (RuntimeException e) {
            error("removing orphaned Node " + name, e);
        }
    }

    /** Stops every kubelet; Nodes stay as they are. */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
