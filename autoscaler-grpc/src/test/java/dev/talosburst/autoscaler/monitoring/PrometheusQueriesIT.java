package dev.talosburst.autoscaler.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.talosburst.autoscaler.testing.PackagedApp;
import dev.talosburst.autoscaler.testing.Promtool;
import dev.talosburst.proto.externalgrpc.ExternalGrpcNode;
import dev.talosburst.proto.externalgrpc.Instance;
import dev.talosburst.proto.externalgrpc.NodeGroupDeleteNodesRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupIncreaseSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupNodesRequest;
import dev.talosburst.proto.externalgrpc.RefreshRequest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian {@code prometheus}) scrapes the packaged jar while cluster-autoscaler's calls scale a pool
 * up and down over gRPC; then every Grafana panel query in {@code grafana/} and every alert expression in
 * {@code k8s/monitoring/prometheusrule.yaml} is evaluated through Prometheus' HTTP API. The test names each query that
 * fails or returns no data, and each metric an alert reads that Prometheus does not have.
 */
class PrometheusQueriesIT {
    private static final Path DASHBOARDS = Path.of("..", "grafana");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern METRIC = Pattern.compile("\\b(talosburst_[a-z0-9_]+|resilience4j_[a-z0-9_]+)\\b");

    @TempDir
    Path dir;

    private Process prometheus;
    private final HttpClient http = HttpClient.newHttpClient();
    private int prometheusPort;

    @AfterEach
    void stopPrometheus() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void everyPanelAndEveryAlertHasDataDuringAScaleUpAndDown() throws Exception {
        Path binary = Promtool.require("prometheus");
        try (MonitoredRun run = new MonitoredRun("prometheus-queries")) {
            run.scrapeAfterStartup();
            startPrometheus(binary, run.managementPort);
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptions()
                    .until(() -> !query("up{job=\"talos-burst\"} == 1").isEmpty());

            // scale-up of two, then cluster-autoscaler deletes one of them
            run.ca().refresh(RefreshRequest.getDefaultInstance());
            run.ca()
                    .nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest.newBuilder()
                            .setId(MonitoredRun.POOL_A)
                            .setDelta(2)
                            .build());
            List<Instance> created = await().atMost(Duration.ofSeconds(60))
                    .until(
                            () -> run.ca()
                                    .nodeGroupNodes(NodeGroupNodesRequest.newBuilder()
                                            .setId(MonitoredRun.POOL_A)
                                            .build())
                                    .getInstancesList(),
                            l -> l.size() == 2
                                    && l.stream().allMatch(i -> i.getId().startsWith("hcloud://")));
            awaitQuery("max_over_time(talosburst_nodegroup_servers{pool=\"cx22-fsn1\"}[5m]) == 2");
            run.ca()
                    .nodeGroupDeleteNodes(NodeGroupDeleteNodesRequest.newBuilder()
                            .setId(MonitoredRun.POOL_A)
                            .addNodes(ExternalGrpcNode.newBuilder()
                                    .setProviderID(created.get(0).getId()))
                            .build());
            awaitQuery("talosburst_lifecycle_transitions_total{pool=\"cx22-fsn1\",transition=\"server-deleted\"} == 1");
            awaitQuery("talosburst_nodegroup_servers{pool=\"cx22-fsn1\"} == 1");

            List<String> problems = new ArrayList<>();
            int panels = checkDashboards(problems);
            int alerts = checkAlerts(problems);
            assertThat(panels).as("panel queries checked").isGreaterThan(20);
            assertThat(alerts).as("alerts checked").isGreaterThanOrEqualTo(10);
            assertThat(problems)
                    .as("queries without data (Prometheus log: %s)", dir.resolve("prometheus.log"))
                    .isEmpty();

            // Prometheus loaded the rules and evaluates them without error
            JsonNode groups = get("/api/v1/rules").get("data").get("groups");
            List<String> unhealthy = new ArrayList<>();
            groups.forEach(g -> g.get("rules").forEach(r -> {
                if (!"ok".equals(r.path("health").asText())) {
                    unhealthy.add(
                            r.get("name").asText() + ": " + r.path("lastError").asText());
                }
            }));
            assertThat(groups).isNotEmpty();
            assertThat(unhealthy).isEmpty();
        }
    }

    private int checkDashboards(List<String> problems) throws Exception {
        int checked = 0;
        List<Path> files;
        try (Stream<Path> list = Files.list(DASHBOARDS)) {
            files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).hasSize(4);
        for (Path file : files) {
            JsonNode dashboard = JSON.readTree(file.toFile());
            for (JsonNode variable : dashboard.path("templating").path("list")) {
                String definition = variable.path("definition").asText("");
                Matcher m = Pattern.compile("label_values\\((\\w+), (\\w+)\\)").matcher(definition);
                if (m.matches()
                        && get("/api/v1/label/" + m.group(2) + "/values?match[]=" + encode(m.group(1)))
                                .get("data")
                                .isEmpty()) {
                    problems.add(file.getFileName() + " variable "
                            + variable.get("name").asText() + ": " + definition + " has no values");
                }
            }
            for (JsonNode panel : dashboard.get("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    String expr = target.get("expr")
                            .asText()
                            .replace("$__rate_interval", "1m")
                            .replace("$pool", ".*");
                    checked++;
                    String where = file.getFileName() + " panel \""
                            + panel.get("title").asText() + "\" "
                            + target.get("refId").asText();
                    try {
                        if (query(expr).isEmpty()) {
                            problems.add(where + " returns no data: " + expr);
                        }
                    } catch (AssertionError e) {
                        problems.add(where + " fails: " + e.getMessage());
                    }
                }
            }
        }
        return checked;
    }

    /** Alert expressions return data only while they fire: check that each evaluates, and that Prometheus has every input. */
    private int checkAlerts(List<String> problems) throws Exception {
        int checked = 0;
        for (String[] alert : AlertRulesTest.alerts()) {
            checked++;
            try {
                query(alert[1]);
            } catch (AssertionError e) {
                problems.add("alert " + alert[0] + " fails: " + e.getMessage());
            }
            Matcher m = METRIC.matcher(alert[1]);
            TreeSet<String> inputs = new TreeSet<>();
            while (m.find()) {
                inputs.add(m.group(1));
            }
            assertThat(inputs).as("inputs of " + alert[0]).isNotEmpty();
            for (String metric : inputs) {
                if (query("count({__name__=\"" + metric + "\"})").isEmpty()) {
                    problems.add("alert " + alert[0] + " reads " + metric + ", which has no data");
                }
            }
        }
        return checked;
    }

    private void startPrometheus(Path binary, int managementPort) throws Exception {
        prometheusPort = PackagedApp.freePort();
        AlertRulesTest.writeRuleGroups(dir);
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files: [rules.yaml]
                scrape_configs:
                  - job_name: talos-burst
                    metrics_path: /q/metrics
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(managementPort));
        prometheus = new ProcessBuilder(
                        binary.toString(),
                        "--config.file=" + config,
                        "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + prometheusPort)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
    }

    private void awaitQuery(String promql) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> !query(promql).isEmpty());
    }

    /** The result vector of an instant query; an AssertionError with Prometheus' message when it fails. */
    private JsonNode query(String promql) throws Exception {
        JsonNode answer = get("/api/v1/query?query=" + encode(promql));
        if (!"success".equals(answer.path("status").asText())) {
            throw new AssertionError(answer.path("error").asText() + " in " + promql);
        }
        return answer.get("data").get("result");
    }

    private JsonNode get(String pathAndQuery) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort + pathAndQuery))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
