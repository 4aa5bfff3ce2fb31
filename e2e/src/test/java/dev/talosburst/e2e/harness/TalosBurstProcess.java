package dev.talosburst.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/**
 * The packaged talos-burst jar run as a user runs it: options in a properties file named by
 * {@code QUARKUS_CONFIG_LOCATIONS}, the Hetzner token in {@code TALOSBURST_HCLOUD_TOKEN}.
 */
public final class TalosBurstProcess implements AutoCloseable {

    private final ManagedProcess process;
    private final int grpcPort;
    private final int managementPort;

    private TalosBurstProcess(ManagedProcess process, int grpcPort, int managementPort) {
        this.process = process;
        this.grpcPort = grpcPort;
        this.managementPort = managementPort;
    }

    /** Writes {@code options} to {@code <work>/talos-burst.properties} and starts the jar with it and {@code environment}. */
    public static TalosBurstProcess start(
            Path jar,
            Path work,
            Path logs,
            Map<String, String> options,
            Map<String, String> environment,
            String hcloudToken,
            int grpcPort,
            int managementPort) {
        Path properties = work.resolve("talos-burst.properties");
        String text = new TreeMap<>(options)
                .entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining("\n", "# written by the e2e suite\n", "\n"));
        try {
            Files.writeString(properties, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                "-XX:+UseSerialGC",
                "-jar",
                jar.toString());
        Map<String, String> env = new java.util.HashMap<>(environment);
        env.put("QUARKUS_CONFIG_LOCATIONS", properties.toString());
        env.put("TALOSBURST_HCLOUD_TOKEN", hcloudToken);
        ManagedProcess p = ManagedProcess.start("talos-burst", logs, command, env);
        return new TalosBurstProcess(p, grpcPort, managementPort);
    }

    /** The gRPC (mTLS) port. */
    public int grpcPort() {
        return grpcPort;
    }

    /** Waits until {@code /q/health/ready} answers 200 (leader, Node cache synced, Hetzner view built). */
    public void awaitReady(Duration max) {
        HttpClient http = HttpClient.newHttpClient();
        String listening = "Listening on: https://127.0.0.1:" + grpcPort;
        Awaitility.await("talos-burst ready and saying '" + listening + "' (gRPC with TLS); see " + process.log())
                .atMost(max)
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> {
                    process.requireAlive();
                    return logOfThisRun().contains(listening)
                            && http.send(
                                                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                                                    + managementPort + "/q/health/ready"))
                                                            .timeout(Duration.ofSeconds(5))
                                                            .build(),
                                                    HttpResponse.BodyHandlers.discarding())
                                            .statusCode()
                                    == 200;
                });
    }

    /** The log since the last (re)start. */
    private String logOfThisRun() throws IOException {
        String log = Files.readString(process.log());
        return log.substring(Math.max(0, log.lastIndexOf("===== start")));
    }

    /** The Prometheus text of {@code /q/metrics}. */
    public String metrics() {
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/metrics"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The process. */
    public ManagedProcess process() {
        return process;
    }

    /** A crash: SIGKILL, no shutdown hook, no lease release. */
    public void kill9() {
        process.kill9();
    }

    /** Starts the same jar with the same configuration again. */
    public void restart() {
        process.start();
    }

    @Override
    public void close() {
        process.close();
    }
}
