package dev.talosburst.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.autoscaler.testing.PackagedApp;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar with {@code talosburst.events.bootstrap-servers} pointing at a port nobody listens on: one WARN naming
 * the option, no flood from Kafka's clients, readiness DOWN after {@code unreachable-after}; and UP again once a broker
 * answers on that port.
 */
class KafkaUnreachableIT {

    private PackagedApp app;
    private EmbeddedKafkaBroker broker;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void anUnreachableKafkaIsOneWarningAMinuteAndTakesReadinessDown() throws Exception {
        int deadPort = PackagedApp.freePort();
        int managementPort = PackagedApp.freePort();
        app = PackagedApp.named("kafka-unreachable-run")
                .systemProperty("talosburst.grpc.port", PackagedApp.freePort())
                .systemProperty("talosburst.management.port", managementPort)
                .systemProperty("talosburst.hcloud.embedded-simulator", true)
                .systemProperty("talosburst.pools.cx22-fsn1.server-type", "cx22")
                .systemProperty("talosburst.pools.cx22-fsn1.location", "fsn1")
                .systemProperty("talosburst.pools.cx22-fsn1.max", 3)
                .systemProperty("talosburst.events.bootstrap-servers", "127.0.0.1:" + deadPort)
                .systemProperty("talosburst.events.journal-dir", Files.createTempDirectory("talos-burst-journal"))
                .systemProperty("talosburst.events.unreachable-after", "3s")
                .systemProperty("talosburst.events.replication-factor", 1)
                .systemProperty("talosburst.events.partitions", 1)
                .start();
        String ready = "http://127.0.0.1:" + managementPort + "/q/health/ready";

        String warning = "cannot reach Kafka at 127.0.0.1:" + deadPort + " (talosburst.events.bootstrap-servers)";
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    assertThat(app.isAlive())
                            .as("application still running; see " + app.log())
                            .isTrue();
                    assertThat(lines()).anyMatch(l -> l.contains(" WARN ") && l.contains(warning));
                });
        // the documented rule: DOWN once an attempt failed and no broker answered for unreachable-after (3s here)
        HttpResponse<String> down = await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> get(ready), r -> r.statusCode() == 503 && r.body().contains("\"kafkaReachable\": false"));
        assertThat(down.body()).containsPattern("\"name\": \"lifecycle-events\",\\s*\"status\": \"DOWN\"");

        // then 20 s of outage: no new line at all (the next WARN is due a minute after the first)
        int before = lines().size();
        await().during(Duration.ofSeconds(20))
                .atMost(Duration.ofSeconds(25))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> lines().size() <= before + 1);
        List<String> all = lines();
        assertThat(all).as("the whole log so far; see " + app.log()).hasSizeLessThan(40);
        assertThat(all).filteredOn(l -> l.contains(warning)).hasSize(1);
        assertThat(all).noneMatch(l -> l.contains("[org.apache.kafka"));

        // a broker on that port: Kafka answers, readiness comes back, and talos-burst says so once
        broker = new EmbeddedKafkaBroker()
                .withKafkaHost("127.0.0.1")
                .withKafkaPort(deadPort)
                .withControllerPort(PackagedApp.freePort())
                .start();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> get(ready).statusCode() == 200);
        assertThat(lines())
                .filteredOn(
                        l -> l.contains(" INFO ") && l.contains("Kafka at 127.0.0.1:" + deadPort + " answers again"))
                .hasSize(1);
    }

    private List<String> lines() {
        return app.output()
                .lines()
                .filter(l -> l.matches("^\\d{4}-\\d{2}-\\d{2} .*"))
                .toList();
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
