package dev.talosburst.events.testing;

import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An in-process KRaft broker on 127.0.0.1 with fixed ports and a persistent log directory, so it can be
 * stopped and started again as "the same" broker (an outage), keeping its topics and records.
 *
 * <p>Test classes share one per class with {@code @RegisterExtension static final TestBroker broker = new TestBroker();}:
 * started before the first test, stopped and its log directory removed after the last.
 */
public final class TestBroker implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    /** Strong references: java.util.logging forgets levels of loggers that are garbage collected. */
    private static final java.util.List<java.util.logging.Logger> QUIET = java.util.List.of(
            java.util.logging.Logger.getLogger("org.apache.kafka"),
            java.util.logging.Logger.getLogger("kafka"),
            java.util.logging.Logger.getLogger("state.change.logger"),
            java.util.logging.Logger.getLogger("io.smallrye.reactive.messaging.kafka"));

    private static final java.util.logging.Logger NETWORK =
            java.util.logging.Logger.getLogger("org.apache.kafka.clients.NetworkClient");

    static {
        QUIET.forEach(l -> l.setLevel(java.util.logging.Level.WARNING));
        // The clients log every refused connection while a test stops the broker on purpose.
        NETWORK.setLevel(java.util.logging.Level.SEVERE);
    }

    private final int kafkaPort;
    private final int controllerPort;
    private final String clusterId;
    private final Path logDir;
    private EmbeddedKafkaBroker broker;

    public TestBroker() {
        this(freePorts(2), Uuid.randomUuid().toString(), tempDir());
    }

    private TestBroker(int[] ports, String clusterId, Path logDir) {
        this(ports[0], ports[1], clusterId, logDir);
    }

    /** "The same" broker as another one with these ports, cluster id and log directory (e.g. in a child process). */
    public TestBroker(int kafkaPort, int controllerPort, String clusterId, Path logDir) {
        this.kafkaPort = kafkaPort;
        this.controllerPort = controllerPort;
        this.clusterId = clusterId;
        this.logDir = logDir;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("talos-burst-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public TestBroker start() {
        long t = System.nanoTime();
        broker = new EmbeddedKafkaBroker()
                .withKafkaHost("127.0.0.1")
                .withKafkaPort(kafkaPort)
                .withControllerPort(controllerPort)
                .withClusterId(clusterId)
                .withDeleteLogDirsOnClose(false)
                .withAdditionalProperties(p -> {
                    p.put("log.dirs", logDir.toString());
                    p.put("auto.create.topics.enable", "false");
                    p.put("group.initial.rebalance.delay.ms", "0");
                    // A restarted broker re-registers quickly instead of waiting out the old session.
                    p.put("broker.heartbeat.interval.ms", "500");
                    p.put("broker.session.timeout.ms", "1500");
                })
                .start();
        System.out.printf(
                "test broker on %s started in %d ms%n", bootstrapServers(), (System.nanoTime() - t) / 1_000_000);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    public void stop() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    /**
     * Creates a compacted state topic that refuses every record (each is larger than it accepts), the way a missing Write
     * ACL would: a process's state records and checkpoints never land there.
     */
    public void createStateTopicRefusingRecords(String stateTopic, int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(stateTopic, partitions, (short) 1)
                            .configs(Map.of(
                                    TopicConfig.CLEANUP_POLICY_CONFIG,
                                    TopicConfig.CLEANUP_POLICY_COMPACT,
                                    TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                                    "100"))))
                    .all()
                    .get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create " + stateTopic, e);
        }
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(logDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp directory is harmless
        }
    }

    /**
     * {@code n} distinct free ports. Asked one at a time, the OS may give the same port twice (each socket is closed before
     * the next is opened): a broker's listener and controller on one port fail to start.
     */
    public static int[] freePorts(int n) {
        ServerSocket[] sockets = new ServerSocket[n];
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    if (socket != null) {
                        socket.close();
                    }
                } catch (IOException ignored) {
                    // closing a listening socket nobody connected to
                }
            }
        }
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
