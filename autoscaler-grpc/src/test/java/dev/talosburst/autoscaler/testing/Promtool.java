package dev.talosburst.autoscaler.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The Prometheus tools (Debian package {@code prometheus}: {@code promtool}, {@code prometheus}) found on the PATH;
 * tests that need one skip, naming it, when it is absent.
 */
public final class Promtool {

    private Promtool() {}

    /** The binary's path; a JUnit assumption (skip) naming it and its package when it is not installed. */
    public static Path require(String binary) {
        Optional<Path> found = find(binary);
        assumeTrue(
                found.isPresent(),
                binary + " is not on the PATH: install the Debian package 'prometheus'"
                        + " (apt-get install -y --no-install-recommends prometheus) to run this test");
        return found.get();
    }

    static Optional<Path> find(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, binary);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** What a finished command printed (stdout and stderr together) and its exit code. */
    public record Result(int exitCode, String output) {}

    /** Runs {@code promtool args...}, feeding {@code stdin} (may be null), and waits for it. */
    public static Result run(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(require("promtool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (stdin != null) {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("promtool " + args[0] + " did not finish");
        }
        return new Result(process.exitValue(), output);
    }
}
