package dev.talosburst.autoscaler.testing;

import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged application ({@code target/quarkus-app/quarkus-run.jar}) started as an operator starts it: {@code java},
 * {@code -D} options, environment variables and a working directory, its output kept under {@code target/} for failures.
 */
public final class PackagedApp implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final List<ManagedChannel> channels = new ArrayList<>();

    private PackagedApp(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** How to start it. */
    public static Builder named(String name) {
        return new Builder(name);
    }

    /** A plaintext gRPC channel to {@code 127.0.0.1:port}, shut down by {@link #close()}. */
    public synchronized ManagedChannel plaintextChannel(int port) {
        ManagedChannel channel =
                NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        channels.add(channel);
        return channel;
    }

    /** Everything it printed so far. */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where its output is kept. */
    public Path log() {
        return log;
    }

    /** Whether the process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to end on its own (a refused start-up) and returns its exit code. */
    public int exitCode(Duration within) throws InterruptedException {
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + within + "; see " + log);
        }
        return process.exitValue();
    }

    /** Waits until something accepts connections on 127.0.0.1:{@code port}, failing early when the process died. */
    public PackagedApp awaitPort(int port) {
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("the application exited (" + process.exitValue() + "):\n" + output());
                    }
                    try (Socket socket = new Socket("127.0.0.1", port)) {
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                });
        return this;
    }

    /** Kills the process with SIGKILL (no shutdown hook runs, nothing is flushed) and returns its exit code. */
    public int kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("not dead 30 s after SIGKILL; see " + log);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        synchronized (this) {
            for (ManagedChannel channel : channels) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A free TCP port on loopback. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The local addresses a process on this machine listens on at {@code port}, from {@code /proc/net/tcp} and
     * {@code /proc/net/tcp6}: {@code 0.0.0.0} for every interface (IPv4 or dual-stack), else the dotted IPv4 address
     * ({@code 127.0.0.1}, also when IPv4-mapped); empty when nothing listens there.
     */
    public static List<String> listeningAddresses(int port) throws IOException {
        List<String> addresses = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] columns = line.trim().split("\\s+");
                if (columns.length < 4 || !columns[3].equals("0A")) {
                    continue; // header, or not LISTEN
                }
                String[] local = columns[1].split(":");
                if (Integer.parseInt(local[1], 16) == port) {
                    addresses.add(address(HexFormat.of().parseHex(local[0])));
                }
            }
        }
        return addresses;
    }

    /** /proc/net prints each 32-bit word of the address in host (little-endian) order. */
    private static String address(byte[] raw) {
        byte[] bytes = new byte[raw.length];
        for (int word = 0; word < raw.length; word += 4) {
            for (int i = 0; i < 4; i++) {
                bytes[word + i] = raw[word + 3 - i];
            }
        }
        boolean any = true;
        for (byte b : bytes) {
            any &= b == 0;
        }
        if (any) {
            return "0.0.0.0";
        }
        int v4 = bytes.length - 4; // an IPv4 address, or the last word of an IPv4-mapped IPv6 one
        if (bytes.length == 4 || (bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff)) {
            return (bytes[v4] & 0xff) + "." + (bytes[v4 + 1] & 0xff) + "." + (bytes[v4 + 2] & 0xff) + "."
                    + (bytes[v4 + 3] & 0xff);
        }
        return HexFormat.of().formatHex(bytes);
    }

    /** Options for one start. */
    public static final class Builder {
        private final String name;
        private final List<String> systemProperties = new ArrayList<>();
        private final List<String> jvmOptions = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path workingDirectory;

        private Builder(String name) {
            this.name = name;
        }

        /** A {@code -Dkey=value} option. */
        public Builder systemProperty(String key, Object value) {
            systemProperties.add("-D" + key + "=" + value);
            return this;
        }

        /** A JVM option such as {@code -XX:SharedArchiveFile=...}, before the {@code -D} options. */
        public Builder jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        /** An environment variable. */
        public Builder env(String key, Object value) {
            environment.put(key, String.valueOf(value));
            return this;
        }

        /** The directory it starts in (where {@code config/application.properties} is looked up). */
        public Builder workingDirectory(Path directory) {
            this.workingDirectory = directory;
            return this;
        }

        /** Starts {@code java [JVM options] [-D...] -jar quarkus-run.jar}. */
        public PackagedApp start() throws IOException {
            Path jar = Path.of(System.getProperty("talosburst.app.jar", "target/quarkus-app/quarkus-run.jar"))
                    .toAbsolutePath();
            Path log = Path.of("target", "packaged-runs", name + ".log").toAbsolutePath();
            Files.createDirectories(log.getParent());
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(jvmOptions);
            command.addAll(systemProperties);
            command.addAll(List.of("-jar", jar.toString()));
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().keySet().removeIf(k -> k.startsWith("TALOSBURST_") || k.startsWith("QUARKUS_"));
            builder.environment().putAll(environment);
            if (workingDirectory != null) {
                builder.directory(workingDirectory.toFile());
            }
            return new PackagedApp(builder.start(), log);
        }
    }
}
