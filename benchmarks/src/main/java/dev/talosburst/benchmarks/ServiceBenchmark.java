package dev.talosburst.benchmarks;

import com.google.protobuf.Timestamp;
import dev.talosburst.hcloudsim.HcloudSimulator;
import dev.talosburst.hcloudsim.SimulatedImage;
import dev.talosburst.hcloudsim.SimulatorOptions;
import dev.talosburst.proto.externalgrpc.CloudProviderGrpc;
import dev.talosburst.proto.externalgrpc.CloudProviderGrpc.CloudProviderBlockingStub;
import dev.talosburst.proto.externalgrpc.ExternalGrpcNode;
import dev.talosburst.proto.externalgrpc.GPULabelRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupAutoscalingOptionsRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupDecreaseTargetSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupForNodeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupIncreaseSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupNodesRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupTargetSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupTemplateNodeInfoRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupsRequest;
import dev.talosburst.proto.externalgrpc.PricingNodePriceRequest;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Load benchmark of the packaged service: starts {@code quarkus-run.jar} against a Hetzner simulator seeded with N servers
 * in P pools (no rate limit), drives closed-loop gRPC clients and prints, per RPC, throughput and p99 as ratios to the gRPC
 * health check served by the same server in the same run (median and spread over the repetitions).
 *
 * <p>Options (system properties): {@code bench.fleets} (default {@code 500:4,5000:41}: servers:pools), {@code bench.seconds}
 * (per RPC per repetition, default 10), {@code bench.warmup-seconds} (2), {@code bench.repetitions} (3),
 * {@code bench.concurrency} (8), {@code bench.jar} (default {@code autoscaler-grpc/target/quarkus-app/quarkus-run.jar}),
 * {@code bench.startups} (starts measured with no servers, default 3), {@code bench.jvm-args} (extra JVM options of the service, space-separated),
 * {@code bench.out} (markdown file to write), {@code bench.events} (event journal on, default true), {@code bench.reads} (read
 * RPCs, default true), {@code bench.resync-interval} (a short full-list interval and a mutation loop of
 * {@code bench.mutation-seconds} spanning it), {@code bench.running-servers} (servers followed until reported running, 10),
 * {@code bench.startup-variants} (start-up of several jars/JVM options, in turn).
 */
public final class ServiceBenchmark {

    private static final String CLUSTER = "bench";
    /** Every pool but the largest has this many servers (the "100-node pool"). */
    private static final int TYPICAL_POOL = 100;

    private final int seconds = Integer.getInteger("bench.seconds", 10);
    private final int warmup = Integer.getInteger("bench.warmup-seconds", 2);
    private final int repetitions = Integer.getInteger("bench.repetitions", 3);
    private final int concurrency = Integer.getInteger("bench.concurrency", 8);
    private final Path jar =
            Path.of(System.getProperty("bench.jar", "autoscaler-grpc/target/quarkus-app/quarkus-run.jar"));
    private final List<String> jvmArgs = Variant.args(System.getProperty("bench.jvm-args", ""));
    private final boolean events = Boolean.parseBoolean(System.getProperty("bench.events", "true"));
    /** False: the read clients take each answer's bytes without decoding them, as the health check's client does. */
    private final boolean decodeAnswers = Boolean.parseBoolean(System.getProperty("bench.decode-answers", "true"));
    /** False: only the health check of the read RPCs (for runs about mutations, resyncs and start-up). */
    private final boolean reads = Boolean.parseBoolean(System.getProperty("bench.reads", "true"));
    /** {@code bench.rpcs}: comma-separated name prefixes of the read RPCs to run (default: all). */
    private final List<String> onlyRpcs = Arrays.stream(
                    System.getProperty("bench.rpcs", "").split(","))
            .filter(s -> !s.isBlank())
            .toList();
    /** When set, the service lists the fleet this often and mutations are timed while it does (a duration, e.g. 10s). */
    private final String resyncInterval = System.getProperty("bench.resync-interval");

    private final int mutationSeconds = Integer.getInteger("bench.mutation-seconds", 60);
    private final int runningServers = Integer.getInteger("bench.running-servers", 10);
    private final StringBuilder report = new StringBuilder();
    /** Held so the level sticks: the simulator logs every response a client stopped waiting for. */
    private static final java.util.logging.Logger SIMULATOR_LOG =
            java.util.logging.Logger.getLogger("dev.talosburst.hcloudsim");

    public static void main(String[] args) throws Exception {
        new ServiceBenchmark().run();
        System.exit(0);
    }

