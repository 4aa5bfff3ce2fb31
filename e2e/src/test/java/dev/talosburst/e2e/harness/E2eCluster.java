package dev.talosburst.e2e.harness;

import dev.talosburst.hcloudsim.HcloudSimulator;
import dev.talosburst.hcloudsim.SimulatorOptions;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;

/**
 * Everything the suite runs, on 127.0.0.1 with free ports: etcd, kube-apiserver, kube-scheduler,
 * kube-controller-manager, a Kafka broker, the Hetzner simulator, the packaged talos-burst (Kubernetes mode with the
 * identity {@code k8s/base} creates: its ServiceAccount's token, bound only by the rendered RBAC; its Lease where
 * {@code k8s/} puts it), cluster-autoscaler (mTLS; the flags, cloud-config, ServiceAccount and RBAC of
 * {@code k8s/cluster-autoscaler}) and the simulated Talos kubelets.
 * {@link #close()} stops all of it, also after a failed start.
 */
public final class E2eCluster implements AutoCloseable {

    /** talos-burst's Deployment in {@code k8s/base}: its ServiceAccount and namespace are talos-burst's identity. */
    public static final String TALOS_BURST_DEPLOYMENT = "talos-burst";
    /** The cluster id of this installation (ownership label on servers). */
    public static final String CLUSTER_ID = "e2e";
    /** The lifecycle topic (talos-burst's default). */
    public static final String TOPIC = "talos-burst.node-lifecycle.v1";
    /** The Talos worker config talos-burst renders user-data from (under the shared directory; never copied). */
    public static final String WORKER_CONFIG = "fixtures/talos/v1.13-base-worker.yaml";
    /** Its Talos version, also the version of the snapshots added to the simulator. */
    public static final String TALOS_VERSION = "v1.13.9";
    /** The control-plane Node that nothing but system pods may use. */
    public static final String CONTROL_PLANE_NODE = "control-plane-1";
    /**
     * talos-burst's {@code out-of-resources-backoff}: short, so a scenario can wait past it and see whether
     * talos-burst retries what failed (cluster-autoscaler's own group back-off is 2 minutes).
     */
    public static final Duration OUT_OF_RESOURCES_BACKOFF = Duration.ofSeconds(10);

    /** Strong references: java.util.logging forgets the levels of loggers that are garbage collected. */
    private static final List<java.util.logging.Logger> QUIET = List.of(
            java.util.logging.Logger.getLogger("org.apache.kafka"),
            java.util.logging.Logger.getLogger("kafka"),
            java.util.logging.Logger.getLogger("state.change.logger"),
            java.util.logging.Logger.getLogger("io.smallrye.reactive.messaging.kafka"),
            java.util.logging.Logger.getLogger("io.fabric8"),
            java.util.logging.Logger.getLogger("io.vertx"));

    static {
        QUIET.forEach(l -> l.setLevel(java.util.logging.Level.WARNING));
    }

