package dev.talosburst.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Examples of the root README, used as written with the packaged jar. */
class ReadmeExamplesIT {

    private Process app;

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.destroy();
            if (!app.waitFor(20, TimeUnit.SECONDS)) {
                app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void theNodeLabelExampleIsAcceptedAtStartUp() throws Exception {
        // the labels are checked when a real worker config is rendered (the demo user-data carries none)
        Path worker = Path.of(System.getProperty("talos-burst.shared-dir", "../../shared"), "fixtures/talos/v1.13-base-worker.yaml")
                .toAbsolutePath();
        assumeTrue(Files.isRegularFile(worker), "skipped: Talos fixture " + worker + " is missing");
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher example = Pattern.compile("`(talosburst\\.pools\\.(gpu-fsn1)\\.node-labels\\.\"[^\"]+\"=[^`]*)`").matcher(readme);
        assertThat(example.find()).as("README documents a node-labels example for pool gpu-fsn1").isTrue();

        // pools are map keys: defined, as the README says, in config/application.properties of the working directory
        Path workDir = Files.createTempDirectory("talos-burst-readme");
        Files.createDirectories(workDir.resolve("config"));
        Files.writeString(workDir.resolve("config/application.properties"), String.join("\n",
                "talosburst.hcloud.embedded-simulator=true",
                "talosburst.talos.worker-config=" + worker,
                "talosburst.pools.gpu-fsn1.server-type=cx22",
                "talosburst.pools.gpu-fsn1.location=fsn1",
                "talosburst.pools.gpu-fsn1.max=1",
                example.group(1), ""));
        Path log = Path.of("target", "readme-examples-run.log").toAbsolutePath();
        String jar = Path.of(System.getProperty("talosburst.app.jar", "target/quarkus-app/quarkus-run.jar")).toAbsolutePath().toString();
        app = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dtalosburst.grpc.port=" + freePort(), "-Dquarkus.management.port=" + freePort(), "-jar", jar)
                .directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            String text = Files.readString(log);
            assertThat(text).as("started with the README's example; see " + log).doesNotContain("cannot start");
            assertThat(text).contains("Listening on:");
        });
        assertThat(Files.readString(log)).containsPattern("node groups of cluster [^:]+: \\[[^\\]]*gpu-fsn1 \\(cx22/fsn1");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
