package dev.talosburst.demo;

import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;

/** An in-process single-node Kafka broker (KRaft) on 127.0.0.1 for the demo's lifecycle events. */
public final class DemoKafka implements AutoCloseable {

    private final EmbeddedKafkaBroker broker;
    private final int port;

    private DemoKafka(EmbeddedKafkaBroker broker, int port) {
        this.broker = broker;
        this.port = port;
    }

    /** Starts a broker keeping its log under {@code logDir}. */
    public static DemoKafka start(Path logDir) {
        int port = freePort();
        // Kafka's storage formatter prints to System.out; the timeline owns the console
        PrintStream console = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            return new DemoKafka(start(logDir, port), port);
        } finally {
            System.setOut(console);
        }
    }

    private static EmbeddedKafkaBroker start(Path logDir, int port) {
        return new EmbeddedKafkaBroker()
                .withKafkaHost("127.0.0.1")
                .withKafkaPort(port)
                .withControllerPort(freePort())
                .withDeleteLogDirsOnClose(true)
                .withAdditionalProperties(p -> {
                    p.put("log.dirs", logDir.toString());
                    p.put("group.initial.rebalance.delay.ms", "0");
                    p.put("offsets.topic.replication.factor", "1");
                    p.put("transaction.state.log.replication.factor", "1");
                })
                .start();
    }

    /** {@code 127.0.0.1:<port>}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        broker.close();
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
