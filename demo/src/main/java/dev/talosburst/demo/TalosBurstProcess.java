package dev.talosburst.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged talos-burst ({@code quarkus-run.jar}) as a child process, configured the way a user configures it: a
 * properties file named by {@code QUARKUS_CONFIG_LOCATIONS}, the Hetzner token in {@code TALOSBURST_HCLOUD_TOKEN} and the
 * cluster in {@code KUBECONFIG}. Its output goes to a log file, not to the timeline.
 */
public final class TalosBurstProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int managementPort;

    private TalosBurstProcess(Process process, Path log, int managementPort) {
        this.process = process;
        this.log = log;
        this.managementPort = managementPort;
    }

    /**
     * Starts {@code jar} with {@code properties} written to {@code configFile} and {@code environment} added.
     *
     * @param managementPort where {@code /q/health/ready} answers (must match {@code talosburst.management.port})
     */
    public static TalosBurstProcess start(
            Path jar,
            Path configFile,
            String properties,
            Map<String, String> environment,
            Path log,
            int managementPort) {
        if (!Files.isRegularFile(jar)) {
            throw new DemoFailure(
                    "talos-burst is not built: " + jar + " does not exist. Run ./mvnw -B install -DskipTests first "
                            + "(or point --talos-burst-jar at a quarkus-run.jar).");
        }
        try {
            Files.writeString(configFile, properties);
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-jar",
                    jar.toAbsolutePath().toString()));
            ProcessBuilder pb =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("TALOSBURST_") || k.startsWith("QUARKUS_"));
            pb.environment()
                    .put("QUARKUS_CONFIG_LOCATIONS", configFile.toAbsolutePath().toString());
            pb.environment().putAll(environment);
            return new TalosBurstProcess(pb.start(), log, managementPort);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start talos-burst: " + e.getMessage(), e);
        }
    }

    /** Waits until {@code /q/health/ready} answers 200 (gRPC up, Nodes synced, leader elected). */
    public void awaitReady(Duration timeout) throws InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2))
                .build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new DemoFailure("talos-burst exited with code " + process.exitValue()
                        + " while starting; its log:\n" + tail(40));
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new DemoFailure(
                "talos-burst was not ready within " + timeout.toSeconds() + " s; the end of its log:\n" + tail(40));
    }

    /** The child's log file. */
    public Path log() {
        return log;
    }

    /** True while the process runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last {@code lines} lines of the log. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /** Stops talos-burst (SIGTERM, then SIGKILL after 15 s). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
