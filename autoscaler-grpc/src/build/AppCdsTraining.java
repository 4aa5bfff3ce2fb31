import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Build step (run by the JDK's source launcher at {@code package}): writes {@code quarkus-app/app-cds.jsa}, a dynamic
 * AppCDS archive of the classes a real start-up loads, by starting the packaged jar once in the demo profile (embedded
 * simulator, loopback ports) with {@code -XX:ArchiveClassesAtExit} and stopping it once it has started.
 *
 * <p>Quarkus' own {@code quarkus.package.jar.appcds.enabled} stops its training run before the application's beans
 * start; on JDK 17 the archive it writes for this application is mapped but serves none of its classes. Never fails the
 * build: without an archive the jar starts as before ({@code -XX:SharedArchiveFile} naming a missing file is ignored).
 */
public final class AppCdsTraining {

    public static void main(String[] args) throws Exception {
        Path app = Path.of(args[0]).toAbsolutePath();
        Path archive = app.resolve("app-cds.jsa");
        Files.deleteIfExists(archive);
        try {
            train(app, archive);
            System.out.printf("[INFO] AppCDS archive %s (%d MiB): start with java -XX:SharedArchiveFile=%s -jar %s%n", archive,
                    Files.size(archive) >> 20, archive, app.resolve("quarkus-run.jar"));
        } catch (Exception e) {
            Files.deleteIfExists(archive);
            System.out.println("[WARNING] no AppCDS archive (" + e.getMessage() + "); the jar starts without it, only slower");
        }
    }

    private static void train(Path app, Path archive) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-XX:ArchiveClassesAtExit=" + archive, "-Dquarkus.profile=demo",
                "-Dtalosburst.grpc.port=" + freePort(), "-Dtalosburst.management.port=" + freePort(), "-jar",
                app.resolve("quarkus-run.jar").toString()));
        // The JVM (17) records the jar's absolute path: the archive serves this directory, not a copy of it elsewhere (a
        // relative path serves neither). A temporary working directory: no config/application.properties of the caller.
        Path workDir = Files.createTempDirectory("talos-burst-appcds");
        builder.directory(workDir.toFile());
        Process process = builder.redirectErrorStream(true).start();
        try {
            AtomicBoolean seen = new AtomicBoolean();
            CompletableFuture<Boolean> started = CompletableFuture.supplyAsync(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = out.readLine()) != null) {
                        if (System.getenv("APPCDS_DEBUG") != null) {
                            System.out.println(line);
                        }
                        if (!seen.get() && line.contains(" started in ")) {
                            seen.set(true);
                            new Thread(() -> stopSoon(process)).start();
                        }
                    }
                } catch (IOException e) {
                    // the JDK closes the pipe once the process has exited
                }
                return seen.get();
            });
            if (!started.get(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the training start did not reach 'started in' (exit " + process.waitFor() + ")");
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the training start did not stop");
            }
            if (!Files.isRegularFile(archive)) {
                throw new IllegalStateException("the JVM wrote no archive (exit " + process.exitValue() + ")");
            }
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(workDir);
        }
    }

    /** Lets the first background work run (its classes are archived too), then asks for an orderly exit, which writes the archive. */
    private static void stopSoon(Process process) {
        try {
            Thread.sleep(1500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroy();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
