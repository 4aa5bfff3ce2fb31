package dev.talosburst.benchmarks;

import dev.talosburst.events.testing.TestBroker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;

/**
 * The events module's {@link TestBroker} in a JVM of its own (a child {@code java} process with the benchmark's
 * classpath), as production runs Kafka on another machine: its GC pauses and threads do not stop the measured
 * threads' JVM. {@link #stop()} ends the process, {@link #start()} starts a new one as "the same" broker (ports, cluster
 * id, log directory), so a restart keeps topics and records.
 */
final class BrokerProcess implements AutoCloseable {

    private static final String READY = "broker ready";

    private final int[] ports = TestBroker.freePorts(2);
    private final int kafkaPort = ports[0];
    private final int controllerPort = ports[1];
    private final String clusterId = Uuid.randomUuid().toString();
    private final Path logDir;
    private final Path log;
    private Process process;
    /** {@code -Dbench.events.broker=in-process}: the broker in the benchmark's JVM (as before), for comparison. */
    private final TestBroker inProcess;

    BrokerProcess(Path dir) throws IOException {
        this.logDir = Files.createDirectories(dir.resolve("kafka"));
        this.log = dir.resolve("broker.log");
        this.inProcess = "in-process".equals(System.getProperty("bench.events.broker"))
                ? new TestBroker(kafkaPort, controllerPort, clusterId, logDir)
                : null;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    /** Starts the child process and waits until its broker listens. */
    BrokerProcess start() throws IOException {
        if (inProcess != null) {
            inProcess.start();
            return this;
        }
        long t = System.nanoTime();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(List.of(
                        java,
                        "-Xmx512m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        BrokerProcess.class.getName(),
                        Integer.toString(kafkaPort),
                        Integer.toString(controllerPort),
                        clusterId,
                        logDir.toString()))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.equals(READY)) {
                System.out.printf(
                        "broker (own JVM, pid %d) on %s started in %d ms%n",
                        process.pid(), bootstrapServers(), (System.nanoTime() - t) / 1_000_000);
                Thread drain = new Thread(() -> drain(out), "broker-stdout");
                drain.setDaemon(true);
                drain.start();
                return this;
            }
        }
        throw new IOException("the broker process ended before it was ready; see " + log);
    }

    /** Stops the broker and ends its process (its standard input closed; killed if it does not end in 30 s). */
    void stop() throws InterruptedException {
        if (inProcess != null) {
            inProcess.stop();
            return;
        }
        if (process == null) {
            return;
        }
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already gone
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                // the broker's own output: not part of the benchmark's
            }
        } catch (IOException ignored) {
            // process ended
        }
    }

    /** Child process: {@code <kafka port> <controller port> <cluster id> <log dir>}; runs until standard input ends. */
    public static void main(String[] args) throws IOException {
        TestBroker broker =
                new TestBroker(Integer.parseInt(args[0]), Integer.parseInt(args[1]), args[2], Path.of(args[3])).start();
        System.out.println(READY);
        System.out.flush();
        while (System.in.read() != -1) {
            // wait for the parent to close our input
        }
        broker.stop();
        System.exit(0); // the broker's non-daemon threads
    }
}
