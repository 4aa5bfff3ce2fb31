package dev.talosburst.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged billing service started as its README says: refused without Kafka's address, not ready without Kafka. */
class BillingStartIT {

    private static final Path JAR =
            Path.of(System.getProperty("talosburst.billing.jar", "target/quarkus-app/quarkus-run.jar"));

    @Test
    void withoutBootstrapServersItRefusesToStartNamingTheOption(@TempDir Path dir) throws Exception {
        Process p = start(dir, Map.of(), List.of());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(dir.resolve("out.log"), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(out)
                .contains(StartupCheck.HEADLINE)
                .contains("talosburst.billing.bootstrap-servers is required")
                .contains("TALOSBURST_BILLING_BOOTSTRAP_SERVERS=kafka:9092")
                .doesNotContain("\tat ");
    }

    @Test
    void withAnUnusableRetentionItRefusesToStartNamingTheOption(@TempDir Path dir) throws Exception {
        Process p = start(
                dir,
                Map.of(
                        "TALOSBURST_BILLING_BOOTSTRAP_SERVERS",
                        "127.0.0.1:" + freePort(),
                        "TALOSBURST_BILLING_RETENTION_DAYS",
                        "0"),
                List.of("-Dtalosburst.billing.data-dir=" + dir.resolve("data")));
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(dir.resolve("out.log"), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(out)
                .contains(StartupCheck.HEADLINE)
                .contains("talosburst.billing.retention-days must be a whole number of days from 1 to 36500 (got '0')")
                .doesNotContain("\tat ");
    }

    @Test
    void withKafkaUnreachableItServesButIsNotReady(@TempDir Path dir) throws Exception {
        int port = freePort();
        Process p = start(
                dir,
                Map.of("TALOSBURST_BILLING_BOOTSTRAP_SERVERS", "127.0.0.1:" + freePort()),
                List.of("-Dquarkus.http.port=" + port, "-Dtalosburst.billing.data-dir=" + dir.resolve("data")));
        try {
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(90))
                    .ignoreExceptions()
                    .until(() -> get(http, port, "/usage").statusCode() == 200);
            assertThat(get(http, port, "/usage").body()).contains("\"eventsCounted\":0");
            await().atMost(Duration.ofSeconds(60))
                    .ignoreExceptions()
                    .until(() -> get(http, port, "/q/health/ready").statusCode() == 503);
            assertThat(Files.readAllLines(dir.resolve("out.log")).size())
                    .as("Kafka's client logs are capped")
                    .isLessThan(40);
        } finally {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Process start(Path dir, Map<String, String> env, List<String> props) throws IOException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(props);
        cmd.add("-jar");
        cmd.add(JAR.toAbsolutePath().toString());
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.log").toFile());
        pb.environment().remove("TALOSBURST_BILLING_BOOTSTRAP_SERVERS");
        pb.environment().putAll(env);
        return pb.start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
