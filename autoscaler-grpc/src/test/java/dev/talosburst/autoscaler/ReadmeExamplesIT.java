package dev.talosburst.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.talosburst.autoscaler.testing.PackagedApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Examples of the root README, used as written with the packaged jar. */
class ReadmeExamplesIT {

    @Test
    void theNodeLabelExampleIsAcceptedAtStartUp() throws Exception {
        // the labels are checked when a real worker config is rendered (the demo user-data carries none)
        Path worker = Path.of(
                        System.getProperty("talos-burst.shared-dir", "../../shared"),
                        "fixtures/talos/v1.11-base-worker.yaml")
                .toAbsolutePath();
        assumeTrue(Files.isRegularFile(worker), "skipped: Talos fixture " + worker + " is missing");
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher example = Pattern.compile("`(talosburst\\.pools\\.(gpu-fsn1)\\.node-labels\\.\"[^\"]+\"=[^`]*)`")
                .matcher(readme);
        assertThat(example.find())
                .as("README documents a node-labels example for pool gpu-fsn1")
                .isTrue();

        // pools are map keys: defined, as the README says, in config/application.properties of the working directory
        Path workDir = Files.createTempDirectory("talos-burst-readme");
        Files.createDirectories(workDir.resolve("config"));
        Files.writeString(
                workDir.resolve("config/application.properties"),
                String.join(
                        "\n",
                        "talosburst.hcloud.embedded-simulator=true",
                        "talosburst.talos.worker-config=" + worker,
                        "talosburst.pools.gpu-fsn1.server-type=cx22",
                        "talosburst.pools.gpu-fsn1.location=fsn1",
                        "talosburst.pools.gpu-fsn1.max=1",
                        example.group(1),
                        ""));
        try (PackagedApp app = PackagedApp.named("readme-examples-run")
                .workingDirectory(workDir)
                .systemProperty("talosburst.grpc.port", PackagedApp.freePort())
                .systemProperty("talosburst.management.port", PackagedApp.freePort())
                .start()) {

            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> {
                        String text = app.output();
                        assertThat(text)
                                .as("started with the README's example; see " + app.log())
                                .doesNotContain("cannot start");
                        assertThat(text).contains("Listening on:");
                    });
            assertThat(app.output()).containsPattern("node groups of cluster [^:]+: \\[[^\\]]*gpu-fsn1 \\(cx22/fsn1");
        }
    }
}
