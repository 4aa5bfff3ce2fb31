package dev.talosburst.autoscaler.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.talosburst.autoscaler.testing.PackagedApp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The OCI image built by {@link ContainerImage} runs: its layers are unpacked into a directory, which becomes the root
 * (chroot, with the host's /proc and /dev bound in, in a private mount namespace, as a container runtime would) of the image's own entrypoint,
 * environment and numeric user; the demo profile then answers {@code /q/health/live}.
 */
class ContainerImageIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theImageRunsAsItsNonRootUserFromItsOwnLayers() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for chroot and bind mounts");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/chroot")), "/usr/sbin/chroot is missing (Debian coreutils)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "/usr/bin/unshare is missing (Debian util-linux)");
        Path target = Path.of("target").toAbsolutePath();
        Path tar = target.resolve("talos-burst-image.tar");
        ContainerImage.build(target.resolve("quarkus-app"), tar, "talos-burst:test");

        Path unpacked = target.resolve("image-unpacked");
        assertThat(Files.readString(Path.of("/proc/self/mountinfo")))
                .as("a mount under %s (never delete through it: it could be the host's /dev)", unpacked)
                .doesNotContain(" " + unpacked + "/");
        ContainerImage.deleteRecursively(unpacked);
        Path layout = Files.createDirectories(unpacked.resolve("layout"));
        Path rootfs = Files.createDirectories(unpacked.resolve("rootfs"));
        run("tar", "-xf", tar.toString(), "-C", layout.toString());
        JsonNode manifest = manifest(layout);
        JsonNode config = JSON.readTree(
                        blob(layout, manifest.at("/config/digest").asText()).toFile())
                .get("config");
        assertThat(config.get("User").asText()).isEqualTo(ContainerImage.USER + ":" + ContainerImage.USER);
        for (JsonNode layer : manifest.get("layers")) {
            run("tar", "-xzf", blob(layout, layer.get("digest").asText()).toString(), "-C", rootfs.toString());
        }
        assertThat(rootfs.resolve("app/quarkus-run.jar")).isRegularFile();

        // In a private mount namespace of its own: the bind mounts of /proc and /dev exist only for this process and
        // vanish with it, so nothing on the host is ever mounted under target/ (where a later delete would follow
        // them).
        List<String> command = new ArrayList<>(List.of(
                "/usr/bin/unshare",
                "--mount",
                "--propagation",
                "private",
                "/bin/sh",
                "-c",
                "/bin/mount --bind /proc \"$1/proc\" && /bin/mount --bind /dev \"$1/dev\" && shift && exec \"$@\"",
                "sh",
                rootfs.toString(),
                "/usr/sbin/chroot",
                "--userspec=" + config.get("User").asText(),
                rootfs.toString()));
        config.get("Entrypoint").forEach(e -> command.add(e.asText()));
        int grpcPort = PackagedApp.freePort();
        int managementPort = PackagedApp.freePort();
        // the demo, on loopback: JAVA_TOOL_OPTIONS is how an operator adds options without changing the entrypoint
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(target.resolve("image-run.log").toFile());
        builder.environment().clear();
        config.get("Env")
                .forEach(e -> builder.environment()
                        .put(e.asText().split("=", 2)[0], e.asText().split("=", 2)[1]));
        builder.environment()
                .put(
                        "JAVA_TOOL_OPTIONS",
                        "-Dquarkus.profile=demo -Dtalosburst.grpc.port=" + grpcPort + " -Dtalosburst.management.port="
                                + managementPort);
        Process app = builder.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> live = await().atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptions()
                    .until(
                            () -> {
                                assertThat(app.isAlive())
                                        .as("the image's process exited; see target/image-run.log")
                                        .isTrue();
                                return http.send(
                                        HttpRequest.newBuilder(URI.create(
                                                        "http://127.0.0.1:" + managementPort + "/q/health/live"))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString());
                            },
                            r -> r.statusCode() == 200);
            assertThat(live.body()).contains("\"status\": \"UP\"");
            String status = Files.readString(Path.of("/proc", Long.toString(app.pid()), "status"));
            assertThat(status).containsPattern("(?m)^Uid:\\s+" + ContainerImage.USER + "\\s");
        } finally {
            app.destroy();
            if (!app.waitFor(20, TimeUnit.SECONDS)) {
                app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The image manifest of an OCI layout ({@code index.json}) or a docker-archive ({@code manifest.json}). */
    private static JsonNode manifest(Path layout) throws IOException {
        if (Files.exists(layout.resolve("index.json"))) {
            JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
            return JSON.readTree(
                    blob(layout, index.at("/manifests/0/digest").asText()).toFile());
        }
        throw new AssertionError("no index.json in the image tarball: " + layout);
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs").resolve(digest.replace(':', '/'));
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
    }
}
