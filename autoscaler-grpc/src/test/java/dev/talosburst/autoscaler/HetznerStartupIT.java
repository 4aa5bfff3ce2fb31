package dev.talosburst.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.autoscaler.testing.PackagedApp;
import dev.talosburst.hcloudsim.HcloudSimulator;
import dev.talosburst.hcloudsim.SimulatorOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The packaged application against "real" Hetzner (the simulator on its own port, not embedded): a wrong token and pools
 * that do not fit the catalogue stop start-up with the configuration error block; an unreachable API is said at once,
 * readiness stays down with the reason, and the process keeps retrying until Hetzner answers; the requests of a
 * successful start-up are all counted in {@code talosburst_hcloud_requests_total}.
 */
class HetznerStartupIT {
    private static final String TOKEN = "it-token-0123456789abcdef0123456789abcdef0123456789abcdef01234567";

    private PackagedApp app;
    private HcloudSimulator sim;

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        if (sim != null) {
            sim.close();
        }
    }

    private static Path workerConfig() {
        Path shared = Path.of(System.getProperty("talos-burst.shared-dir", "../../shared"));
        Path worker = shared.resolve("fixtures/talos/v1.11-base-worker.yaml");
        Assumptions.assumeTrue(
                Files.isRegularFile(worker), "skipped: Talos fixture " + worker.toAbsolutePath() + " is missing");
        return worker.toAbsolutePath();
    }

    /** The jar for real Hetzner at {@code endpoint} with the token in the environment, as in production. */
    private static PackagedApp.Builder realHetzner(String name, String endpoint, String token, int managementPort) {
        return PackagedApp.named("hetzner-startup-" + name)
                .systemProperty("talosburst.hcloud.embedded-simulator", false)
                .systemProperty("talosburst.hcloud.endpoint", endpoint)
                .systemProperty("talosburst.cluster-id", "it-startup")
                .systemProperty("talosburst.grpc.plaintext", true)
                .systemProperty("talosburst.grpc.port", PackagedApp.freePort())
                .systemProperty("talosburst.management.port", managementPort)
                .systemProperty("talosburst.talos.worker-config", workerConfig())
                .systemProperty("talosburst.pools.it-fsn1.server-type", "cx22")
                .systemProperty("talosburst.pools.it-fsn1.location", "fsn1")
                .systemProperty("talosburst.pools.it-fsn1.max", 2)
                .env("TALOSBURST_HCLOUD_TOKEN", token);
    }

    private String output() {
        return app.output();
    }

    @Test
    void aWrongTokenStopsStartUpWithOneErrorNamingTheOption() throws Exception {
        sim = HcloudSimulator.start(SimulatorOptions.builder()
                .host("127.0.0.1")
                .port(0)
                .token(TOKEN)
                .build());
        String wrong = "wrong-" + TOKEN.substring(6);
        app = realHetzner("token", sim.endpoint().toString(), wrong, PackagedApp.freePort())
                .start();

        assertThat(app.exitCode(Duration.ofSeconds(90))).isNotZero();
        String out = output();
        assertThat(out)
                .contains("talos-burst cannot start, fix the configuration")
                .contains("talosburst.hcloud.token: Hetzner refused the API token (HTTP 401 unauthorized)")
                .contains("TALOSBURST_HCLOUD_TOKEN")
                .doesNotContain(wrong);
    }

    @Test
    void aLocationTypoStopsStartUpListingTheValidLocations() throws Exception {
        sim = HcloudSimulator.start(SimulatorOptions.builder()
                .host("127.0.0.1")
                .port(0)
                .token(TOKEN)
                .build());
        app = realHetzner("location", sim.endpoint().toString(), TOKEN, PackagedApp.freePort())
                .systemProperty("talosburst.pools.typo.server-type", "cx22")
                .systemProperty("talosburst.pools.typo.location", "fsn2")
                .systemProperty("talosburst.pools.typo.max", 2)
                .systemProperty("talosburst.pools.arm-us.server-type", "cax11")
                .systemProperty("talosburst.pools.arm-us.location", "ash")
                .systemProperty("talosburst.pools.arm-us.max", 2)
                .start();

        assertThat(app.exitCode(Duration.ofSeconds(90))).isNotZero();
        assertThat(output())
                .contains("talos-burst cannot start, fix the configuration")
                .contains(
                        "talosburst.pools.typo.location: Hetzner has no location 'fsn2'; use one of ash, fsn1, hel1, hil, nbg1, sin")
                .contains(
                        "talosburst.pools.arm-us.location: server type cax11 is not offered in ash; it is offered in fsn1, hel1, nbg1");
        assertThat(sim.inspect().requestCount("POST", "/servers")).isZero();
    }

    @Test
    void anUnreachableApiIsSaidAtOnceReadinessStaysDownAndTheProcessWaitsForIt() throws Exception {
        int hetznerPort = PackagedApp.freePort(); // nothing listens here yet
        String endpoint = "http://127.0.0.1:" + hetznerPort + "/v1";
        int management = PackagedApp.freePort();
        long started = System.nanoTime();
        app = realHetzner("unreachable", endpoint, TOKEN, management).start();

        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> output().contains("Hetzner Cloud API at " + endpoint + " is not answering"));
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .as("said at once, not after the retries")
                .isLessThan(Duration.ofSeconds(25));

        HttpResponse<String> ready = await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(
                        () -> readiness(management),
                        r -> r.statusCode() == 503 && r.body().contains("UNREACHABLE"));
        assertThat(ready.body()).contains("talosburst.hcloud.endpoint").contains(endpoint);
        assertThat(output()).contains("starting with readiness DOWN").contains("talosburst.hcloud.endpoint");
        assertThat(app.isAlive()).isTrue();

        // Hetzner comes back: the pools are checked against its catalogue and the replica becomes ready
        sim = HcloudSimulator.start(SimulatorOptions.builder()
                .host("127.0.0.1")
                .port(hetznerPort)
                .token(TOKEN)
                .build());
        await().atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofSeconds(1))
                .ignoreExceptions()
                .until(() -> readiness(management).statusCode() == 200);
        assertThat(output())
                .contains("every node pool fits the Hetzner catalogue")
                .contains("Hetzner Cloud API answers again");
        // (SmallRye Health logs every DOWN probe itself at INFO; talos-burst's own warnings are what must not flood)
        long lines = output().lines()
                .filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                .filter(l -> l.contains("not answering") || l.contains("did not answer"))
                .count();
        assertThat(lines)
                .as("no line every second while it was down; see " + app.log())
                .isLessThan(15);
    }

    @Test
    void everyRequestOfTheStartUpIsCountedInTheRequestMetric() throws Exception {
        sim = HcloudSimulator.start(SimulatorOptions.builder()
                .host("127.0.0.1")
                .port(0)
                .token(TOKEN)
                .build());
        int management = PackagedApp.freePort();
        app = realHetzner("counted", sim.endpoint().toString(), TOKEN, management)
                .start();
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> readiness(management).statusCode() == 200);

        // No server exists and the next full list is 5 minutes away: after start-up nothing asks Hetzner, so the
        // counter must come to exactly what the simulator answered (catalogue checks, snapshot lookups, the first
        // list).
        int answered = sim.inspect().requestCount();
        assertThat(answered).as("requests Hetzner saw during start-up").isPositive();
        assertThat(sim.inspect().requests())
                .as("the first list of the fleet is among them")
                .anyMatch(r -> r.method().equals("GET") && r.path().equals("/v1/servers"));
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    String metrics = scrape(management);
                    assertThat(counted(metrics, ""))
                            .as(
                                    "sum of talosburst_hcloud_requests_total after start-up; /q/metrics:%n%s",
                                    metrics.lines()
                                            .filter(l -> l.startsWith("talosburst_hcloud_requests_total"))
                                            .toList())
                            .isEqualTo(answered);
                    assertThat(counted(metrics, "endpoint=\"/servers\",method=\"GET\",status=\"200\""))
                            .as("the first list")
                            .isPositive();
                    assertThat(metrics.lines()
                                    .filter(l -> l.startsWith("talosburst_hcloud_budget_used_ratio "))
                                    .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                                    .toList())
                            .as(
                                    "the share of the project's hourly budget (talosburst.hcloud.budget-per-hour, 3600) spent")
                            .singleElement()
                            .satisfies(used -> assertThat(used)
                                    .isCloseTo(answered / 3600.0, org.assertj.core.api.Assertions.within(1e-9)));
                });
        assertThat(sim.inspect().requestCount())
                .as("nothing was asked of Hetzner meanwhile")
                .isEqualTo(answered);
    }

    @Test
    void whatTheStartUpSyncDoesIsInTheEngineMetrics() throws Exception {
        sim = HcloudSimulator.start(SimulatorOptions.builder()
                .host("127.0.0.1")
                .port(0)
                .token(TOKEN)
                .build());
        // Two servers of ours exist before talos-burst starts (a restart): the first sync adopts them.
        long image = sim.catalogue().images().stream()
                .filter(i -> "x86".equals(i.architecture())
                        && "talos".equals(i.labels().get("os")))
                .max((a, b) -> a.created().compareTo(b.created()))
                .orElseThrow()
                .id();
        for (String name : new String[] {"it-fsn1-adopt-a", "it-fsn1-adopt-b"}) {
            String body = "{\"name\":\"" + name + "\",\"server_type\":\"cx22\",\"location\":\"fsn1\",\"image\":" + image
                    + ",\"labels\":{\"talos-burst.dev/cluster\":\"it-startup\",\"talos-burst.dev/pool\":\"it-fsn1\","
                    + "\"talos-burst.dev/managed-by\":\"talos-burst\"}}";
            HttpResponse<String> created = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(sim.endpoint() + "/servers"))
                                    .header("Authorization", "Bearer " + TOKEN)
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode())
                    .as("seeding %s: %s", name, created.body())
                    .isEqualTo(201);
        }
        int management = PackagedApp.freePort();
        app = realHetzner("adopted", sim.endpoint().toString(), TOKEN, management)
                .start();
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> readiness(management).statusCode() == 200);

        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    String metrics = scrape(management);
                    assertThat(sample(
                                    metrics,
                                    "talosburst_lifecycle_transitions_total{",
                                    "pool=\"it-fsn1\"",
                                    "transition=\"server-adopted\""))
                            .as(
                                    "servers adopted by the start-up sync; /q/metrics:%n%s",
                                    metrics.lines()
                                            .filter(l -> l.startsWith("talosburst_lifecycle_transitions_total"))
                                            .toList())
                            .isEqualTo(2);
                    assertThat(sample(metrics, "talosburst_hcloud_request_duration_seconds_count{", ""))
                            .as("every request of the start-up is timed")
                            .isEqualTo(counted(metrics, ""));
                });
    }

    /** Sum of the samples of the series starting with {@code series} whose labels contain every one of {@code labels}. */
    private static long sample(String metrics, String series, String... labels) {
        return Math.round(metrics.lines()
                .filter(l -> l.startsWith(series))
                .filter(l -> java.util.Arrays.stream(labels).allMatch(l::contains))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum());
    }

    /** Sum of the {@code talosburst_hcloud_requests_total} series whose labels contain {@code labels}. */
    private static long counted(String metrics, String labels) {
        return Math.round(metrics.lines()
                .filter(l -> l.startsWith("talosburst_hcloud_requests_total{") && l.contains(labels))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum());
    }

    private static String scrape(int port) throws IOException, InterruptedException {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                                .header("Accept", "text/plain; version=0.0.4")
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static HttpResponse<String> readiness(int port) throws IOException, InterruptedException {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
