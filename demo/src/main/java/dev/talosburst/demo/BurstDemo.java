package dev.talosburst.demo;

import dev.talosburst.hcloudsim.HcloudSimulator;
import dev.talosburst.hcloudsim.SimulatorOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Watch a burst: runs the packaged talos-burst end to end on embedded pieces and prints a live timeline, then the cost
 * per pool read back from the lifecycle events. Everything listens on 127.0.0.1 on free ports and is stopped at the
 * end, on failure and on Ctrl-C.
 *
 * <p>{@code java -jar demo/target/talos-burst-demo.jar [--talos-burst-jar PATH] [--keep-files]}
 */
public final class BurstDemo {

    static final String CLUSTER_ID = "demo";
    static final String TOPIC = "talos-burst.node-lifecycle.v1";
    static final String RELATIVE_JAR = "autoscaler-grpc/target/quarkus-app/quarkus-run.jar";

    /** The burst: pending pods the stand-in cluster-autoscaler finds. */
    static final List<Workload> WORKLOADS =
            List.of(new Workload("web", 6, 1000, null), new Workload("arm-batch", 2, 1000, "arm64"));

    /** The pools talos-burst is configured with (id, server type, max). */
    static final List<String[]> POOLS =
            List.of(new String[] {"cx22-fsn1", "cx22", "6"}, new String[] {"cx32-fsn1", "cx32", "3"}, new String[] {
                "cax11-fsn1", "cax11", "3"
            });

    private final PrintStream out;
    private final Path jar;
    private final boolean keepFiles;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private Path workDir;

    BurstDemo(PrintStream out, Path jar, boolean keepFiles) {
        this.out = out;
        this.jar = jar;
        this.keepFiles = keepFiles;
    }