    private void run() throws Exception {
        SIMULATOR_LOG.setLevel(java.util.logging.Level.OFF);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " not found: build it first (benchmarks/run.sh does)");
        }
        out("# talos-burst benchmark, " + Instant.now() + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs, concurrency " + concurrency + ", " + seconds
                + " s per RPC per repetition, " + repetitions + " repetitions");
        out("");
        startups(Integer.getInteger("bench.startups", 3));
        for (String fleet : System.getProperty("bench.fleets", "500:4,5000:41").split(",")) {
            if (fleet.isBlank()) {
                continue; // -Dbench.fleets= : start-up only
            }
            String[] parts = fleet.trim().split(":");
            fleet(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        }
        String file = System.getProperty("bench.out");
        if (file != null) {
            Files.writeString(Path.of(file), report.toString());
        }
    }

    private void out(String line) {
        System.out.println(line);
        report.append(line).append('\n');
    }

    // ------------------------------------------------------------------ start-up

    /** A way to start the service: which jar, with which extra JVM options. */
    record Variant(String label, Path jar, List<String> jvmArgs) {
        static List<String> args(String spaceSeparated) {
            return Arrays.stream(spaceSeparated.split(" "))
                    .filter(a -> !a.isBlank())
                    .toList();
        }
    }

    /**
     * The variants whose start-up is compared: {@code bench.startup-variants} = {@code label|jar|jvm args;...} (started in
     * turn, so a busy machine slows each alike), else the jar under test with {@code bench.jvm-args}.
     */
    private List<Variant> startupVariants() {
        String spec = System.getProperty("bench.startup-variants", "");
        List<Variant> variants = new ArrayList<>();
        for (String entry : spec.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] parts = entry.split("\\|", -1);
            if (parts.length != 3) {
                throw new IllegalArgumentException("bench.startup-variants: '" + entry + "' is not label|jar|jvm args");
            }
            variants.add(new Variant(parts[0].strip(), Path.of(parts[1].strip()), Variant.args(parts[2])));
        }
        if (variants.isEmpty()) {
            variants.add(new Variant("this jar", jar, jvmArgs));
        }
        return variants;
    }

    private void startups(int count) throws Exception {
        if (count <= 0) {
            return;
        }
        List<Variant> variants = startupVariants();
        Map<Variant, List<Double>> first = new LinkedHashMap<>();
        Map<Variant, List<Double>> cpu = new LinkedHashMap<>();
        Map<Variant, List<Double>> synced = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            for (Variant variant : variants) {
                try (HcloudSimulator sim = simulator();
                        Service service = Service.start(variant.jar(), variant.jvmArgs(), sim, pools(1, 0))) {
                    first.computeIfAbsent(variant, v -> new ArrayList<>()).add(service.firstAnswerSeconds);
                    cpu.computeIfAbsent(variant, v -> new ArrayList<>()).add(service.firstAnswerCpuSeconds);
                    synced.computeIfAbsent(variant, v -> new ArrayList<>()).add(service.syncedSeconds);
                }
            }
        }
        out("## Start-up, no servers (1 pool), " + count + " starts"
                + (variants.size() > 1 ? " of each variant, in turn" : ""));
        out("");
        out(
                "| variant | start → first gRPC answer (GPULabel), median (min–max) | CPU time of the service by then | → NodeGroups answered from a synced view |");
        out("|---|---|---|---|");
        for (Variant v : variants) {
            out(String.format(
                    Locale.ROOT,
                    "| %s%s | %.2f s (%.2f–%.2f) | %.2f s (%.2f–%.2f) | %.2f s (%.2f–%.2f) |",
                    v.label(),
                    v.jvmArgs().isEmpty() ? "" : " (`" + String.join(" ", v.jvmArgs()) + "`)",
                    median(first.get(v)),
                    min(first.get(v)),
                    max(first.get(v)),
                    median(cpu.get(v)),
                    min(cpu.get(v)),
                    max(cpu.get(v)),
                    median(synced.get(v)),
                    min(synced.get(v)),
                    max(synced.get(v))));
        }
        out("");
    }

    // ------------------------------------------------------------------ one fleet

    private void fleet(int servers, int poolCount) throws Exception {
        List<PoolSpec> pools = pools(poolCount, servers);
        try (HcloudSimulator sim = simulator()) {
            List<Seeded> seeded = seed(sim, pools);
            // a pool the IncreaseSize measurement grows and shrinks; creations are slowed so its requests stay pending
            PoolSpec scale = new PoolSpec("bench-scale", 0);
            // a pool whose creations are followed until cluster-autoscaler sees them running
            PoolSpec run = new PoolSpec("bench-run", 0);
            List<PoolSpec> all = new ArrayList<>(pools);
            all.add(scale);
            all.add(run);
            List<String> settings = new ArrayList<>();
            Path journal = null;
            if (events) {
                // the event journal on, its broker never answering: every event is appended and fsync'd, none is
                // delivered
                journal = Files.createTempDirectory("talos-burst-bench-journal");
                settings.add("-Dtalosburst.events.bootstrap-servers=127.0.0.1:" + freePort());
                settings.add("-Dtalosburst.events.journal-dir=" + journal);
            }
            if (resyncInterval != null) {
                settings.add("-Dtalosburst.engine.resync-interval=" + resyncInterval);
                settings.add(
                        "-Dtalosburst.hcloud.budget-per-hour=100000000"); // so the budget rule does not stretch the
                // interval
            }
            try (Service service = Service.start(jar, jvmArgs, settings, sim, all)) {
                sim.inspect().resetRequestLog();
                long hetznerFrom = System.nanoTime();
                CloudProviderBlockingStub ca = service.stub();
                String typical = pools.get(pools.size() - 1).id;
                String largest = pools.get(0).id;
                Map<String, Consumer<CloudProviderBlockingStub>> rpcs = new LinkedHashMap<>();
                rpcs.put(HEALTH_ROW, stub -> service.health());
                rpcs.put("GPULabel", stub -> stub.gPULabel(GPULabelRequest.getDefaultInstance()));
                rpcs.put("NodeGroups", stub -> stub.nodeGroups(NodeGroupsRequest.getDefaultInstance()));
                rpcs.put(
                        "NodeGroupNodes (" + count(pools, typical) + "-node pool)",
                        stub -> stub.nodeGroupNodes(NodeGroupNodesRequest.newBuilder()
                                .setId(typical)
                                .build()));
                rpcs.put(
                        "NodeGroupNodes (largest, " + count(pools, largest) + " nodes)",
                        stub -> stub.nodeGroupNodes(NodeGroupNodesRequest.newBuilder()
                                .setId(largest)
                                .build()));
                rpcs.put(
                        "NodeGroupForNode",
                        stub -> stub.nodeGroupForNode(NodeGroupForNodeRequest.newBuilder()
                                .setNode(random(seeded))
                                .build()));
                rpcs.put(
                        "NodeGroupTargetSize",
                        stub -> stub.nodeGroupTargetSize(NodeGroupTargetSizeRequest.newBuilder()
                                .setId(typical)
                                .build()));
                rpcs.put(
                        "NodeGroupGetOptions",
                        stub -> stub.nodeGroupGetOptions(NodeGroupAutoscalingOptionsRequest.newBuilder()
                                .setId(typical)
                                .build()));
                rpcs.put(
                        "NodeGroupTemplateNodeInfo",
                        stub -> stub.nodeGroupTemplateNodeInfo(NodeGroupTemplateNodeInfoRequest.newBuilder()
                                .setId(typical)
                                .build()));
                rpcs.put(
                        "PricingNodePrice",
                        stub -> stub.pricingNodePrice(PricingNodePriceRequest.newBuilder()
                                .setNode(random(seeded))
                                .setStartTimestamp(Timestamp.newBuilder()
                                        .setSeconds(Instant.now().getEpochSecond()))
                                .setEndTimestamp(Timestamp.newBuilder()
                                        .setSeconds(Instant.now().getEpochSecond() + 3600))
                                .build()));

                if (!reads) {
                    rpcs.keySet().retainAll(List.of(HEALTH_ROW));
                }
                if (!onlyRpcs.isEmpty()) { // e.g. to profile one RPC against the baseline
                    rpcs.keySet()
                            .removeIf(name -> !name.equals(HEALTH_ROW)
                                    && onlyRpcs.stream().noneMatch(name::startsWith));
                }
                Map<String, List<Window>> results = new LinkedHashMap<>();
                // each RPC's own baseline: health check slices alternated with its slices, so that background work
                // (a resync, a collection) falls on both alike
                Map<String, List<Window>> baselines = new LinkedHashMap<>();
                rpcs.keySet().forEach(name -> {
                    results.put(name, new ArrayList<>());
                    baselines.put(name, new ArrayList<>());
                });
                for (Consumer<CloudProviderBlockingStub> rpc : rpcs.values()) {
                    closedLoop(service, rpc, warmup); // JIT: every path compiled before the first measured window
                }
                Consumer<CloudProviderBlockingStub> health = rpcs.get(HEALTH_ROW);
                for (int rep = 0; rep < repetitions; rep++) {
                    if (rpcs.size() == 1) { // the health check alone (bench.reads=false)
                        results.get(HEALTH_ROW).add(closedLoop(service, health, seconds));
                    }
                    for (Map.Entry<String, Consumer<CloudProviderBlockingStub>> rpc : rpcs.entrySet()) {
                        if (rpc.getKey().equals(HEALTH_ROW)) {
                            continue;
                        }
                        closedLoop(service, rpc.getValue(), warmup);
                        Window[] pair = alternated(service, health, rpc.getValue(), seconds);
                        baselines.get(rpc.getKey()).add(pair[0]);
                        results.get(rpc.getKey()).add(pair[1]);
                        results.get(HEALTH_ROW).add(pair[0]);
                    }
                }
                baselines.put(HEALTH_ROW, results.get(HEALTH_ROW));
                double hours = (System.nanoTime() - hetznerFrom) / 3.6e12;
                int requests = sim.inspect().requestCount();
                int lists = sim.inspect().requestCount("GET", "/servers");

                Map<String, List<Long>> increase = new LinkedHashMap<>();
                sim.faults().latency("POST", "/servers", Duration.ofSeconds(2));
                // back to back (each call meets the work the one before started: creates, events), then paced as
                // cluster-autoscaler calls it (once per node group and loop at most), the service idle in between
                for (long pause : new long[] {0, PACED_MILLIS}) {
                    for (int delta : new int[] {1, 100}) {
                        List<Long> latencies = new ArrayList<>();
                        // enough calls that the p99 is not the 3rd-slowest of a handful; the first 50 warm the path up
                        int calls = delta == 1 ? 300 : 100;
                        for (int rep = 0; rep < repetitions; rep++) {
                            for (int i = rep == 0 && pause == 0 ? -50 : 0; i < calls; i++) {
                                long t0 = System.nanoTime();
                                ca.nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest.newBuilder()
                                        .setId(scale.id)
                                        .setDelta(delta)
                                        .build());
                                if (i >= 0) {
                                    latencies.add(System.nanoTime() - t0);
                                }
                                try {
                                    ca.nodeGroupDecreaseTargetSize(NodeGroupDecreaseTargetSizeRequest.newBuilder()
                                            .setId(scale.id)
                                            .setDelta(-delta)
                                            .build());
                                } catch (RuntimeException e) {
                                    // some were picked up by a create worker already: they are no longer cancellable
                                }
                                if (pause > 0) {
                                    Thread.sleep(pause);
                                }
                            }
                        }
                        increase.put(
                                "delta " + delta
                                        + (pause == 0 ? ", back to back" : ", one call every " + pause + " ms"),
                                latencies);
                    }
                }
                // the same pacing for a read answered on the event loop: what waking an idle service costs any call
                List<Long> pacedReads = new ArrayList<>();
                for (int i = 0; i < 300 * repetitions; i++) {
                    long t0 = System.nanoTime();
                    ca.nodeGroupTargetSize(NodeGroupTargetSizeRequest.newBuilder()
                            .setId(scale.id)
                            .build());
                    pacedReads.add(System.nanoTime() - t0);
                    Thread.sleep(PACED_MILLIS);
                }
                increase.put(
                        "(a read for comparison: NodeGroupTargetSize, one call every " + PACED_MILLIS + " ms)",
                        pacedReads);
                sim.faults().clear();
                MutationLoop duringResyncs =
                        resyncInterval == null ? null : mutationsDuringResyncs(ca, sim, scale.id, servers, seeded);
                List<Double> runningLags = runningLag(service, sim, run.id);

                out("## " + servers + " servers in " + poolCount + " pools (+2 empty pools for IncreaseSize)");
                out("");
                out("Event journal "
                        + (events
                                ? "ON (talosburst.events.journal-dir, fsync'd; its Kafka broker never answers, so every event "
                                        + "stays journaled)"
                                : "off")
                        + (resyncInterval == null
                                ? "; default engine settings."
                                : "; full list every " + resyncInterval
                                        + " (talosburst.engine.resync-interval, budget rule lifted)."));
                out("");
                out("Closed loop, " + concurrency
                        + " clients on one channel; throughput and p99 of each repetition, then the median over "
                        + repetitions
                        + " repetitions (min–max); each RPC's ratios are against health check slices alternated"
                        + " with its own (" + SLICE_MILLIS + " ms each, " + seconds
                        + " s of each in all, which goes first in turn; the health row lists all of them, its"
                        + " median over repetitions × RPCs). "
                        + (decodeAnswers
                                ? "The clients decode every answer (the health check's client reads its bytes only)."
                                : "Every client, the health check's included, reads the answer's bytes without decoding"
                                        + " them (-Dbench.decode-answers=false): the server's cost alone."));
                out("");
                out("| RPC | calls/s | × health | p99 ms | p99 × health | max ms |");
                out("|---|---|---|---|---|---|");
                for (Map.Entry<String, List<Window>> row : results.entrySet()) {
                    List<Window> w = row.getValue();
                    List<Window> base = baselines.get(row.getKey());
                    List<Double> tput = w.stream().map(Window::throughput).toList();
                    List<Double> p99 = w.stream().map(Window::p99Millis).toList();
                    List<Double> tputRatio = new ArrayList<>();
                    List<Double> p99Ratio = new ArrayList<>();
                    for (int i = 0; i < w.size(); i++) {
                        tputRatio.add(w.get(i).throughput() / base.get(i).throughput());
                        p99Ratio.add(w.get(i).p99Millis() / base.get(i).p99Millis());
                    }
                    double maxMs =
                            w.stream().mapToDouble(Window::maxMillis).max().orElse(0);
                    out(String.format(
                            Locale.ROOT,
                            "| %s | %.0f (%.0f–%.0f) | %.2f (%.2f–%.2f) | %.2f (%.2f–%.2f) | %.2f (%.2f–%.2f) | %.1f |%s",
                            row.getKey(),
                            median(tput),
                            min(tput),
                            max(tput),
                            median(tputRatio),
                            min(tputRatio),
                            max(tputRatio),
                            median(p99),
                            min(p99),
                            max(p99),
                            median(p99Ratio),
                            min(p99Ratio),
                            max(p99Ratio),
                            maxMs,
                            w.stream().mapToLong(Window::errors).sum() > 0
                                    ? " errors: "
                                            + w.stream()
                                                    .mapToLong(Window::errors)
                                                    .sum()
                                    : ""));
                }
                out("");
                out(
                        "| IncreaseSize (one client, each followed by a DecreaseTargetSize) | calls | p50 ms | p99 ms | max ms |");
                out("|---|---|---|---|---|");
                for (Map.Entry<String, List<Long>> e : increase.entrySet()) {
                    long[] sorted = e.getValue().stream()
                            .mapToLong(Long::longValue)
                            .sorted()
                            .toArray();
                    out(String.format(
                            Locale.ROOT,
                            "| %s | %d | %.2f | %.2f | %.2f |",
                            e.getKey(),
                            sorted.length,
                            percentile(sorted, 0.50) / 1e6,
                            percentile(sorted, 0.99) / 1e6,
                            sorted[sorted.length - 1] / 1e6));
                }
                if (duringResyncs != null) {
                    out(String.format(
                            Locale.ROOT,
                            "| IncreaseSize delta 1 + DecreaseTargetSize, one client for %d s spanning %d full lists | %d | %.2f | %.2f | %.2f |",
                            duringResyncs.seconds,
                            duringResyncs.fullLists,
                            duringResyncs.sorted.length,
                            percentile(duringResyncs.sorted, 0.50) / 1e6,
                            percentile(duringResyncs.sorted, 0.99) / 1e6,
                            duringResyncs.sorted[duringResyncs.sorted.length - 1] / 1e6));
                    if (duringResyncs.deletes.length > 0) {
                        out(String.format(
                                Locale.ROOT,
                                "| DeleteNodes of one running server, every %dth time in the loop above (the first: %.2f ms) | %d | %.2f | %.2f | %.2f |",
                                DELETE_EVERY,
                                duringResyncs.firstDelete / 1e6,
                                duringResyncs.deletes.length,
                                percentile(duringResyncs.deletes, 0.50) / 1e6,
                                percentile(duringResyncs.deletes, 0.99) / 1e6,
                                duringResyncs.deletes[duringResyncs.deletes.length - 1] / 1e6));
                    }
                }
                out("");
                List<Double> lags = runningLags;
                if (!lags.isEmpty()) {
                    out(String.format(
                            Locale.ROOT,
                            "Hetzner says running (the simulator: %d ms initializing, then %d ms starting) → NodeGroupNodes "
                                    + "reports `instanceRunning`, %d servers created one by one: median %.2f s, max %.2f s.",
                            INITIALIZING.toMillis(),
                            STARTING.toMillis(),
                            lags.size(),
                            median(lags),
                            max(lags)));
                }
                if (journal != null) {
                    out("Event journal at the end: " + directoryBytes(journal) + " bytes.");
                }
                out("");
                int pages = (servers + 49) / 50;
                out(String.format(
                        Locale.ROOT,
                        "Hetzner requests while the reads ran (%.0f s, no scaling): %d (%d GET /servers…) = **%.0f/hour**; "
                                + "the in-tree provider: 60·⌈N/50⌉+6 = %d/hour. Start → first answer %.2f s, → synced NodeGroups %.2f s; RSS at the end %d MiB.",
                        hours * 3600,
                        requests,
                        lists,
                        requests / hours,
                        60 * pages + 6,
                        service.firstAnswerSeconds,
                        service.syncedSeconds,
                        service.rssMiB()));
                out("");
            }
        }
    }

    /** Latencies of a mutation loop (and of its DeleteNodes) and how many full lists of the fleet ran meanwhile. */
    record MutationLoop(int seconds, long[] sorted, long[] deletes, long firstDelete, int fullLists) {}

    /**
     * One client: IncreaseSize 1 then DecreaseTargetSize 1, and every {@value #DELETE_EVERY}th time a DeleteNodes of
     * one seeded server (of any pool, in a fixed random order), for {@code bench.mutation-seconds}, while the service
     * resyncs.
     */
    private MutationLoop mutationsDuringResyncs(
            CloudProviderBlockingStub ca, HcloudSimulator sim, String pool, int servers, List<Seeded> seeded) {
        sim.inspect().resetRequestLog();
        List<Long> latencies = new ArrayList<>();
        List<Long> deletes = new ArrayList<>();
        List<Seeded> victims = new ArrayList<>(seeded);
        java.util.Collections.shuffle(victims, new java.util.Random(11));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(mutationSeconds);
        for (int iteration = 0; System.nanoTime() < end; iteration++) {
            if (iteration % DELETE_EVERY == DELETE_EVERY - 1 && deletes.size() < victims.size()) {
                Seeded victim = victims.get(deletes.size());
                long t0 = System.nanoTime();
                ca.nodeGroupDeleteNodes(dev.talosburst.proto.externalgrpc.NodeGroupDeleteNodesRequest.newBuilder()
                        .setId(victim.name.substring(0, victim.name.lastIndexOf("-s")))
                        .addNodes(ExternalGrpcNode.newBuilder()
                                .setProviderID("hcloud://" + victim.id)
                                .setName(victim.name))
                        .build());
                deletes.add(System.nanoTime() - t0);
            }
            long t0 = System.nanoTime();
            ca.nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest.newBuilder()
                    .setId(pool)
                    .setDelta(1)
                    .build());
            latencies.add(System.nanoTime() - t0);
            try {
                t0 = System.nanoTime();
                ca.nodeGroupDecreaseTargetSize(NodeGroupDecreaseTargetSizeRequest.newBuilder()
                        .setId(pool)
                        .setDelta(-1)
                        .build());
                latencies.add(System.nanoTime() - t0);
            } catch (RuntimeException e) {
                // picked up by a create worker already
            }
        }
        int pages = Math.max(1, (servers + 49) / 50);
        // a full list is the label-selected GET /servers without a status filter; count its last pages
        int lists = (int) sim.inspect().requests().stream()
                .filter(r -> r.method().equals("GET")
                        && r.path().replaceFirst("^/v1", "").equals("/servers"))
                .map(r -> queryParams(r.query()))
                .filter(q ->
                        !q.containsKey("status") && q.getOrDefault("page", "1").equals(Integer.toString(pages)))
                .count();
        return new MutationLoop(
                mutationSeconds,
                latencies.stream().mapToLong(Long::longValue).sorted().toArray(),
                deletes.stream().mapToLong(Long::longValue).sorted().toArray(),
                deletes.isEmpty() ? 0 : deletes.get(0),
                lists);
    }

    /**
     * Asks for {@code bench.running-servers} servers one by one and polls NodeGroupNodes every 20 ms: per server, the time from
     * the simulator says it runs (creation + initializing + starting) until cluster-autoscaler would see it running.
     */
    private List<Double> runningLag(Service service, HcloudSimulator sim, String pool) throws Exception {
        CloudProviderBlockingStub ca = service.stub();
        List<Double> lags = new ArrayList<>();
        Map<String, Instant> seenRunning = new LinkedHashMap<>();
        for (int i = 0; i < runningServers; i++) {
            ca.nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest.newBuilder()
                    .setId(pool)
                    .setDelta(1)
                    .build());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (seenRunning.size() <= i) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "server " + (i + 1) + " of " + pool + " not reported running within 120 s");
                }
                for (var instance : ca.nodeGroupNodes(
                                NodeGroupNodesRequest.newBuilder().setId(pool).build())
                        .getInstancesList()) {
                    if (instance.getStatus().getInstanceState().getNumber() == 1 /* instanceRunning */) {
                        seenRunning.putIfAbsent(instance.getId(), Instant.now());
                    }
                }
                Thread.sleep(20);
            }
        }
        for (Map.Entry<String, Instant> e : seenRunning.entrySet()) {
            long id = Long.parseLong(e.getKey().substring("hcloud://".length()));
            Instant running = sim.inspect()
                    .server(id)
                    .orElseThrow()
                    .created()
                    .plus(INITIALIZING)
                    .plus(STARTING); // Hetzner says running
            lags.add(Duration.between(running, e.getValue()).toMillis() / 1000.0);
        }
        return lags;
    }

    private static Map<String, String> queryParams(String query) {
        Map<String, String> params = new LinkedHashMap<>();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                params.putIfAbsent(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
            }
        }
        return params;
    }

    private static long directoryBytes(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
    }

    private static int count(List<PoolSpec> pools, String id) {
        return pools.stream().filter(p -> p.id.equals(id)).findFirst().orElseThrow().servers;
    }

    private static ExternalGrpcNode random(List<Seeded> seeded) {
        Seeded s = seeded.get(ThreadLocalRandom.current().nextInt(seeded.size()));
        return ExternalGrpcNode.newBuilder()
                .setProviderID("hcloud://" + s.id)
                .setName(s.name)
                .build();
    }

    private static final String HEALTH_ROW = "gRPC health check (baseline)";
    /** The mutation loop deletes one seeded server every this many IncreaseSize + DecreaseTargetSize. */
    private static final int DELETE_EVERY = 100;
    /** IncreaseSize, paced: the pause after each IncreaseSize + DecreaseTargetSize. */
    private static final long PACED_MILLIS = Math.max(1, Long.getLong("bench.increase-pause-ms", 20));
    /** Length of one slice when the health check and an RPC are measured in turn. */
    private static final long SLICE_MILLIS = Math.max(50, Long.getLong("bench.slice-ms", 500));

    /** The health check and {@code call} in alternating slices for {@code secs} seconds each: {baseline, call}. */
    private Window[] alternated(
            Service service,
            Consumer<CloudProviderBlockingStub> health,
            Consumer<CloudProviderBlockingStub> call,
            int secs)
            throws Exception {
        List<Window> base = new ArrayList<>();
        List<Window> measured = new ArrayList<>();
        long slices = Math.max(1, TimeUnit.SECONDS.toMillis(secs) / SLICE_MILLIS);
        for (long i = 0; i < slices; i++) {
            // in turn which goes first: what one slice leaves behind (garbage, a collection) falls on both alike
            if (i % 2 == 0) {
                base.add(closedLoopMillis(service, health, SLICE_MILLIS));
                measured.add(closedLoopMillis(service, call, SLICE_MILLIS));
            } else {
                measured.add(closedLoopMillis(service, call, SLICE_MILLIS));
                base.add(closedLoopMillis(service, health, SLICE_MILLIS));
            }
        }
        return new Window[] {Window.merged(base), Window.merged(measured)};
    }

    /** Runs {@code concurrency} closed-loop clients for the given seconds. */
    private Window closedLoop(Service service, Consumer<CloudProviderBlockingStub> call, int secs) throws Exception {
        return closedLoopMillis(service, call, TimeUnit.SECONDS.toMillis(secs));
    }

    private Window closedLoopMillis(Service service, Consumer<CloudProviderBlockingStub> call, long millis)
            throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(concurrency);
        try {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<long[]>> futures = new ArrayList<>();
            long[] errors = new long[concurrency];
            for (int c = 0; c < concurrency; c++) {
                int index = c;
                futures.add(clients.submit(() -> {
                    CloudProviderBlockingStub stub =
                            decodeAnswers ? service.stub() : service.stub().withInterceptors(new UndecodedAnswers());
                    long[] lat = new long[1 << 16];
                    int n = 0;
                    start.await();
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        try {
                            call.accept(stub.withDeadlineAfter(10, TimeUnit.SECONDS));
                        } catch (RuntimeException e) {
                            errors[index]++;
                            if (errors[index] == 1) {
                                System.err.println("RPC error: " + e);
                            }
                        }
                        if (n == lat.length) {
                            lat = Arrays.copyOf(lat, n * 2);
                        }
                        lat[n++] = System.nanoTime() - t0;
                    }
                    return Arrays.copyOf(lat, n);
                }));
            }
            long t0 = System.nanoTime();
            start.countDown();
            List<long[]> parts = new ArrayList<>();
            for (Future<long[]> f : futures) {
                parts.add(f.get());
            }
            double elapsed = (System.nanoTime() - t0) / 1e9;
            long[] all = parts.stream().flatMapToLong(Arrays::stream).sorted().toArray();
            return new Window(all, elapsed, Arrays.stream(errors).sum());
        } finally {
            clients.shutdownNow();
        }
    }

    /** The sorted latencies (ns) of a closed loop over {@code seconds}. */
    record Window(long[] sorted, double seconds, long errors) {
        static Window merged(List<Window> slices) {
            return new Window(
                    slices.stream()
                            .flatMapToLong(w -> Arrays.stream(w.sorted()))
                            .sorted()
                            .toArray(),
                    slices.stream().mapToDouble(Window::seconds).sum(),
                    slices.stream().mapToLong(Window::errors).sum());
        }

        double throughput() {
            return sorted.length / seconds;
        }

        double p99Millis() {
            return percentile(sorted, 0.99) / 1e6;
        }

        double maxMillis() {
            return sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6;
        }
    }

    // ------------------------------------------------------------------ simulator

    /** Hetzner's boot, as the simulator plays it: initializing, then starting, then running (known times, for the running lag). */
    private static final Duration INITIALIZING = Duration.ofMillis(Long.getLong("bench.initializing-ms", 1000));

    private static final Duration STARTING = Duration.ofMillis(Long.getLong("bench.starting-ms", 1000));

    private static HcloudSimulator simulator() {
        return HcloudSimulator.start(SimulatorOptions.builder()
                .instantTransitions()
                .initializing(INITIALIZING)
                .starting(STARTING)
                .rateLimit(Integer.MAX_VALUE, 1e9)
                .build());
    }

    record PoolSpec(String id, int servers) {}

    record Seeded(long id, String name) {}

    /** One pool of {@code servers - 100·(pools-1)} servers (the largest), the others of 100 each. */
    private static List<PoolSpec> pools(int count, int servers) {
        List<PoolSpec> pools = new ArrayList<>();
        int largest = count == 1 ? servers : servers - TYPICAL_POOL * (count - 1);
        if (largest < 0) {
            throw new IllegalArgumentException(servers + " servers cannot fill " + count + " pools of " + TYPICAL_POOL);
        }
        for (int i = 0; i < count; i++) {
            pools.add(new PoolSpec(String.format(Locale.ROOT, "bench-%02d", i), i == 0 ? largest : TYPICAL_POOL));
        }
        return pools;
    }

    /** Creates the servers through the simulator's API, as talos-burst would have (names, ownership labels). */
    private static List<Seeded> seed(HcloudSimulator sim, List<PoolSpec> pools) throws Exception {
        long image = sim.catalogue().images().stream()
                .filter(i -> "x86".equals(i.architecture())
                        && "talos".equals(i.labels().get("os")))
                .max(Comparator.comparing(SimulatedImage::created))
                .orElseThrow()
                .id();
        HttpClient http = HttpClient.newHttpClient();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Seeded>> futures = new ArrayList<>();
        for (PoolSpec spec : pools) {
            for (int i = 0; i < spec.servers; i++) {
                String name = spec.id + "-s" + i;
                String body =
                        "{\"name\":\"" + name + "\",\"server_type\":\"cx22\",\"location\":\"fsn1\",\"image\":" + image
                                + ",\"labels\":{\"talos-burst.dev/cluster\":\"" + CLUSTER
                                + "\",\"talos-burst.dev/pool\":\"" + spec.id
                                + "\",\"talos-burst.dev/managed-by\":\"talos-burst\"}}";
                futures.add(pool.submit(() -> {
                    HttpResponse<String> response = http.send(
                            HttpRequest.newBuilder(URI.create(sim.endpoint() + "/servers"))
                                    .header("Authorization", "Bearer " + sim.token())
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 201) {
                        throw new IllegalStateException(
                                "seeding " + name + ": " + response.statusCode() + " " + response.body());
                    }
                    return new Seeded(
                            sim.inspect().serverNamed(name).orElseThrow().id(), name);
                }));
            }
        }
        List<Seeded> seeded = new ArrayList<>();
        for (Future<Seeded> f : futures) {
            seeded.add(f.get());
        }
        pool.shutdown();
        return seeded;
    }

    // ------------------------------------------------------------------ the service under test

    /** The packaged jar, started against the simulator with the pools given, plaintext gRPC on loopback. */
    static final class Service implements AutoCloseable {
        private static final MethodDescriptor<byte[], byte[]> HEALTH = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName("grpc.health.v1.Health/Check")
                .setRequestMarshaller(new Bytes())
                .setResponseMarshaller(new Bytes())
                .build();

        private final Process process;
        private final ManagedChannel channel;
        private double firstAnswerSeconds;
        private double firstAnswerCpuSeconds;
        private double syncedSeconds;

        private final Thread orphanGuard;

        private Service(Process process, ManagedChannel channel) {
            this.orphanGuard = new Thread(process::destroyForcibly);
            this.process = process;
            this.channel = channel;
            // a benchmark stopped with Ctrl-C or kill leaves no service behind (try-with-resources does not run then)
            Runtime.getRuntime().addShutdownHook(orphanGuard);
        }

        static Service start(Path jar, List<String> jvmArgs, HcloudSimulator sim, List<PoolSpec> pools)
                throws Exception {
            return start(jar, jvmArgs, List.of(), sim, pools);
        }

        /** @param settings extra {@code -Dtalosburst.*=...} options of the service */
        static Service start(
                Path jar, List<String> jvmArgs, List<String> settings, HcloudSimulator sim, List<PoolSpec> pools)
                throws Exception {
            int grpcPort = freePort();
            int managementPort = freePort();
            Path config = Files.createTempFile("talos-burst-bench", ".properties");
            StringBuilder props = new StringBuilder();
            for (PoolSpec pool : pools) {
                props.append("talosburst.pools.").append(pool.id).append(".server-type=cx22\n");
                props.append("talosburst.pools.").append(pool.id).append(".location=fsn1\n");
                props.append("talosburst.pools.").append(pool.id).append(".max=100000\n");
            }
            Files.writeString(config, props);
            Path log = Files.createTempFile("talos-burst-bench", ".log");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmArgs);
            command.addAll(settings);
            command.addAll(List.of(
                    "-Dtalosburst.hcloud.embedded-simulator=false",
                    "-Dtalosburst.hcloud.endpoint=" + sim.endpoint(),
                    "-Dtalosburst.cluster-id=" + CLUSTER,
                    "-Dtalosburst.talos.demo-user-data=true",
                    "-Dtalosburst.grpc.plaintext=true",
                    "-Dtalosburst.grpc.host=127.0.0.1",
                    "-Dtalosburst.grpc.port=" + grpcPort,
                    "-Dtalosburst.management.port=" + managementPort,
                    "-jar",
                    jar.toString()));
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().put("TALOSBURST_HCLOUD_TOKEN", sim.token());
            builder.environment().put("QUARKUS_CONFIG_LOCATIONS", config.toString());
            long t0 = System.nanoTime();
            Process process = builder.redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort)
                    .usePlaintext()
                    .build();
            Service service = new Service(process, channel);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (true) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    service.close();
                    throw new IllegalStateException("the service did not answer; see " + log + ":\n" + tail(log));
                }
                try {
                    if (service.firstAnswerSeconds == 0) {
                        firstAnswer(grpcPort);
                        service.firstAnswerSeconds = (System.nanoTime() - t0) / 1e9;
                        service.firstAnswerCpuSeconds = service.cpuSeconds();
                    }
                    if (service.stub()
                                            .withDeadlineAfter(1, TimeUnit.SECONDS)
                                            .nodeGroups(NodeGroupsRequest.getDefaultInstance())
                                            .getNodeGroupsCount()
                                    == pools.size()
                            && service.stub()
                                            .withDeadlineAfter(1, TimeUnit.SECONDS)
                                            .nodeGroupNodes(NodeGroupNodesRequest.newBuilder()
                                                    .setId(pools.get(0).id)
                                                    .build())
                                            .getInstancesCount()
                                    == pools.get(0).servers) {
                        service.syncedSeconds = (System.nanoTime() - t0) / 1e9;
                        return service;
                    }
                } catch (RuntimeException e) {
                    // not up yet
                }
                Thread.sleep(20);
            }
        }

        /**
         * One GPULabel on a channel of its own: a channel whose connection was refused (the port not open yet) waits out
         * gRPC's reconnect back-off (1 s and more) before it dials again, which would be counted as start-up time.
         */
        private static void firstAnswer(int grpcPort) throws InterruptedException {
            ManagedChannel probe = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort)
                    .usePlaintext()
                    .build();
            try {
                CloudProviderGrpc.newBlockingStub(probe)
                        .withDeadlineAfter(1, TimeUnit.SECONDS)
                        .gPULabel(GPULabelRequest.getDefaultInstance());
            } finally {
                probe.shutdownNow().awaitTermination(1, TimeUnit.SECONDS);
            }
        }

        CloudProviderBlockingStub stub() {
            return CloudProviderGrpc.newBlockingStub(channel);
        }

        void health() {
            ClientCalls.blockingUnaryCall(
                    channel, HEALTH, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), new byte[0]);
        }

        /** User + system CPU time the service has used (Linux; -1 elsewhere): less sensitive to a busy machine than wall time. */
        double cpuSeconds() {
            try {
                String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(fields[11]) + Long.parseLong(fields[12]))
                        / 100.0; // utime, stime in USER_HZ (100)
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        long rssMiB() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                    }
                }
            } catch (IOException e) {
                // not Linux
            }
            return -1;
        }

        @Override
        public void close() throws Exception {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            Runtime.getRuntime().removeShutdownHook(orphanGuard);
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }

        private static String tail(Path log) {
            try {
                List<String> lines = Files.readAllLines(log);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Raw bytes on the wire (the health check's empty request, its response unparsed). */
    static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    // ------------------------------------------------------------------ statistics

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
}
