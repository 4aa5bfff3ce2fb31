package dev.talosburst.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One child process with its own log file; stopped politely, then with SIGKILL, by {@link #close()}. */
public final class ManagedProcess implements AutoCloseable {

    private final String name;
    private final Path log;
    private final List<String> command;
    private final Map<String, String> environment;
    private Process process;

    private ManagedProcess(String name, Path log, List<String> command, Map<String, String> environment) {
        this.name = name;
        this.log = log;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
    }

    /** Starts {@code command}, stdout and stderr appended to {@code <logDir>/<name>.log}. */
    public static ManagedProcess start(
            String name, Path logDir, List<String> command, Map<String, String> environment) {
        ManagedProcess p = new ManagedProcess(name, logDir.resolve(name + ".log"), command, environment);
        p.start();
        return p;
    }

    /** (Re)starts the same command, appending to the same log. */
    public synchronized void start() {
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(
                    log,
                    "\n===== start " + java.time.Instant.now() + ": " + String.join(" ", command) + "\n",
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().putAll(environment);
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command.get(0), e);
        }
    }

    /** The process' log file. */
    public Path log() {
        return log;
    }

    /** Whether it still runs. */
    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Its pid. */
    public synchronized long pid() {
        return process.pid();
    }

    /** Fails with the log's tail when the process has exited. */
    public void requireAlive() {
        if (!isAlive()) {
            throw new IllegalStateException(
                    name + " exited (" + process.exitValue() + "); log " + log + ":\n" + tail(40));
        }
    }

    /** The last {@code lines} lines of the log. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** SIGKILL, no shutdown hooks (a crash). */
    public synchronized void kill9() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** SIGTERM, then SIGKILL after a grace period; also kills children it left. */
    @Override
    public synchronized void close() {
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public String toString() {
        return name + (process == null ? "" : "[pid " + process.pid() + "]");
    }

    /** A free TCP port on 127.0.0.1. */
    public static int freePort() {
        // Never the same port twice in this JVM: a port is only taken once its process binds it, so the kernel may hand
        // a port chosen a moment ago (kube-apiserver's) out again for the next one (etcd's), and one of them fails.
        for (int attempt = 0; ; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                int port = s.getLocalPort();
                if (HANDED_OUT.add(port) || attempt >= 100) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();
}