    public static void main(String[] args) {
        Quiet.logs();
        Path jar = null;
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--talos-burst-jar" -> {
                    if (i + 1 >= args.length) {
                        usage("--talos-burst-jar needs a path to quarkus-run.jar");
                    }
                    jar = Path.of(args[++i]);
                }
                case "--keep-files" -> keep = true;
                case "-h", "--help" -> {
                    usage(null);
                }
                default -> usage("unknown argument '" + args[i] + "'");
            }
        }
        BurstDemo demo = new BurstDemo(System.out, jar != null ? jar : defaultJar(), keep);
        Runtime.getRuntime().addShutdownHook(new Thread(demo::close, "demo-shutdown"));
        int code;
        try {
            demo.run();
            code = 0;
        } catch (Exception e) {
            System.out.flush();
            if (demo.closed.get()) {
                // Ctrl-C: the shutdown hook is stopping everything; what failed meanwhile is a consequence
                System.err.println("\ndemo interrupted: stopping everything it started");
                return;
            }
            System.err.println("\nDEMO FAILED: " + (e instanceof DemoFailure ? e.getMessage() : e));
            if (!(e instanceof DemoFailure)) {
                e.printStackTrace();
            }
            code = 1;
        }
        demo.close(code == 0);
        // Kafka and Netty leave non-daemon threads behind; everything of ours is closed.
        System.exit(code);
    }

    private static void usage(String problem) {
        PrintStream s = problem == null ? System.out : System.err;
        if (problem != null) {
            s.println(problem);
        }
        s.println("usage: java -jar demo/target/talos-burst-demo.jar [--talos-burst-jar PATH] [--keep-files]");
        s.println("  --talos-burst-jar PATH  the packaged talos-burst to run (default: " + RELATIVE_JAR
                + " of this clone; also TALOS_BURST_JAR)");
        s.println("  --keep-files            keep the work directory (talos-burst's config, log and event journal)");
        System.exit(problem == null ? 0 : 2);
    }

    /** {@code TALOS_BURST_JAR}, else the jar of the clone this demo jar was built in, else relative to the working directory. */
    static Path defaultJar() {
        String env = System.getenv("TALOS_BURST_JAR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        try {
            Path self = Path.of(BurstDemo.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            // demo/target/talos-burst-demo.jar (or demo/target/classes) → the clone's root
            Path root = self.getParent().getParent().getParent();
            Path candidate = root.resolve(RELATIVE_JAR);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall back to the working directory
        }
        return Path.of(RELATIVE_JAR);
    }

    void run() throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new DemoFailure("talos-burst is not built: " + jar.toAbsolutePath()
                    + " does not exist. Run ./mvnw -B install -DskipTests "
                    + "first, or pass --talos-burst-jar PATH/quarkus-run.jar.");
        }
        workDir = Files.createTempDirectory("talos-burst-demo-");
        out.println(
                "talos-burst demo: one burst, end to end, on this machine only (nothing is bought, nothing leaves 127.0.0.1)");
        out.println("  Hetzner Cloud      -> the talos-burst Hetzner simulator (in this JVM)");
        out.println("  Kafka              -> an in-process KRaft broker (lifecycle events)");
        out.println(
                "  Kubernetes API     -> the fabric8 mock API server (Nodes, leader Lease) + simulated Talos kubelets");
        out.println(
                "  cluster-autoscaler -> a scripted STAND-IN making CA's externalgrpc calls (it is NOT cluster-autoscaler)");
        out.println("  talos-burst        -> the packaged jar, " + jar);
        out.println();

        long t0 = System.nanoTime();
        HcloudSimulator hetzner = keep(HcloudSimulator.start(SimulatorOptions.builder()
                .initializing(Duration.ofSeconds(2))
                .starting(Duration.ofSeconds(1))
                .deleting(Duration.ofSeconds(1))
                .build()));
        DemoKafka kafka = keep(DemoKafka.start(Files.createDirectories(workDir.resolve("kafka"))));
        MockKubernetes kubernetes = keep(MockKubernetes.start());
        Path kubeconfig = kubernetes.writeKubeconfig(workDir.resolve("kubeconfig"));
        int grpcPort = DemoKafka.freePort();
        int managementPort = DemoKafka.freePort();
        out.printf(
                "setting up: Hetzner simulator %s, Kafka %s, Kubernetes API %s%n",
                hetzner.endpoint(), kafka.bootstrapServers(), kubernetes.url());
        TalosBurstProcess talosBurst = keep(TalosBurstProcess.start(
                jar,
                workDir.resolve("talos-burst.properties"),
                properties(hetzner, kafka, grpcPort, managementPort),
                Map.of("TALOSBURST_HCLOUD_TOKEN", hetzner.token(), "KUBECONFIG", kubeconfig.toString()),
                workDir.resolve("talos-burst.log"),
                managementPort));
        out.printf(
                "setting up: talos-burst starting (gRPC 127.0.0.1:%d, plaintext; config %s; log %s)%n",
                grpcPort, workDir.resolve("talos-burst.properties"), talosBurst.log());
        talosBurst.awaitReady(Duration.ofSeconds(90));
        out.printf(
                "setting up: talos-burst ready (leader, Nodes watched) after %.1f s%n%n",
                (System.nanoTime() - t0) / 1e9);

        Timeline timeline = new Timeline(out);
        SimulatedKubelets kubelets = keep(new SimulatedKubelets(
                hetzner,
                kubernetes.client(),
                CLUSTER_ID,
                timeline::note,
                Duration.ofMillis(1500),
                Duration.ofMillis(1500),
                Duration.ofSeconds(10)));
        keep(new NodeObserver(kubernetes.client(), timeline::note, kubelets::nodesRemovedByKubelets));
        kubelets.start();
        StandInClusterAutoscaler ca =
                keep(new StandInClusterAutoscaler("127.0.0.1", grpcPort, kubernetes.client(), timeline::note));
        timeline.note(
                "stand-in CA: this is a scripted stand-in for cluster-autoscaler, making the calls CA makes over externalgrpc");
        try {
            ca.burst(WORKLOADS, Duration.ofSeconds(3), Duration.ofSeconds(5), Duration.ofSeconds(75));
        } catch (DemoFailure e) {
            throw new DemoFailure(e.getMessage() + "\n(talos-burst's log: " + talosBurst.log() + ")");
        }
        awaitGone(hetzner, kubernetes, kubelets, timeline);

        BillingReport billing = keep(new BillingReport(kafka.bootstrapServers(), TOPIC));
        int servers = (int) timeline.lines().stream()
                .filter(l -> l.contains("] server ") && l.contains(" created (hcloud://"))
                .count();
        billing.readUntilAllDeleted(servers, Duration.ofSeconds(30));
        timeline.note("billing: read " + billing.records() + " lifecycle events from Kafka topic " + TOPIC + " ("
                + billing.eventsByType().entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", "))
                + ")");
        if (!kubelets.errors().isEmpty()) {
            throw new DemoFailure("the simulated kubelets failed: " + kubelets.errors());
        }
        if (!kubelets.nodesRemovedByKubelets().isEmpty()) {
            throw new DemoFailure("talos-burst did not remove the Nodes of the servers it deleted: "
                    + kubelets.nodesRemovedByKubelets());
        }
        out.println();
        out.println(
                "Cost per pool, computed by the events module's BillingLedger from the lifecycle events (Hetzner bills every started hour):");
        out.print(billing.table(Instant.now()));
        out.println();
        out.printf(
                "demo finished in %.1f s: talos-burst bought %d servers for the pending pods and deleted them when they were unneeded.%n",
                (System.nanoTime() - t0) / 1e9, servers);
    }

    /** Waits until the simulator holds no server of the cluster and the API no Node of ours. */
    private static void awaitGone(
            HcloudSimulator hetzner, MockKubernetes kubernetes, SimulatedKubelets kubelets, Timeline timeline)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            long servers = hetzner.inspect().servers().stream()
                    .filter(s -> CLUSTER_ID.equals(s.labels().get(SimulatedKubelets.CLUSTER_LABEL)))
                    .count();
            long nodes = kubernetes.client().nodes().list().getItems().size();
            if (servers == 0 && nodes == 0 && kubelets.serversSeen() == 0) {
                timeline.note("no server left in Hetzner, no Node left in the cluster");
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new DemoFailure(
                        servers + " servers and " + nodes + " Nodes still exist 30 s after the scale-down");
            }
            Thread.sleep(200);
        }
    }

    /** talos-burst's configuration, as a user would write it. */
    private String properties(HcloudSimulator hetzner, DemoKafka kafka, int grpcPort, int managementPort) {
        StringBuilder p = new StringBuilder()
                .append("# written by the talos-burst demo (dev.talosburst.demo.BurstDemo)\n")
                .append("talosburst.cluster-id=")
                .append(CLUSTER_ID)
                .append('\n')
                .append(
                        "# the demo's Hetzner simulator stands in for api.hetzner.cloud (the token comes from TALOSBURST_HCLOUD_TOKEN)\n")
                .append("talosburst.hcloud.embedded-simulator=false\n")
                .append("talosburst.hcloud.endpoint=")
                .append(hetzner.endpoint())
                .append('\n')
                .append("talosburst.talos.demo-user-data=true\n")
                .append("talosburst.grpc.plaintext=true\n")
                .append("talosburst.grpc.host=127.0.0.1\n")
                .append("talosburst.grpc.port=")
                .append(grpcPort)
                .append('\n')
                .append("talosburst.management.host=127.0.0.1\n")
                .append("talosburst.management.port=")
                .append(managementPort)
                .append('\n')
                .append("talosburst.kubernetes.enabled=true\n")
                .append("talosburst.kubernetes.namespace=default\n")
                .append("talosburst.engine.resync-interval=10s\n")
                .append("talosburst.events.bootstrap-servers=")
                .append(kafka.bootstrapServers())
                .append('\n')
                .append("talosburst.events.journal-dir=")
                .append(workDir.resolve("journal"))
                .append('\n')
                .append("talosburst.events.topic=")
                .append(TOPIC)
                .append('\n')
                .append("talosburst.events.partitions=1\n")
                .append("talosburst.events.replication-factor=1\n");
        for (String[] pool : POOLS) {
            String k = "talosburst.pools." + pool[0] + ".";
            p.append(k)
                    .append("server-type=")
                    .append(pool[1])
                    .append('\n')
                    .append(k)
                    .append("location=fsn1\n")
                    .append(k)
                    .append("min=0\n")
                    .append(k)
                    .append("max=")
                    .append(pool[2])
                    .append('\n');
        }
        return p.toString();
    }

    private <T extends AutoCloseable> T keep(T resource) {
        synchronized (resources) {
            resources.push(resource);
        }
        return resource;
    }

    /** Stops everything started, newest first (from the shutdown hook on Ctrl-C: keeps the files). */
    void close() {
        close(false);
    }

    private void close(boolean success) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        while (true) {
            AutoCloseable r;
            synchronized (resources) {
                r = resources.poll();
            }
            if (r == null) {
                break;
            }
            try {
                r.close();
            } catch (Exception e) {
                System.err.println("stopping " + r.getClass().getSimpleName() + ": " + e);
            }
        }
        if (workDir == null) {
            return;
        }
        if (success && !keepFiles) {
            try (Stream<Path> files = Files.walk(workDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException ignored) {
                // a leftover temp directory is harmless
            }
        } else {
            System.err.println("kept " + workDir + " (talos-burst's config, log and event journal)");
        }
    }
}
