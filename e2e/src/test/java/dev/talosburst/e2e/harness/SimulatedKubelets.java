package dev.talosburst.e2e.harness;

import dev.talosburst.demo.TalosMachineConfig;
import dev.talosburst.demo.TalosNodes;
import dev.talosburst.hcloudsim.HcloudSimulator;
import dev.talosburst.hcloudsim.ServerSnapshot;
import dev.talosburst.hcloudsim.SimulatedServerType;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Plays Talos' kubelet for every running server of the cluster in the Hetzner simulator: reads the server's user-data
 * as Hetzner hands it to the machine, registers the Node as {@code system:node:<hostname>} (so NodeRestriction applies)
 * with the labels and {@code registerWithTaints} found in it and capacity from the server type, becomes Ready after a
 * delay, renews its Lease, runs the pods bound to it and deletes its terminating pods. providerID stays empty.
 */
public final class SimulatedKubelets implements AutoCloseable {

    private static final String MANAGED_CLUSTER_LABEL = "talos-burst.dev/cluster";
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_INSTANT;

    private final HcloudSimulator hetzner;
    private final ControlPlane cluster;
    private final String clusterId;
    private final Timeline timeline;
    private final Duration registerDelay;
    private final Duration readyDelay;
    private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(4, r -> {
        Thread t = new Thread(r, "simulated-kubelet");
        t.setDaemon(true);
        return t;
    });
    private final Map<Long, Kubelet> kubelets = new ConcurrentHashMap<>();
    private final Map<Long, String> lastStatus = new ConcurrentHashMap<>();
    private final Map<Long, String> names = new ConcurrentHashMap<>();
    /** Every server name ever seen in the simulator (for "never became a server" assertions). */
    private final Set<String> everSeen = ConcurrentHashMap.newKeySet();
    /** Nodes registered from base64(gzip) user-data. */
    private final Set<String> fromCompressed = ConcurrentHashMap.newKeySet();

    private final List<String> errors = new ArrayList<>();
    private ScheduledFuture<?> poller;

    /** Fleet of kubelets for servers labelled with {@code clusterId}; call {@link #start()}. */
    public SimulatedKubelets(
            HcloudSimulator hetzner,
            ControlPlane cluster,
            String clusterId,
            Timeline timeline,
            Duration registerDelay,
            Duration readyDelay) {
        this.hetzner = hetzner;
        this.cluster = cluster;
        this.clusterId = clusterId;
        this.timeline = timeline;
        this.registerDelay = registerDelay;
        this.readyDelay = readyDelay;
    }

