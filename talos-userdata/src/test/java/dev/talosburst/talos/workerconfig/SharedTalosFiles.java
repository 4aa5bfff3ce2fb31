package dev.talosburst.talos.workerconfig;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Locates the shared (third-party, never copied) Talos fixtures and schemas; skips tests when absent. */
final class SharedTalosFiles {

    private SharedTalosFiles() {}

    static Path sharedDir() {
        String dir = System.getProperty("talos-burst.shared-dir");
        assumeTrue(dir != null, "system property talos-burst.shared-dir is not set; run through Maven surefire");
        Path path = Path.of(dir);
        assumeTrue(Files.isDirectory(path), "shared directory " + path.toAbsolutePath() + " is missing");
        return path;
    }

    static Path fixtures() {
        Path dir = sharedDir().resolve("fixtures/talos");
        assumeTrue(Files.isDirectory(dir), "Talos fixtures " + dir.toAbsolutePath() + " are missing");
        return dir;
    }

    static Path schemas() {
        Path dir = sharedDir().resolve("contracts/talos-schema");
        assumeTrue(Files.isDirectory(dir), "Talos schemas " + dir.toAbsolutePath() + " are missing");
        return dir;
    }

    /** Every worker config fixture ({@code v1.N-<variant>-worker.yaml}). */
    static List<Path> workerConfigs() {
        try (Stream<Path> files = Files.list(fixtures())) {
            List<Path> configs = files.filter(f -> f.getFileName().toString().endsWith("-worker.yaml"))
                    .sorted()
                    .toList();
            assumeTrue(!configs.isEmpty(), "no *-worker.yaml in " + fixtures().toAbsolutePath());
            return configs;
        } catch (IOException e) {
            throw new AssertionError("cannot list " + fixtures(), e);
        }
    }

    /** The Talos version in a fixture's file name, e.g. 1.13 for {@code v1.13-base-worker.yaml}. */
    static TalosVersion versionOf(Path fixture) {
        String name = fixture.getFileName().toString();
        return TalosVersion.parse(name.substring(0, name.indexOf('-')));
    }
}
