package dev.talosburst.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's demo command for real: {@code java -jar demo/target/talos-burst-demo.jar} from the clone's root, as a
 * process, which starts the packaged talos-burst. Asserts the timeline's key steps, their order per server, the cost
 * table read from the lifecycle events, the exit code, and that everything was stopped and cleaned up.
 */
class BurstDemoIT {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path DEMO_JAR = Path.of(
                    System.getProperty("talosburst.demo.jar", "target/talos-burst-demo.jar"))
            .toAbsolutePath();

    record Run(int exitCode, List<String> lines, String output) {}

    private static Run demo(String... args) throws Exception {
        Path log = Files.createTempFile(Path.of("target"), "demo-run-", ".log");
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", DEMO_JAR.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(110, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("the demo did not end within 110 s; output:\n" + Files.readString(log));
        }
        String output = Files.readString(log);
        return new Run(p.exitValue(), output.lines().toList(), output);
    }

    @Test
    void theDocumentedCommandShowsAWholeBurstAndItsCost() throws Exception {
        assertThat(Files.readString(ROOT.resolve("README.md")))
                .as("the README documents the command this test runs")
                .contains("./mvnw -B install -DskipTests && java -jar demo/target/talos-burst-demo.jar");
        Run run = demo();

        assertThat(run.exitCode()).as(run.output()).isZero();
        String out = run.output();
        assertThat(out)
                .contains("stand-in CA: this is a scripted stand-in for cluster-autoscaler")
                .contains("cheapest: 2 × cx32 in cx32-fsn1")
                .contains("cheapest: 2 × cax11 in cax11-fsn1")
                .contains("stand-in CA: NodeGroupIncreaseSize cx32-fsn1 +2 (target size 0 -> 2)")
                .contains("stand-in CA: NodeGroupIncreaseSize cax11-fsn1 +2 (target size 0 -> 2)")
                .contains("no server left in Hetzner, no Node left in the cluster")
                .doesNotContain("removed by the simulated kubelet")
                .doesNotContain("DEMO FAILED")
                .doesNotContain("SLF4J")
                .doesNotContain("Exception");

        List<String> servers = run.lines().stream()
                .map(l -> match(l, "\\] server (\\S+) created \\(hcloud://\\d+"))
                .filter(s -> s != null)
                .toList();
        assertThat(servers).hasSize(4);
        assertThat(servers).filteredOn(s -> s.startsWith("cx32-fsn1-")).hasSize(2);
        assertThat(servers).filteredOn(s -> s.startsWith("cax11-fsn1-")).hasSize(2);
        for (String server : servers) {
            String pool = server.substring(0, server.lastIndexOf('-'));
            int created = index(run, "] server " + server + " created (hcloud://");
            int running = index(run, "] server " + server + " running");
            int registered = index(run, "] Node " + server + " registered by its kubelet (labels from its user-data)");
            int providerId = index(run, "] Node " + server + " providerID set to hcloud://");
            int ready = index(run, "] Node " + server + " Ready");
            int allReady = index(run, "stand-in CA: all 4 new nodes Ready with providerIDs");
            int deleteNodes = index(run, "stand-in CA: NodeGroupDeleteNodes " + pool + " [");
            int nodeDeleted = index(run, "] Node " + server + " deleted by talos-burst");
            int gone = index(run, "] server " + server + " deleted (gone from Hetzner)");
            assertThat(List.of(created, running, registered, ready, allReady, deleteNodes, nodeDeleted))
                    .as(server)
                    .isSorted();
            assertThat(providerId).as(server).isBetween(registered, allReady);
            assertThat(gone).as(server).isGreaterThan(deleteNodes);
            assertThat(run.lines().get(deleteNodes)).contains(server);
        }

        assertThat(out)
                .contains(
                        "(scale-up-requested 2, server-create-requested 4, server-created 4, node-registered 4, node-ready 4, "
                                + "scale-down-requested 2, server-deleted 4, node-removed 4)");
        assertThat(out)
                .containsPattern("\\ncax11-fsn1\\s+2\\s+2\\s+€0\\.0124\\s+€0\\.0148\\n")
                .containsPattern("\\ncx32-fsn1\\s+2\\s+2\\s+€0\\.0218\\s+€0\\.0259\\n")
                .containsPattern("\\ntotal\\s+4\\s+4\\s+€0\\.0342\\s+€0\\.0407\\n")
                .contains("talos-burst bought 4 servers");

        // everything stopped and cleaned up: talos-burst's port is closed, its work directory is gone
        int grpcPort = Integer.parseInt(match(out, "gRPC 127\\.0\\.0\\.1:(\\d+), plaintext"));
        assertThat(listening(grpcPort))
                .as("talos-burst still listens on " + grpcPort)
                .isFalse();
        Path workDir = Path.of(match(out, "; log (\\S+)/talos-burst\\.log\\)"));
        assertThat(workDir).doesNotExist();
    }

    @Test
    void ctrlCStopsTalosBurstAndEverythingElse() throws Exception {
        Path log = Files.createTempFile(Path.of("target"), "demo-interrupted-", ".log");
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", DEMO_JAR.toString())
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(log).contains("setting up: talos-burst starting")
                    && p.isAlive()
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(Files.readString(log))
                    .as("talos-burst was started")
                    .contains("setting up: talos-burst starting");
            List<ProcessHandle> children = p.descendants().toList();
            assertThat(children).as("talos-burst runs as a child process").isNotEmpty();

            p.destroy(); // SIGTERM; Ctrl-C (SIGINT) runs the same shutdown hooks

            assertThat(p.waitFor(40, TimeUnit.SECONDS))
                    .as("the demo ends after SIGTERM")
                    .isTrue();
            assertThat(children).as("talos-burst stopped with the demo").noneMatch(ProcessHandle::isAlive);
            String after = Files.readString(log);
            assertThat(after).contains("kept ");
            deleteTree(Path.of(match(after, "kept (\\S+) \\(talos-burst's config")));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aMissingTalosBurstJarIsNamedWithTheFix() throws Exception {
        Run run = demo("--talos-burst-jar", "/nonexistent/quarkus-run.jar");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.output())
                .contains("DEMO FAILED: talos-burst is not built: /nonexistent/quarkus-run.jar does not exist. "
                        + "Run ./mvnw -B install -DskipTests first, or pass --talos-burst-jar PATH/quarkus-run.jar.");
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        }
    }

    private static int index(Run run, String fragment) {
        for (int i = 0; i < run.lines().size(); i++) {
            if (run.lines().get(i).contains(fragment)) {
                return i;
            }
        }
        throw new AssertionError("no line contains '" + fragment + "' in:\n" + run.output());
    }

    private static String match(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(1) : null;
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
