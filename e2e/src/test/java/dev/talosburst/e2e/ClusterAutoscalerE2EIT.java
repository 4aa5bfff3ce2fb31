package dev.talosburst.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.talosburst.e2e.harness.E2eCluster;
import dev.talosburst.e2e.harness.LifecycleEventLog;
import dev.talosburst.events.ledger.BillingLedger;
import dev.talosburst.events.ledger.PoolDayUsage;
import dev.talosburst.events.model.HourlyBilling;
import dev.talosburst.events.model.NodeEventData;
import dev.talosburst.hcloudsim.LocationPrice;
import dev.talosburst.hcloudsim.RecordedExchange;
import dev.talosburst.hcloudsim.RecordedRequest;
import dev.talosburst.hcloudsim.ServerSnapshot;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * cluster-autoscaler 1.30 driving the packaged talos-burst against a real control plane, the Hetzner simulator, a
 * real Kafka broker and simulated Talos kubelets. The scenarios share one cluster; each uses its own pools (selected
 * by a node label and a taint only its pods tolerate), so they do not interfere.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterAutoscalerE2EIT {

    private static final String NS = "e2e";
    private static final String SCENARIO_LABEL = "e2e.talos-burst.dev/scenario";
    private static final String POOL_LABEL = "talos-burst.dev/pool";

    /** Set when the third-party binaries or fixtures are absent: every scenario is then skipped with this reason. */
    private String skipReason;

    private E2eCluster cluster;
    private KubernetesClient kube;
    private String scenario;
    private Instant scenarioStart;

    /** What scenario 1 observed, for scenario 5. */
    private final Map<String, ServerSnapshot> burstServers = new TreeMap<>();

    private final Map<String, Instant> burstDeletedAt = new HashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A failed scenario keeps the cluster's working directory for the post-mortem. */
    @RegisterExtension
    final TestWatcher keepWorkOnFailure = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (cluster != null) {
                cluster.markFailed();
            }
        }
    };

    @BeforeAll
    void startCluster() {
        Path shared = Path.of(System.getProperty("talos-burst.shared-dir", "../shared"))
                .toAbsolutePath()
                .normalize();
        Path tools = shared.resolve("tools/k8s");
        Path talosFixture = shared.resolve(E2eCluster.WORKER_CONFIG);
        if (!Files.isDirectory(tools)) {
            skipReason = "skipped: " + tools
                    + " is absent (Kubernetes and cluster-autoscaler binaries; set -Dtalos-burst.shared-dir)";
        } else if (!Files.isRegularFile(talosFixture)) {
            skipReason = "skipped: " + talosFixture + " is absent (Talos worker config; set -Dtalos-burst.shared-dir)";
        }
        if (skipReason != null) {
            System.out.println("[e2e] " + skipReason);
            return;
        }
        Path jar = Path.of(
                System.getProperty("talosburst.app.jar", "../autoscaler-grpc/target/quarkus-app/quarkus-run.jar"));
        assertThat(jar)
                .as("the packaged talos-burst (build autoscaler-grpc first)")
                .isRegularFile();
        Path k8s = Path.of(System.getProperty("talosburst.k8s-dir", "../k8s"));
        Path logs = Path.of(System.getProperty("talosburst.e2e.logs", "target/e2e-logs"));
        Path bin = unpack(tools);
        Path padding = writePaddingPatch(logs.resolveSibling("e2e-work"));

        cluster = E2eCluster.start(
                bin,
                shared,
                jar,
                k8s,
                logs,
                pools(padding),
                List.of("--expander=priority,price"),
                (admin, caNamespace) -> {
                    admin.resource(new NamespaceBuilder()
                                    .withNewMetadata()
                                    .withName(NS)
                                    .endMetadata()
                                    .build())
                            .create();
                    // Scenario 4 needs the stocked-out pool tried first whatever the prices say: priority first, then
                    // price.
                    admin.resource(new ConfigMapBuilder()
                                    .withNewMetadata()
                                    .withName("cluster-autoscaler-priority-expander")
                                    .withNamespace(caNamespace)
                                    .endMetadata()
                                    .addToData("priorities", "20:\n  - ^stock-cx22$\n10:\n  - .*\n")
                                    .build())
                            .create();
                });
        kube = cluster.admin();
    }

    /** Every scenario's pools: one server type in one location each; the node label and taint keep scenarios apart. */
    private static Map<String, String> pools(Path paddingPatch) {
        Map<String, String> p = new LinkedHashMap<>();
        pool(p, "burst-fsn1", "cx32", "fsn1", "burst", 6);
        // a big patch: this pool's user-data exceeds Hetzner's 32 KiB and goes out as base64(gzip), as on Talos >= 1.9
        p.put("burst-fsn1.talos-patches[0]", "@" + paddingPatch);
        // three equivalent pools (cpx11: 2 vCPU, 2 GB) whose hourly price differs by location: fsn1 < ash < sin
        pool(p, "price-sin", "cpx11", "sin", "price", 3);
        pool(p, "price-ash", "cpx11", "ash", "price", 3);
        pool(p, "price-fsn1", "cpx11", "fsn1", "price", 3);
        pool(p, "stock-cx22", "cx22", "fsn1", "stock", 3);
        pool(p, "stock-cpx11", "cpx11", "nbg1", "stock", 3);
        pool(p, "crash-fsn1", "cx32", "fsn1", "crash", 4);
        return p;
    }

    private static void pool(Map<String, String> p, String id, String type, String location, String scenario, int max) {
        p.put(id + ".server-type", type);
        p.put(id + ".location", location);
        p.put(id + ".min", "0");
        p.put(id + ".max", String.valueOf(max));
        p.put(id + ".max-provision-time", "3m");
        p.put(id + ".node-labels.\"" + SCENARIO_LABEL + "\"", scenario);
        p.put(id + ".taints", SCENARIO_LABEL + "=" + scenario + ":NoSchedule");
    }

    /** A Talos patch adding a 40 KB file (compressible text), so the rendered worker config no longer fits in 32 KiB. */
    private static Path writePaddingPatch(Path dir) {
        StringBuilder sb =
                new StringBuilder("machine:\n  files:\n    - path: /var/etc/e2e-padding.txt\n      permissions: 0o644\n"
                        + "      op: create\n      content: |\n");
        for (int i = 0; sb.length() < 40_000; i++) {
            sb.append("        padding line ").append(i).append(" so that the user-data must be compressed\n");
        }
        try {
            Files.createDirectories(dir);
            return Files.writeString(dir.resolve("padding-patch.yaml"), sb.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path unpack(Path tools) {
        try {
            Process p = new ProcessBuilder(tools.resolve("unpack.sh").toString())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            assertThat(p.waitFor()).as("unpack.sh: " + out).isZero();
            String[] lines = out.split("\n");
            return Path.of(lines[lines.length - 1]);
        } catch (Exception e) {
            throw new IllegalStateException("cannot unpack the binaries of " + tools, e);
        }
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void startTimeline(TestInfo test) {
        Assumptions.assumeTrue(skipReason == null, () -> skipReason);
        scenario = test.getDisplayName();
        scenarioStart = Instant.now();
        if (cluster != null) {
            cluster.timeline().reset();
        }
    }

    @AfterEach
    void printTimeline() {
        if (cluster != null) {
            CaDecisions.addTo(cluster.timeline(), cluster.clusterAutoscaler().log(), scenarioStart);
            System.out.println(cluster.timeline()
                    .render(scenario + " ("
                            + Duration.between(scenarioStart, Instant.now()).toSeconds() + " s)"));
            assertThat(cluster.kubelets().drainErrors())
                    .as("simulated kubelet errors")
                    .isEmpty();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    @Test
    @Order(0)
    void talosBurstRunsWithNoMoreThanTheRbacOfK8s() {
        String namespace = cluster.talosBurstIdentity().namespace();
        try (KubernetesClient asTalosBurst = cluster.talosBurstKubeClient()) {
            assertThat(asTalosBurst.nodes().list().getItems())
                    .extracting(n -> n.getMetadata().getName())
                    .contains(E2eCluster.CONTROL_PLANE_NODE);
            for (Runnable beyond : List.<Runnable>of(
                    () -> asTalosBurst.pods().inAnyNamespace().list(),
                    () -> asTalosBurst.secrets().inNamespace(namespace).list(),
                    () -> asTalosBurst
                            .resources(Lease.class)
                            .inNamespace(namespace)
                            .withName("another-lease")
                            .get(),
                    () -> asTalosBurst
                            .resources(Lease.class)
                            .inNamespace("default")
                            .list())) {
                assertThatThrownBy(beyond::run)
                        .isInstanceOfSatisfying(
                                KubernetesClientException.class,
                                e -> assertThat(e.getCode()).isEqualTo(403));
            }
        }
    }

    @Test
    @Order(1)
    void burstScalesUpToTheMinimumAndBackToNothing() {
        // talos-burst leads on the Lease of k8s/ with its ServiceAccount token: renewals must go on all along
        Lease atStart = leaderLease();
        // 10 × 1 CPU; a cx32 node (4 vCPU) has 3950m allocatable, so 3 pods per node: exactly 4 servers
        deploy("burst", 10, "1");
        Map<String, ServerSnapshot> servers = awaitPodsRunning("burst", 10, "burst-fsn1", 4, Duration.ofMinutes(4));
        Lease afterScaleUp = leaderLease();
        burstServers.putAll(servers);
        assertNoOverProvisioning("burst-fsn1", 4);
        assertThat(cluster.kubelets().registeredFromCompressedUserData())
                .as("burst-fsn1's user-data is over 32 KiB, so compressed")
                .containsAll(servers.keySet());

        scale("burst", 0);
        cluster.timeline().note("replicas = 0");
        awaitPoolEmpty("burst-fsn1", Duration.ofMinutes(4), burstDeletedAt);
        assertThat(burstDeletedAt.keySet()).containsExactlyInAnyOrderElementsOf(servers.keySet());
        assertThat(cluster.kubelets().everSeenServerNames().stream().filter(n -> n.startsWith("burst-fsn1-")))
                .as("no server but the 4")
                .containsExactlyInAnyOrderElementsOf(servers.keySet());
        assertThat(createdInHetzner("burst-fsn1"))
                .as("servers Hetzner created for burst-fsn1, over the whole scenario")
                .containsExactlyInAnyOrderElementsOf(servers.keySet());

        Lease atEnd = leaderLease();
        assertThat(List.of(afterScaleUp, atEnd))
                .as("the Lease's holder all along")
                .extracting(l -> l.getSpec().getHolderIdentity())
                .containsOnly(atStart.getSpec().getHolderIdentity());
        assertThat(atStart.getSpec().getRenewTime())
                .as("renewed during the scale-up")
                .isBefore(afterScaleUp.getSpec().getRenewTime());
        assertThat(afterScaleUp.getSpec().getRenewTime())
                .as("renewed during the scale-down")
                .isBefore(atEnd.getSpec().getRenewTime());
        assertNeverForbidden();
    }

    @Test
    @Order(2)
    void eventsOfTheBurstTellEachServersLifeOnceAndBillItsLifetime() {
        Assumptions.assumeTrue(burstDeletedAt.size() == 4, "scenario 1 did not complete");
        LifecycleEventLog events = cluster.events();
        await("node-removed of every burst server")
                .atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> {
                    for (String name : burstServers.keySet()) {
                        assertThat(events.typesOf(name)).contains("node-removed");
                    }
                });
        for (String name : burstServers.keySet()) {
            assertThat(events.typesOf(name))
                    .as("events of " + name)
                    .containsExactly(
                            "server-create-requested",
                            "server-created",
                            "node-registered",
                            "node-ready",
                            "server-deleted",
                            "node-removed");
        }
        List<LifecycleEventLog.Received> poolEvents = events.records().stream()
                .filter(r -> "burst-fsn1".equals(r.key()))
                .toList();
        assertThat(poolEvents)
                .extracting(LifecycleEventLog.Received::type)
                .allMatch(t -> t.equals("scale-up-requested") || t.equals("scale-down-requested"));
        assertThat(delta(poolEvents, "scale-up-requested"))
                .as("nodes requested by scale-ups")
                .isEqualTo(4);
        assertThat(delta(poolEvents, "scale-down-requested"))
                .as("nodes removed by scale-downs")
                .isEqualTo(4);

        // no two records with the same event id and different content
        Map<String, LifecycleEventLog.Received> byId = new HashMap<>();
        for (LifecycleEventLog.Received r : events.records()) {
            String id = r.headers().get("ce_source") + " " + r.headers().get("ce_id");
            LifecycleEventLog.Received first = byId.putIfAbsent(id, r);
            if (first != null) {
                assertThat(r.value())
                        .as("record with event id " + id + " repeated with other content")
                        .isEqualTo(first.value());
                assertThat(r.headers().get("ce_type")).isEqualTo(first.headers().get("ce_type"));
            }
        }

        // the lifetime billing works from (each server's createdAt/deletedAt as the ledger merges them from its
        // events: the earliest of each) is the server's real lifetime in Hetzner, to a few seconds
        Duration tolerance = Duration.ofSeconds(3);
        for (ServerSnapshot s : burstServers.values()) {
            Instant[] billed = billedLifetime(events, s.name());
            Instant deletedInHetzner = deletedInHetzner(s.id());
            assertThat(billed[0])
                    .as("createdAt billed for " + s.name() + " vs created in Hetzner")
                    .isNotNull()
                    .isCloseTo(
                            s.created(),
                            org.assertj.core.api.Assertions.within(
                                    tolerance.toMillis(), java.time.temporal.ChronoUnit.MILLIS));
            assertThat(billed[1])
                    .as("deletedAt billed for " + s.name() + " vs DELETE accepted by Hetzner")
                    .isNotNull()
                    .isCloseTo(
                            deletedInHetzner,
                            org.assertj.core.api.Assertions.within(
                                    tolerance.toMillis(), java.time.temporal.ChronoUnit.MILLIS));
        }

        // the billing consumer's totals equal what the servers' lifetimes in Hetzner cost
        LocationPrice price = cluster.hetzner()
                .catalogue()
                .serverType("cx32")
                .orElseThrow()
                .priceIn("fsn1")
                .orElseThrow();
        HourlyBilling.Rate rate = new HourlyBilling.Rate(
                price.hourlyNet(), price.hourlyNet().multiply(LocationPrice.VAT_FACTOR), null, null);
        long hours = 0;
        BigDecimal net = BigDecimal.ZERO;
        for (ServerSnapshot s : burstServers.values()) {
            Instant deleted = deletedInHetzner(s.id());
            hours += HourlyBilling.billableHours(s.created(), deleted);
            net = net.add(HourlyBilling.amount(s.created(), deleted, rate).net());
        }
        BillingLedger ledger = new BillingLedger(); // what the billing service computes, fed the records read back
        for (LifecycleEventLog.Received r : events.records()) {
            assertThat(r.event())
                    .as("a node lifecycle CloudEvent at offset %d", r.offset())
                    .isNotNull();
            ledger.accept(r.event());
        }
        PoolDayUsage total =
                ledger.totalsByPool(Instant.now()).get("burst-fsn1").get("EUR");
        assertThat(total.nodeHours()).isEqualTo(hours).isEqualTo(4);
        assertThat(total.amountNet()).isEqualByComparingTo(net);
    }

    @Test
    @Order(3)
    void priceExpanderPicksTheCheapestOfThreeEquivalentPools() {
        // three separate decisions (each new pod needs a new node): a tie broken at random passes all three 1 time in
        // 27
        try {
            deploy("price", 1, "1");
            for (int replicas = 1; replicas <= 3; replicas++) {
                if (replicas > 1) {
                    scale("price", replicas);
                    cluster.timeline().note("replicas = " + replicas);
                }
                Map<String, ServerSnapshot> servers =
                        awaitPodsRunning("price", replicas, "price-", replicas, Duration.ofMinutes(2));
                assertThat(servers.values())
                        .extracting(ServerSnapshot::location)
                        .as(
                                "decision %d: cpx11 is cheapest in fsn1 (then ash, then sin); the price expander must see that",
                                replicas)
                        .containsOnly("fsn1");
            }
            assertNoOverProvisioning("price-", 3);
        } finally {
            delete("price");
        }
    }

    @Test
    @Order(4)
    void stockOutBacksTheGroupOffAndThePodsLandOnAnotherPool() {
        cluster.hetzner().faults().stockOut("cx22", "fsn1");
        try {
            deploy("stock", 2, "1");
            Map<String, ServerSnapshot> servers = awaitPodsRunning("stock", 2, "stock-", 2, Duration.ofMinutes(4));
            assertThat(servers.values()).extracting(ServerSnapshot::serverType).containsOnly("cpx11");

            List<LifecycleEventLog.Received> failed = cluster.events().records().stream()
                    .filter(r -> r.key().startsWith("stock-cx22-") && r.type().equals("server-create-failed"))
                    .toList();
            assertThat(failed)
                    .as("talos-burst reported the stocked-out creations as failed")
                    .isNotEmpty();
            for (LifecycleEventLog.Received f : failed) {
                var data = f.event().parsedData();
                assertThat(data.error().code()).isEqualTo("resource_unavailable");
                assertThat(data.error().errorClass())
                        .as("CA's instance error class OutOfResources")
                        .isEqualTo("1");
            }
            Set<String> failedNames =
                    failed.stream().map(LifecycleEventLog.Received::key).collect(Collectors.toSet());
            String caLog = cluster.clusterAutoscaler().tail(200_000);
            assertThat(caLog)
                    .as("CA saw the instances fail with OutOfResources and backed the group off")
                    .containsPattern("Failed adding \\d+ nodes .*to group stock-cx22 due to OutOfResource")
                    .contains("Disabling scale-up for node group stock-cx22");
            cluster.hetzner().faults().restock("cx22", "fsn1");
            cluster.timeline().note("cx22 in fsn1 restocked");
            // the failed names never become servers, not even once Hetzner has capacity again and talos-burst's
            // out-of-resources back-off (started at the last failure, before the restock) is over, plus a resync
            Duration window = E2eCluster.OUT_OF_RESOURCES_BACKOFF.plusSeconds(8);
            await().during(window)
                    .atMost(window.plusSeconds(5))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> createdInHetzner("stock-cx22").isEmpty());
            assertThat(createdInHetzner("stock-cx22"))
                    .as("stock-cx22 servers created in Hetzner")
                    .isEmpty();
            assertThat(postedNames("stock-cx22"))
                    .as("stock-cx22 creations tried in Hetzner (all failed)")
                    .isNotEmpty();
            assertThat(cluster.kubelets().everSeenServerNames())
                    .doesNotContainAnyElementsOf(failedNames)
                    .noneMatch(n -> n.startsWith("stock-cx22-"));
            assertNoOverProvisioning("stock-", 2);
        } finally {
            cluster.hetzner().faults().restock("cx22", "fsn1");
            delete("stock");
        }
    }

    @Test
    @Order(5)
    void crashRightAfterIncreaseSizeNeitherDuplicatesNorLosesTheScaleUp() {
        // creations answer slowly, so the kill lands while one is in flight
        cluster.hetzner().faults().latency("POST", "/servers", Duration.ofSeconds(4));
        try {
            deploy("crash", 5, "1");
            await("talos-burst starts creating a crash-fsn1 server")
                    .atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> cluster.events().records().stream()
                            .anyMatch(r -> r.key().startsWith("crash-fsn1")
                                    && (r.type().equals("scale-up-requested")
                                            || r.type().equals("server-create-requested"))));
            String deadHolder = leaderLease().getSpec().getHolderIdentity();
            cluster.talosBurst().kill9();
            Instant killedAt = Instant.now();
            cluster.timeline().note("talos-burst killed with SIGKILL");
            cluster.talosBurst().restart();
            cluster.timeline().note("talos-burst restarted");
            cluster.talosBurst().awaitReady(Duration.ofSeconds(240));
            cluster.timeline().note("talos-burst ready again");
            // the restarted process (a new identity) takes the Lease over once the dead holder's has expired
            await("the restarted talos-burst holds the Lease")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> !deadHolder.equals(leaderLease().getSpec().getHolderIdentity()));
            cluster.hetzner().faults().latency("POST", "/servers", Duration.ZERO);

            // 5 × 1 CPU on cx32 (3 per node): exactly 2 servers, none duplicated by the restart
            // the dead process' creation was in flight: Hetzner completed it after the kill, within the 4 s latency
            // (a creation by the restarted process completes only after its start-up plus 4 s)
            assertThat(cluster.hetzner().inspect().requests())
                    .as("POST /servers completed in Hetzner after the kill")
                    .anyMatch(r -> r.method().equals("POST")
                            && r.path().equals("/v1/servers")
                            && r.status() == 201
                            && r.time().isAfter(killedAt)
                            && r.time().isBefore(killedAt.plusMillis(4500)));
            Map<String, ServerSnapshot> servers = awaitPodsRunning("crash", 5, "crash-fsn1", 2, Duration.ofMinutes(4));
            assertNoOverProvisioning("crash-fsn1", 2);
            for (String name : servers.keySet()) {
                await("events of " + name)
                        .atMost(Duration.ofSeconds(30))
                        .untilAsserted(
                                () -> assertThat(cluster.events().typesOf(name)).contains("node-ready"));
                assertThat(cluster.events().typesOf(name))
                        .as("events of " + name + " across the crash")
                        .containsOnlyOnce("server-created")
                        .doesNotContain("server-create-failed", "server-reaped");
            }
            assertNeverForbidden();
        } finally {
            cluster.hetzner().faults().latency("POST", "/servers", Duration.ZERO);
            delete("crash");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** talos-burst's leader Lease, held (a holder and a renew time). */
    private Lease leaderLease() {
        return await("talos-burst's Lease held")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        cluster::leaderLease,
                        l -> l != null
                                && l.getSpec().getHolderIdentity() != null
                                && !l.getSpec().getHolderIdentity().isBlank()
                                && l.getSpec().getRenewTime() != null);
    }

    /**
     * The API server never refused talos-burst or cluster-autoscaler anything, each running with the RBAC of
     * {@code k8s/} (their logs over every run of the process).
     */
    private void assertNeverForbidden() {
        assertThat(linesSayingForbidden(cluster.talosBurst().process().log()))
                .as(
                        "talos-burst's log lines saying 'forbidden' (running as %s)",
                        cluster.talosBurstIdentity().user())
                .isEmpty();
        assertThat(linesSayingForbidden(cluster.clusterAutoscaler().log()))
                .as(
                        "cluster-autoscaler's log lines saying 'forbidden' (running as %s)",
                        cluster.clusterAutoscalerIdentity().user())
                .isEmpty();
    }

    /** Lines with "forbidden" (the API server's 403: {@code ... is forbidden: User ...}), but CA's status field {@code scaleDownForbidden=}. */
    private static List<String> linesSayingForbidden(Path log) {
        try {
            return Files.readAllLines(log).stream()
                    .map(l -> l.replace("scaleDownForbidden=", ""))
                    .filter(l -> l.toLowerCase(java.util.Locale.ROOT).contains("forbidden"))
                    .toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void deploy(String app, int replicas, String cpu) {
        Deployment d = new DeploymentBuilder()
                .withNewMetadata()
                .withName(app)
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector()
                .addToMatchLabels("app", app)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", app)
                .endMetadata()
                .withNewSpec()
                .withAutomountServiceAccountToken(false)
                .withTerminationGracePeriodSeconds(1L)
                .addToNodeSelector(SCENARIO_LABEL, app)
                .addNewToleration()
                .withKey(SCENARIO_LABEL)
                .withOperator("Equal")
                .withValue(app)
                .withEffect("NoSchedule")
                .endToleration()
                .addNewContainer()
                .withName("work")
                .withImage("registry.k8s.io/pause:3.10")
                .withNewResources()
                .addToRequests("cpu", new Quantity(cpu))
                .addToRequests("memory", new Quantity("64Mi"))
                .endResources()
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
        kube.resource(d).create();
        cluster.timeline().note("Deployment " + app + " created: " + replicas + " × " + cpu + " CPU");
        await("pods of " + app + " created")
                .atMost(Duration.ofSeconds(90))
                .until(() -> pods(app).size() == replicas
                        && pods(app).stream()
                                .allMatch(p -> "Pending".equals(p.getStatus().getPhase())));
        cluster.timeline().note(replicas + " pods Pending");
    }

    private void scale(String app, int replicas) {
        kube.apps().deployments().inNamespace(NS).withName(app).scale(replicas);
    }

    private void delete(String app) {
        kube.apps().deployments().inNamespace(NS).withName(app).delete();
        cluster.timeline().note("Deployment " + app + " deleted");
    }

    private List<Pod> pods(String app) {
        return kube.pods().inNamespace(NS).withLabel("app", app).list().getItems();
    }

    /** Waits for every pod Running; returns the servers of the pools (name prefix) then, after checking their Nodes. */
    private Map<String, ServerSnapshot> awaitPodsRunning(
            String app, int replicas, String poolPrefix, int servers, Duration max) {
        await(replicas + " pods of " + app + " Running")
                .atMost(max)
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    cluster.requireAlive();
                    List<Pod> pods = pods(app);
                    return pods.size() == replicas
                            && pods.stream()
                                    .allMatch(
                                            p -> "Running".equals(p.getStatus().getPhase()));
                });
        cluster.timeline().note("all " + replicas + " pods of " + app + " Running");
        Map<String, ServerSnapshot> byName = serversOf(poolPrefix);
        assertThat(byName)
                .as("servers of " + poolPrefix + " (minimum for " + replicas + " pods)")
                .hasSize(servers);
        List<Node> nodes = nodesOf(poolPrefix);
        assertThat(nodes)
                .extracting(n -> n.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(byName.keySet());
        for (Node n : nodes) {
            assertThat(n.getSpec().getProviderID())
                    .as("providerID of " + n.getMetadata().getName())
                    .isEqualTo(
                            "hcloud://" + byName.get(n.getMetadata().getName()).id());
            // registered by the kubelet from registerWithTaints in the user-data
            assertThat(n.getSpec().getTaints())
                    .as("taints of " + n.getMetadata().getName())
                    .anySatisfy(t -> assertThat(List.of(t.getKey(), t.getValue(), t.getEffect()))
                            .containsExactly(SCENARIO_LABEL, app, "NoSchedule"));
        }
        Set<String> nodeNames = byName.keySet();
        assertThat(pods(app))
                .allSatisfy(p -> assertThat(nodeNames).contains(p.getSpec().getNodeName()));
        return byName;
    }

    private Map<String, ServerSnapshot> serversOf(String poolPrefix) {
        Map<String, ServerSnapshot> out = new TreeMap<>();
        for (ServerSnapshot s : cluster.hetzner().inspect().servers()) {
            String pool = s.labels().getOrDefault(POOL_LABEL, "");
            if (pool.startsWith(poolPrefix)) {
                out.put(s.name(), s);
            }
        }
        return out;
    }

    private List<Node> nodesOf(String poolPrefix) {
        return kube.nodes().list().getItems().stream()
                .filter(n ->
                        n.getMetadata().getLabels().getOrDefault(POOL_LABEL, "").startsWith(poolPrefix))
                .toList();
    }

    /** Hetzner created exactly {@code expected} servers in these pools during this scenario (its request log). */
    private void assertNoOverProvisioning(String poolPrefix, int expected) {
        assertThat(createdInHetzner(poolPrefix))
                .as("servers created in Hetzner for " + poolPrefix + "* in this scenario")
                .hasSize(expected)
                .doesNotHaveDuplicates();
    }

    /** Names of the servers Hetzner created (POST /servers answered 201) for these pools since the scenario started. */
    private List<String> createdInHetzner(String poolPrefix) {
        return serverPosts(poolPrefix).stream()
                .filter(x -> x.status() == 201)
                .map(this::postedName)
                .toList();
    }

    /** Names of every server creation asked of Hetzner for these pools since the scenario started, whatever the answer. */
    private List<String> postedNames(String poolPrefix) {
        return serverPosts(poolPrefix).stream().map(this::postedName).toList();
    }

    private List<RecordedExchange> serverPosts(String poolPrefix) {
        List<RecordedExchange> out = new ArrayList<>();
        for (RecordedExchange x : cluster.hetzner().inspect().exchanges()) {
            if (x.method().equals("POST")
                    && x.path().equals("/v1/servers")
                    && !x.time().isBefore(scenarioStart)
                    && body(x).path("labels").path(POOL_LABEL).asText("").startsWith(poolPrefix)) {
                out.add(x);
            }
        }
        return out;
    }

    private String postedName(RecordedExchange x) {
        return body(x).path("name").asText();
    }

    private static JsonNode body(RecordedExchange x) {
        try {
            return JSON.readTree(x.requestBody());
        } catch (java.io.IOException e) {
            throw new AssertionError("POST /servers with a body that is not JSON: " + x, e);
        }
    }

    /** When Hetzner accepted the deletion of this server (its request log: DELETE /servers/{id} answered 200). */
    private Instant deletedInHetzner(long id) {
        return cluster.hetzner().inspect().requests().stream()
                .filter(r -> r.method().equals("DELETE") && r.path().equals("/v1/servers/" + id) && r.status() == 200)
                .map(RecordedRequest::time)
                .findFirst()
                .orElseThrow(() -> new AssertionError("Hetzner never deleted server " + id));
    }

    /**
     * The server's {createdAt, deletedAt} as {@code BillingLedger} merges them from the server's events (the
     * earliest of each; see its Javadoc), so billing computes from these.
     */
    private static Instant[] billedLifetime(LifecycleEventLog events, String name) {
        Instant created = null;
        Instant deleted = null;
        for (LifecycleEventLog.Received r : events.records()) {
            if (!name.equals(r.key()) || !r.event().isServerEvent()) {
                continue;
            }
            NodeEventData.Server s = r.event().parsedData().server();
            if (s == null || s.phases() == null) {
                continue;
            }
            created = earliest(created, s.phases().createdAt());
            deleted = earliest(deleted, s.phases().deletedAt());
        }
        return new Instant[] {created, deleted};
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }

    /** Waits until the pool has no server in Hetzner and no Node; records when each server disappeared. */
    private void awaitPoolEmpty(String pool, Duration max, Map<String, Instant> deletedAt) {
        Set<String> known = new java.util.HashSet<>(serversOf(pool).keySet());
        await(pool + " scaled down to nothing")
                .atMost(max)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    cluster.requireAlive();
                    Map<String, ServerSnapshot> now = serversOf(pool);
                    for (String name : known) {
                        ServerSnapshot s = now.get(name);
                        if ((s == null || !s.status().equals("running")) && !deletedAt.containsKey(name)) {
                            deletedAt.put(name, Instant.now());
                        }
                    }
                    return now.isEmpty() && nodesOf(pool).isEmpty();
                });
        cluster.timeline().note(pool + ": every server deleted and every Node gone");
    }

    private static int delta(List<LifecycleEventLog.Received> events, String type) {
        return events.stream()
                .filter(r -> r.type().equals(type))
                .mapToInt(r -> r.event().parsedData().scale().delta())
                .sum();
    }
}
