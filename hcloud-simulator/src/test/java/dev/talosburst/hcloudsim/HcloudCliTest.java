package dev.talosburst.hcloudsim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.hcloudsim.contract.OpenApiContract;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real {@code hcloud} CLI (Debian package {@code hcloud-cli}, 1.30) against the simulator. The CLI predates
 * the 2026 API changes; what it cannot show any more (datacenter-derived columns) is asserted as such and written
 * down in README.md.
 */
class HcloudCliTest {

    private static String hcloud;

    @TempDir
    Path tmp;

    private HcloudSimulator sim;

    @BeforeAll
    static void findOrInstallCli() throws Exception {
        hcloud = onPath("hcloud").orElse(null);
        if (hcloud == null) {
            boolean root =
                    run(List.of("id", "-u"), Map.of(), 10).output().trim().equals("0");
            Assumptions.assumeTrue(
                    root && onPath("apt-get").isPresent(),
                    "hcloud CLI not installed and cannot install it (needs root and apt-get): skipping hcloud CLI test");
            Result install = run(
                    List.of("apt-get", "install", "-y", "--no-install-recommends", "hcloud-cli"),
                    Map.of("DEBIAN_FRONTEND", "noninteractive"),
                    300);
            if (install.exit() != 0) {
                // a fresh machine has no package lists yet
                run(List.of("apt-get", "update"), Map.of("DEBIAN_FRONTEND", "noninteractive"), 300);
                install = run(
                        List.of("apt-get", "install", "-y", "--no-install-recommends", "hcloud-cli"),
                        Map.of("DEBIAN_FRONTEND", "noninteractive"),
                        300);
            }
            Assumptions.assumeTrue(
                    install.exit() == 0,
                    "apt-get install hcloud-cli failed, skipping hcloud CLI test:\n" + install.output());
            hcloud = onPath("hcloud").orElse(null);
            Assumptions.assumeTrue(hcloud != null, "hcloud-cli installed but no hcloud binary on PATH");
        }
    }

    @BeforeEach
    void start() {
        // The CLI polls actions in real time, so this test runs on the system clock with short transitions.
        sim = HcloudSimulator.start(SimulatorOptions.builder()
                .initializing(Duration.ofMillis(300))
                .starting(Duration.ofMillis(300))
                .deleting(Duration.ofMillis(300))
                .recordExchanges(true)
                .build());
    }

    @AfterEach
    void stop() {
        try {
            checkContract();
        } finally {
            sim.close();
        }
    }

    @Test
    void createListAndDeleteAServerWithUserData() throws Exception {
        Path userData = tmp.resolve("worker.yaml");
        String config = "version: v1alpha1\nmachine:\n  type: worker\n  token: cli-test-secret\n";
        Files.writeString(userData, config);
        new ApiClient(sim).createServer("unlabelled", null);

        Result created = cli(
                "server",
                "create",
                "--name",
                "cli-w1",
                "--type",
                "cx22",
                "--location",
                "hel1",
                "--image",
                "300000003",
                "--user-data-from-file",
                userData.toString(),
                "--label",
                "pool=cli");

        assertThat(created.exit()).as(created.output()).isZero();
        ServerSnapshot server = sim.inspect().serverNamed("cli-w1").orElseThrow();
        assertThat(created.output())
                .contains("Server " + server.id() + " created")
                .contains("IPv4: " + server.publicIpv4());
        assertThat(server.location()).isEqualTo("hel1");
        assertThat(server.serverType()).isEqualTo("cx22");
        assertThat(server.imageId()).isEqualTo(300000003L);
        assertThat(server.labels()).containsEntry("pool", "cli");
        assertThat(server.userData()).isEqualTo(config);
        assertThat(server.status()).as("the CLI waited for start_server").isEqualTo("running");

        Result listed = cli("server", "list", "-l", "pool=cli");
        assertThat(listed.exit()).as(listed.output()).isZero();
        assertThat(listed.output()).contains("cli-w1").contains("running").doesNotContain("unlabelled");
        assertThat(sim.inspect().requests())
                .anySatisfy(r -> assertThat(r.query()).contains("label_selector=pool%3Dcli"));

        Result deleted = cli("server", "delete", "cli-w1");
        assertThat(deleted.exit()).as(deleted.output()).isZero();
        assertThat(deleted.output()).contains("Server cli-w1 deleted");
        assertThat(sim.inspect().serverNamed("cli-w1"))
                .hasValueSatisfying(s -> assertThat(s.status()).isEqualTo("deleting"));
    }

    @Test
    void listsServerTypesAndTalosSnapshots() throws Exception {
        Result types = cli("server-type", "list");
        assertThat(types.exit()).as(types.output()).isZero();
        assertThat(types.output())
                .contains("cx22")
                .contains("cax11")
                .contains("ccx13")
                .contains("dedicated");

        Result images = cli("image", "list", "--type", "snapshot");
        assertThat(images.exit()).as(images.output()).isZero();
        assertThat(images.output())
                .contains("talos v1.11.6 amd64")
                .contains("talos v1.11.5 arm64")
                .doesNotContain("ubuntu");
    }

    @Test
    void datacenterDerivedOutputIsEmptyAndDatacenterListFailsOn2026Api() throws Exception {
        new ApiClient(sim).createServer("w1", null);

        Result columns = cli("server", "list", "-o", "columns=name,location");
        assertThat(columns.exit()).as(columns.output()).isZero();
        assertThat(columns.output()).contains("w1").doesNotContain("fsn1"); // hcloud 1.30 reads location via datacenter

        Result datacenters = cli("datacenter", "list");
        assertThat(datacenters.exit()).isNotZero();
        assertThat(datacenters.output()).contains("deprecated_api_endpoint");
    }

    private void checkContract() {
        Optional<Path> spec = OpenApiContract.sharedSpec();
        if (spec.isEmpty()) {
            System.err.println(
                    "contract check of hcloud CLI traffic skipped: " + OpenApiContract.sharedSpecLocationHint());
            return;
        }
        OpenApiContract contract = OpenApiContract.load(spec.get());
        List<String> problems = new ArrayList<>();
        for (RecordedExchange e : sim.inspect().exchanges()) {
            if (e.path().startsWith("/v1/datacenters")) {
                continue; // the spec still describes the endpoint the API removed on 2026-10-01
            }
            contract.validate(e).forEach(v -> problems.add(e + ": " + v));
        }
        assertThat(problems)
                .as("requests of the real hcloud CLI and the simulator's answers against the spec")
                .isEmpty();
    }

    private Result cli(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(hcloud);
        command.addAll(List.of(args));
        return run(
                command,
                Map.of(
                        "HCLOUD_ENDPOINT",
                        sim.endpoint().toString(),
                        "HCLOUD_TOKEN",
                        sim.token(),
                        "HCLOUD_CONFIG",
                        tmp.resolve("cli.toml").toString(),
                        "HOME",
                        tmp.toString()),
                60);
    }

    private record Result(int exit, String output) {}

    private static Result run(List<String> command, Map<String, String> env, int timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        // Drain output concurrently so a chatty process never blocks on a full pipe.
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getInputStream().readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command.get(0) + " did not finish within " + timeoutSeconds + " s");
        }
        return new Result(p.exitValue(), new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8));
    }

    private static Optional<String> onPath(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, binary);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate.toString());
            }
        }
        return Optional.empty();
    }
}
