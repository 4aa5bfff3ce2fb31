package dev.talosburst.autoscaler.monitoring;

import static org.awaitility.Awaitility.await;

import dev.talosburst.autoscaler.testing.PackagedApp;
import dev.talosburst.proto.externalgrpc.CloudProviderGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The packaged jar as the monitoring tests run it: embedded simulator, two pools of its own, Kafka publishing
 * configured (to a port where no broker listens, so every {@code talosburst_events_*} meter exists and the Kafka
 * alerts have input), plaintext gRPC for the test's cluster-autoscaler calls.
 */
final class MonitoredRun implements AutoCloseable {
    static final String POOL_A = "cx22-fsn1";
    static final String POOL_B = "cax11-fsn1";

    final PackagedApp app;
    final int grpcPort = PackagedApp.freePort();
    final int managementPort = PackagedApp.freePort();
    private final ManagedChannel channel;
    private final HttpClient http = HttpClient.newHttpClient();

    MonitoredRun(String name) throws Exception {
        Path journal = Files.createTempDirectory("talos-burst-journal");
        app = PackagedApp.named(name)
                .systemProperty("talosburst.grpc.port", grpcPort)
                .systemProperty("talosburst.management.port", managementPort)
                .systemProperty("talosburst.hcloud.embedded-simulator", true)
                .systemProperty("talosburst.pools." + POOL_A + ".server-type", "cx22")
                .systemProperty("talosburst.pools." + POOL_A + ".location", "fsn1")
                .systemProperty("talosburst.pools." + POOL_A + ".max", 3)
                .systemProperty("talosburst.pools." + POOL_B + ".server-type", "cax11")
                .systemProperty("talosburst.pools." + POOL_B + ".location", "fsn1")
                .systemProperty("talosburst.pools." + POOL_B + ".max", 3)
                .systemProperty("talosburst.events.bootstrap-servers", "127.0.0.1:" + PackagedApp.freePort())
                .systemProperty("talosburst.events.journal-dir", journal)
                .systemProperty("talosburst.events.unreachable-after", "3s")
                .systemProperty("talosburst.events.replication-factor", 1)
                .systemProperty("talosburst.events.partitions", 1)
                .start();
        app.awaitPort(managementPort).awaitPort(grpcPort);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort)
                .usePlaintext()
                .build();
    }

    /** cluster-autoscaler's view: a blocking stub with a short deadline. */
    CloudProviderGrpc.CloudProviderBlockingStub ca() {
        return CloudProviderGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** {@code /q/metrics} in the text format {@code promtool} reads (Prometheus itself negotiates OpenMetrics). */
    String scrape() throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/metrics"))
                        .header("Accept", "text/plain; version=0.0.4")
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("/q/metrics answered " + response.statusCode());
        }
        return response.body();
    }

    /** The first scrape after the start-up sync with Hetzner (the first {@code talosburst_hcloud_requests_total}). */
    String scrapeAfterStartup() {
        return await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(
                        this::scrape,
                        s -> s.contains("talosburst_hcloud_requests_total{")
                                && s.contains("talosburst_engine_leader 1.0"));
    }

    @Override
    public void close() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        app.close();
    }
}