    private final Path bin;
    private final Path shared;
    private final Path work;
    private final Path logs;
    private final Timeline timeline = new Timeline();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "control-plane-kubelet");
        t.setDaemon(true);
        return t;
    });
    private final int kafkaPort = ManagedProcess.freePort();
    private EmbeddedKafkaBroker kafka;
    private ServiceAccountIdentity talosBurstIdentity;
    private ServiceAccountIdentity clusterAutoscalerIdentity;
    private String leaseName;
    private HcloudSimulator hetzner;
    private ControlPlane controlPlane;
    private TalosBurstProcess talosBurst;
    private ManagedProcess clusterAutoscaler;
    private SimulatedKubelets kubelets;
    private LifecycleEventLog events;
    private volatile boolean failed;

    private E2eCluster(Path bin, Path shared, Path work, Path logs) {
        this.bin = bin;
        this.shared = shared;
        this.work = work;
        this.logs = logs;
    }

    /**
     * Starts everything. {@code k8s} is the project's {@code k8s/} directory (rendered with the shared kubectl),
     * {@code pools} are talos-burst options below {@code talosburst.pools.}, {@code caExtraFlags} extra
     * cluster-autoscaler flags, {@code setup} runs with the admin client and cluster-autoscaler's namespace before
     * talos-burst starts.
     */
    public static E2eCluster start(
            Path bin,
            Path shared,
            Path jar,
            Path k8s,
            Path logs,
            Map<String, String> pools,
            List<String> caExtraFlags,
            java.util.function.BiConsumer<KubernetesClient, String> setup) {
        Path work;
        try {
            if (Files.isDirectory(logs)) { // logs of an earlier run would mislead
                try (var old = Files.walk(logs)) {
                    old.sorted(java.util.Comparator.reverseOrder())
                            .forEach(f -> f.toFile().delete());
                }
            }
            Files.createDirectories(logs);
            // beside the logs (under target/), not in /tmp; deleted by close() unless something failed
            work = logs.toAbsolutePath().resolveSibling("e2e-cluster");
            deleteTree(work); // an earlier failed run's
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        E2eCluster c = new E2eCluster(bin, shared, work, logs);
        // Even when the test JVM is stopped from outside, no etcd, API server or talos-burst outlives it.
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly)));
        try {
            c.startAll(jar, k8s, pools, caExtraFlags, setup);
            return c;
        } catch (RuntimeException | Error e) {
            c.markFailed();
            c.close();
            throw e;
        }
    }

    /**
     * {@code setup} gets the admin client and the namespace cluster-autoscaler runs in (its {@code --namespace}: its
     * status ConfigMap and the priority expander's are there).
     */
    private void startAll(
            Path jar,
            Path k8s,
            Map<String, String> pools,
            List<String> caExtraFlags,
            java.util.function.BiConsumer<KubernetesClient, String> setup) {
        long t0 = System.nanoTime();
        kafka = new EmbeddedKafkaBroker()
                .withKafkaHost("127.0.0.1")
                .withKafkaPort(kafkaPort)
                .withControllerPort(ManagedProcess.freePort())
                .withClusterId(Uuid.randomUuid().toString())
                .withAdditionalProperties(p -> {
                    p.put("log.dirs", work.resolve("kafka").toString());
                    p.put("auto.create.topics.enable", "false");
                    p.put("group.initial.rebalance.delay.ms", "0");
                });
        kafka.start();
        toClose.add(kafka::close);
        String bootstrap = kafkaBootstrap();

        // Short but not zero: initializing 2 s, starting 3 s, deleting 2 s (the simulator's defaults).
        // Bodies are recorded so the suite can count exactly which servers were created (Inspection.exchanges()).
        hetzner = HcloudSimulator.start(
                SimulatorOptions.builder().recordExchanges(true).build());
        toClose.add(hetzner);
        // the snapshots of the worker config's Talos version (newer than the seeded ones, so they are picked)
        for (String arch : List.of("amd64", "arm64")) {
            hetzner.catalogue()
                    .addSnapshot(
                            "talos " + TALOS_VERSION + " " + arch,
                            arch.equals("amd64") ? "x86" : "arm",
                            Instant.now(),
                            Map.of("os", "talos", "version", TALOS_VERSION, "arch", arch));
        }

        controlPlane = new ControlPlane(bin, work, logs);
        toClose.add(controlPlane);
        controlPlane.start();
        KubernetesClient admin = controlPlane.admin();
        log("control plane ready after %d s", (System.nanoTime() - t0) / 1_000_000_000);
        registerControlPlaneNode(admin);
        // talos-burst's identity as a user creates it: the rendered k8s/base RBAC, a token of its ServiceAccount
        RenderedManifests base = RenderedManifests.render(bin.resolve("kubectl"), k8s.resolve("base"));
        RenderedManifests autoscaler =
                RenderedManifests.render(bin.resolve("kubectl"), k8s.resolve("cluster-autoscaler"));
        talosBurstIdentity = ServiceAccountIdentity.apply(controlPlane, base, TALOS_BURST_DEPLOYMENT);
        leaseName = base.properties("talos-burst-config", "application.properties")
                .getProperty("talosburst.kubernetes.lease-name");
        log(
                "talos-burst runs as %s (applied from k8s/base: %s), Lease %s/%s",
                talosBurstIdentity.user(), talosBurstIdentity.applied(), talosBurstIdentity.namespace(), leaseName);
        String autoscalerNamespace = ClusterAutoscalerProcess.namespace(autoscaler);
        if (admin.namespaces().withName(autoscalerNamespace).get() == null) {
            admin.resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(autoscalerNamespace)
                            .endMetadata()
                            .build())
                    .create();
        }
        setup.accept(admin, autoscalerNamespace);

        Pki grpcPki = new Pki(work.resolve("grpc-pki"), "talos-burst-grpc");
        Pki.Issued grpcServer = grpcPki.server("talos-burst-grpc", "talos-burst", "127.0.0.1", "localhost");
        Pki.Issued caClient = grpcPki.client("cluster-autoscaler-grpc", "cluster-autoscaler");

        int grpcPort = ManagedProcess.freePort();
        int managementPort = ManagedProcess.freePort();
        Map<String, String> options = new LinkedHashMap<>();
        options.put("talosburst.cluster-id", CLUSTER_ID);
        options.put("talosburst.hcloud.embedded-simulator", "false");
        options.put("talosburst.hcloud.endpoint", hetzner.endpoint().toString());
        options.put(
                "talosburst.talos.worker-config", shared.resolve(WORKER_CONFIG).toString());
        options.put("talosburst.talos.talos-version", TALOS_VERSION);
        options.put("talosburst.grpc.plaintext", "false");
        options.put("talosburst.grpc.host", "127.0.0.1");
        options.put("talosburst.grpc.port", String.valueOf(grpcPort));
        options.put("talosburst.grpc.tls.cert", grpcServer.cert().toString());
        options.put("talosburst.grpc.tls.key", grpcServer.key().toString());
        options.put("talosburst.grpc.tls.client-ca", grpcPki.caCert().toString());
        options.put("talosburst.management.host", "127.0.0.1");
        options.put("talosburst.management.port", String.valueOf(managementPort));
        options.put("talosburst.kubernetes.enabled", "true");
        // in a pod the namespace comes from the mounted ServiceAccount; here it is said, as k8s/ deploys it
        options.put("talosburst.kubernetes.namespace", talosBurstIdentity.namespace());
        if (leaseName != null) {
            options.put("talosburst.kubernetes.lease-name", leaseName);
        }
        options.put("talosburst.kubernetes.lease-duration", "8s");
        options.put("talosburst.kubernetes.renew-deadline", "5s");
        options.put("talosburst.kubernetes.retry-period", "1s");
        options.put("talosburst.kubernetes.node-resync", "20s");
        options.put("talosburst.events.bootstrap-servers", bootstrap);
        options.put(
                "talosburst.events.journal-dir",
                logs.resolve("talos-burst-journal").toString());
        options.put("talosburst.events.replication-factor", "1");
        options.put("talosburst.events.partitions", "3");
        options.put("talosburst.engine.resync-interval", "10s");
        options.put("talosburst.engine.create-retry-backoff", "3s");
        options.put("talosburst.engine.out-of-resources-backoff", OUT_OF_RESOURCES_BACKOFF.toSeconds() + "s");
        pools.forEach((k, v) -> options.put("talosburst.pools." + k, v));
        // the API-server connection as the README documents it outside a pod: a kubeconfig named by KUBECONFIG
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("KUBECONFIG", talosBurstIdentity.kubeconfig().toString());
        talosBurst = TalosBurstProcess.start(
                jar, work, logs, options, environment, hetzner.token(), grpcPort, managementPort);
        toClose.add(talosBurst);
        events = new LifecycleEventLog(bootstrap, TOPIC, timeline);
        toClose.add(events);
        kubelets = new SimulatedKubelets(
                        hetzner, controlPlane, CLUSTER_ID, timeline, Duration.ofMillis(1500), Duration.ofMillis(2000))
                .start();
        toClose.add(kubelets);
        talosBurst.awaitReady(Duration.ofSeconds(240));
        log("talos-burst ready after %d s", (System.nanoTime() - t0) / 1_000_000_000);

        // cluster-autoscaler, too, with the identity k8s/cluster-autoscaler creates: its ServiceAccount's token
        clusterAutoscalerIdentity =
                ServiceAccountIdentity.apply(controlPlane, autoscaler, ClusterAutoscalerProcess.DEPLOYMENT);
        log(
                "cluster-autoscaler runs as %s (applied from k8s/cluster-autoscaler: %s)",
                clusterAutoscalerIdentity.user(), clusterAutoscalerIdentity.applied());
        clusterAutoscaler = ClusterAutoscalerProcess.start(
                bin,
                work,
                logs,
                clusterAutoscalerIdentity.kubeconfig(),
                grpcPort,
                grpcPki,
                caClient,
                autoscaler,
                caExtraFlags);
        toClose.add(clusterAutoscaler);
        log("everything started after %d s", (System.nanoTime() - t0) / 1_000_000_000);
    }

    /** The existing (tainted) control-plane Node; its Lease is renewed so it stays Ready. */
    private void registerControlPlaneNode(KubernetesClient admin) {
        String now = java.time.format.DateTimeFormatter.ISO_INSTANT.format(
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        admin.nodes()
                .resource(new NodeBuilder()
                        .withNewMetadata()
                        .withName(CONTROL_PLANE_NODE)
                        .addToLabels("node-role.kubernetes.io/control-plane", "")
                        .addToLabels("kubernetes.io/hostname", CONTROL_PLANE_NODE)
                        .addToLabels("kubernetes.io/os", "linux")
                        .addToLabels("kubernetes.io/arch", "amd64")
                        .endMetadata()
                        .withNewSpec()
                        .addNewTaint()
                        .withKey("node-role.kubernetes.io/control-plane")
                        .withEffect("NoSchedule")
                        .endTaint()
                        .endSpec()
                        .withNewStatus()
                        .addToCapacity("cpu", new Quantity("2"))
                        .addToCapacity("memory", new Quantity("4Gi"))
                        .addToCapacity("pods", new Quantity("110"))
                        .addToAllocatable("cpu", new Quantity("1900m"))
                        .addToAllocatable("memory", new Quantity("3Gi"))
                        .addToAllocatable("pods", new Quantity("110"))
                        .addNewCondition()
                        .withType("Ready")
                        .withStatus("True")
                        .withReason("KubeletReady")
                        .withLastHeartbeatTime(now)
                        .withLastTransitionTime(now)
                        .endCondition()
                        .endStatus()
                        .build())
                .create();
        heartbeat.scheduleWithFixedDelay(
                () -> {
                    try {
                        var leases = admin.resources(Lease.class).inNamespace("kube-node-lease");
                        Lease lease = leases.withName(CONTROL_PLANE_NODE).get();
                        if (lease == null) {
                            leases.resource(new LeaseBuilder()
                                            .withNewMetadata()
                                            .withName(CONTROL_PLANE_NODE)
                                            .endMetadata()
                                            .withNewSpec()
                                            .withHolderIdentity(CONTROL_PLANE_NODE)
                                            .withLeaseDurationSeconds(40)
                                            .withRenewTime(ZonedDateTime.now(ZoneOffset.UTC))
                                            .endSpec()
                                            .build())
                                    .create();
                        } else {
                            lease.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
                            leases.resource(lease).update();
                        }
                    } catch (RuntimeException e) {
                        System.err.println("control-plane lease renewal failed: " + e);
                    }
                },
                0,
                5,
                TimeUnit.SECONDS);
    }

    private static void log(String format, Object... args) {
        System.out.printf("[e2e] " + format + "%n", args);
    }

    /** A new client with talos-burst's own Kubernetes identity, its ServiceAccount token (close it). */
    public KubernetesClient talosBurstKubeClient() {
        return controlPlane.client(talosBurstIdentity.token());
    }

    /** talos-burst's identity: the k8s/base ServiceAccount. */
    public ServiceAccountIdentity talosBurstIdentity() {
        return talosBurstIdentity;
    }

    /** cluster-autoscaler's identity: the k8s/cluster-autoscaler ServiceAccount. */
    public ServiceAccountIdentity clusterAutoscalerIdentity() {
        return clusterAutoscalerIdentity;
    }

    /** talos-burst's leader Lease as it is now (read as admin); null when none exists. */
    public Lease leaderLease() {
        return controlPlane
                .admin()
                .resources(Lease.class)
                .inNamespace(talosBurstIdentity.namespace())
                .withName(leaseName == null ? "talos-burst-leader" : leaseName)
                .get();
    }

    /** A cluster-admin client. */
    public KubernetesClient admin() {
        return controlPlane.admin();
    }

    /** The Hetzner simulator talos-burst uses as real Hetzner. */
    public HcloudSimulator hetzner() {
        return hetzner;
    }

    /** The packaged talos-burst. */
    public TalosBurstProcess talosBurst() {
        return talosBurst;
    }

    /** cluster-autoscaler. */
    public ManagedProcess clusterAutoscaler() {
        return clusterAutoscaler;
    }

    /** The simulated Talos kubelets. */
    public SimulatedKubelets kubelets() {
        return kubelets;
    }

    /** The lifecycle topic as read so far. */
    public LifecycleEventLog events() {
        return events;
    }

    /** The timeline of the running scenario. */
    public Timeline timeline() {
        return timeline;
    }

    /** The broker's bootstrap address. */
    public String kafkaBootstrap() {
        return "127.0.0.1:" + kafkaPort;
    }

    /** Fails naming the process that died. */
    public void requireAlive() {
        controlPlane.requireAlive();
        clusterAutoscaler.requireAlive();
    }

    /** Keeps the working directory (etcd, Kafka, certificates) after {@link #close()}, for a failure's post-mortem. */
    public void markFailed() {
        failed = true;
    }

    /** Stops everything, newest first, then deletes the working directory unless something failed; never throws. */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                System.err.println("[e2e] stopping " + toClose.get(i) + " failed: " + e);
            }
        }
        if (failed) {
            log("kept the working directory of the failed run: %s", work);
            return;
        }
        try {
            deleteTree(work);
        } catch (IOException | UncheckedIOException e) {
            System.err.println("[e2e] deleting " + work + " failed: " + e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