    /** Starts watching the simulator. */
    public SimulatedKubelets start() {
        poller = executor.scheduleWithFixedDelay(this::pollServers, 0, 300, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Names of every server of this cluster ever seen in the simulator. */
    public Set<String> everSeenServerNames() {
        return Set.copyOf(everSeen);
    }

    /** Names of the Nodes whose user-data came compressed (base64 of gzip). */
    public Set<String> registeredFromCompressedUserData() {
        return Set.copyOf(fromCompressed);
    }

    /** Failures inside kubelets since the last call (they must not hide), and forgets them. */
    public synchronized List<String> drainErrors() {
        List<String> out = List.copyOf(errors);
        errors.clear();
        return out;
    }

    private synchronized void error(String what, Exception e) {
        String msg = what + ": " + e;
        errors.add(msg);
        System.err.println("simulated kubelet: " + msg);
    }

    private void pollServers() {
        try {
            Map<Long, ServerSnapshot> now = new HashMap<>();
            for (ServerSnapshot s : hetzner.inspect().servers()) {
                if (clusterId.equals(s.labels().get(MANAGED_CLUSTER_LABEL))) {
                    now.put(s.id(), s);
                }
            }
            for (ServerSnapshot s : now.values()) {
                if (everSeen.add(s.name())) {
                    timeline.note(
                            s.created(),
                            "server created in Hetzner: " + s.name() + " (id " + s.id() + ", " + s.serverType() + ")");
                }
                names.put(s.id(), s.name());
                String previous = lastStatus.put(s.id(), s.status());
                if (!s.status().equals(previous)) {
                    timeline.note("server " + s.name() + " " + s.status());
                }
                if (s.status().equals("running") && !kubelets.containsKey(s.id())) {
                    Kubelet k = new Kubelet(s);
                    kubelets.put(s.id(), k);
                    executor.schedule(k::register, registerDelay.toMillis(), TimeUnit.MILLISECONDS);
                } else if (!s.status().equals("running") && kubelets.containsKey(s.id())) {
                    kubelets.remove(s.id()).stop("server " + s.status());
                }
            }
            for (Long id : List.copyOf(kubelets.keySet())) {
                if (!now.containsKey(id)) {
                    kubelets.remove(id).stop("server gone");
                }
            }
            for (Long id : List.copyOf(lastStatus.keySet())) {
                if (!now.containsKey(id)) {
                    lastStatus.remove(id);
                    timeline.note("server " + names.getOrDefault(id, "id " + id) + " gone from Hetzner");
                }
            }
        } catch (RuntimeException e) {
            error("polling the simulator", e);
        }
    }

    /** Retries a read-modify-write that lost a race (409), as the kubelet does: talos-burst patches the same Node. */
    private static void retryOnConflict(Runnable update) {
        for (int attempt = 1; ; attempt++) {
            try {
                update.run();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }
    }

    /** One node's kubelet. */
    private final class Kubelet {
        private final ServerSnapshot server;
        private volatile boolean stopped;
        private volatile KubernetesClient client;
        private volatile String nodeName;
        private final List<ScheduledFuture<?>> loops = new ArrayList<>();

        Kubelet(ServerSnapshot server) {
            this.server = server;
        }

        synchronized void register() {
            if (stopped) {
                return;
            }
            try {
                TalosMachineConfig config = TalosMachineConfig.fromUserData(
                        hetzner.inspect().userData(server.id()).orElse(null));
                nodeName = config.hostname()
                        .orElseThrow(() -> new IllegalArgumentException(
                                "user-data sets no hostname (machine.network.hostname or HostnameConfig)"));
                client = cluster.client(
                        cluster.pki().client("node-" + nodeName, "system:node:" + nodeName, "system:nodes"));
                SimulatedServerType type =
                        hetzner.catalogue().serverType(server.serverType()).orElseThrow();
                client.nodes()
                        .resource(TalosNodes.registering(nodeName, server, type, config.labels(), config.taints()))
                        .create();
                if (config.wasCompressed()) {
                    fromCompressed.add(nodeName);
                }
                timeline.note(
                        "Node registered: " + nodeName + (config.wasCompressed() ? " (user-data was gzip+base64)" : "")
                                + " labels=" + config.labels().get("talos-burst.dev/pool") + " taints="
                                + config.taints().size());
                renewLease();
                loops.add(executor.scheduleWithFixedDelay(this::renewLease, 5, 5, TimeUnit.SECONDS));
                loops.add(executor.schedule(this::becomeReady, readyDelay.toMillis(), TimeUnit.MILLISECONDS));
                loops.add(executor.scheduleWithFixedDelay(this::syncPods, 1000, 700, TimeUnit.MILLISECONDS));
            } catch (RuntimeException e) {
                error("registering server " + server.name(), e);
            }
        }

        private void becomeReady() {
            if (stopped) {
                return;
            }
            try {
                retryOnConflict(() -> client.nodes().withName(nodeName).editStatus(n -> {
                    n.getStatus().setConditions(List.of(TalosNodes.ready(true)));
                    return n;
                }));
                timeline.note("Node Ready: " + nodeName);
            } catch (RuntimeException e) {
                error("making " + nodeName + " Ready", e);
            }
        }

        private void renewLease() {
            if (stopped) {
                return;
            }
            try {
                String now = ZonedDateTime.now(ZoneOffset.UTC)
                        .format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'"));
                var leases = client.resources(Lease.class).inNamespace("kube-node-lease");
                Lease existing = leases.withName(nodeName).get();
                if (existing == null) {
                    leases.resource(new LeaseBuilder()
                                    .withNewMetadata()
                                    .withName(nodeName)
                                    .withNamespace("kube-node-lease")
                                    .endMetadata()
                                    .withNewSpec()
                                    .withHolderIdentity(nodeName)
                                    .withLeaseDurationSeconds(40)
                                    .withRenewTime(java.time.ZonedDateTime.now(ZoneOffset.UTC))
                                    .endSpec()
                                    .build())
                            .create();
                } else {
                    existing.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
                    leases.resource(existing).update();
                }
            } catch (KubernetesClientException e) {
                if (!stopped) {
                    error("renewing the Lease of " + nodeName, e);
                }
            }
        }

        private void syncPods() {
            if (stopped) {
                return;
            }
            try {
                for (Pod pod : client.pods()
                        .inAnyNamespace()
                        .withField("spec.nodeName", nodeName)
                        .list()
                        .getItems()) {
                    String ns = pod.getMetadata().getNamespace();
                    String name = pod.getMetadata().getName();
                    if (pod.getMetadata().getDeletionTimestamp() != null) {
                        client.pods()
                                .inNamespace(ns)
                                .withName(name)
                                .withGracePeriod(0)
                                .delete();
                        timeline.note("pod " + name + " deleted by the kubelet of " + nodeName);
                    } else if (!"Running".equals(pod.getStatus().getPhase())) {
                        retryOnConflict(() ->
                                client.pods().inNamespace(ns).withName(name).editStatus(p -> running(p)));
                        timeline.note("pod " + name + " Running on " + nodeName);
                    }
                }
            } catch (KubernetesClientException e) {
                if (!stopped && e.getCode() != 404) {
                    error("syncing pods of " + nodeName, e);
                }
            }
        }

        private Pod running(Pod p) {
            String now = RFC3339.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
            List<ContainerStatus> containers = new ArrayList<>();
            p.getSpec()
                    .getContainers()
                    .forEach(c -> containers.add(new ContainerStatusBuilder()
                            .withName(c.getName())
                            .withImage(c.getImage())
                            .withImageID(c.getImage())
                            .withReady(true)
                            .withRestartCount(0)
                            .withStarted(true)
                            .withNewState()
                            .withNewRunning()
                            .withStartedAt(now)
                            .endRunning()
                            .endState()
                            .build()));
            List<PodCondition> conditions = new ArrayList<>();
            for (String type : List.of("PodScheduled", "Initialized", "ContainersReady", "Ready")) {
                conditions.add(new PodConditionBuilder()
                        .withType(type)
                        .withStatus("True")
                        .withLastTransitionTime(now)
                        .build());
            }
            p.getStatus().setPhase("Running");
            p.getStatus().setStartTime(now);
            p.getStatus().setHostIP(server.publicIpv4());
            p.getStatus()
                    .setPodIP("10.244." + (server.id() % 250) + "."
                            + (Math.abs(p.getMetadata().getName().hashCode()) % 250 + 2));
            p.getStatus().setConditions(conditions);
            p.getStatus().setContainerStatuses(containers);
            return p;
        }

        synchronized void stop(String why) {
            stopped = true;
            loops.forEach(f -> f.cancel(false));
            if (nodeName != null) {
                timeline.note("kubelet of " + nodeName + " stopped (" + why + ")");
            }
            if (client != null) {
                client.close();
            }
        }
    }

    /** Stops every kubelet; Nodes stay as they are. */
    @Override
    public void close() {
        if (poller != null) {
            poller.cancel(false);
        }
        kubelets.values().forEach(k -> k.stop("shutdown"));
        executor.shutdownNow();
    }
}
