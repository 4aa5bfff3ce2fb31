package dev.talosburst.events.billing;

import dev.talosburst.events.publish.EventPublisherSettings;
import dev.talosburst.events.publish.KafkaEventSink;
import dev.talosburst.events.testing.EngineEvents;
import dev.talosburst.events.testing.TestBroker;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The billing consumer command of events/README.md, run exactly as written there (from the root of the clone, after
 * {@code package} built {@code events/target/lib}), against a real broker and against a port nobody listens on.
 */
class BillingConsumerCommandIT {

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    /** The documented command line: the one starting with {@code java -cp} in events/README.md. */
    private static String documentedCommand() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("events/README.md"));
        return lines.stream().filter(l -> l.startsWith("java -cp ") && l.contains("BillingConsumer")).findFirst()
                .orElseThrow(() -> new AssertionError("events/README.md documents no 'java -cp ... BillingConsumer' command"));
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String commandLine, Duration limit) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", commandLine).directory(ROOT.toFile());
        // the java of this build first on the PATH, as a user's would be
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + java.io.File.pathSeparator
                + System.getenv().getOrDefault("PATH", ""));
        Path out = Files.createTempFile("billing-out", ".txt");
        Path err = Files.createTempFile("billing-err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("'" + commandLine + "' still running after " + limit + "; stderr: " + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void theDocumentedCommandPrintsTheUsageOfARealTopic() throws Exception {
        EngineEvents pool = EngineEvents.cx22Fsn1("a-cx22");
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        List<LifecycleEvent> events = new ArrayList<>(pool.serverUp("a-cx22-1", 1, t));
        events.addAll(pool.serverDown("a-cx22-1", 1, t, Instant.parse("2026-11-20T12:30:40Z")));
        // published by the real sink to the default topic, which is what the documented command reads
        try (KafkaEventSink sink = new KafkaEventSink(EventPublisherSettings.defaults(broker.bootstrapServers())
                .withTopicLayout(1, (short) 1), new SimpleMeterRegistry())) {
            sink.start();
            events.forEach(sink::emit);
            await().atMost(Duration.ofSeconds(60)).until(() -> sink.pending() == 0);
        }

        String command = documentedCommand();
        assertThat(command).contains("--bootstrap kafka:9092", "--once");
        Run run = run(command.replace("kafka:9092", broker.bootstrapServers()), Duration.ofSeconds(90));

        assertThat(run.exit()).as("stderr: " + run.err()).isZero();
        // 10:00:20 to 12:30:40 = 3 started hours of a cx22 at 0.0060 EUR/h net
        assertThat(run.out()).contains("POOL").containsPattern("a-cx22\\s+2026-11-20\\s+EUR\\s+3\\s+0\\.0180");
        assertThat(run.err().lines()).as("stderr: " + run.err()).hasSizeLessThan(5);
    }

    @Test
    void withNoBrokerItFailsInBoundedTimeNamingTheBootstrapServers() throws Exception {
        String dead = "127.0.0.1:" + TestBroker.freePort();
        long start = System.nanoTime();
        Run run = run(documentedCommand().replace("kafka:9092", dead) + " --timeout 5", Duration.ofSeconds(60));

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("billing consumer: cannot reach Kafka at " + dead + " (--bootstrap): no answer within 5 s (--timeout)");
        assertThat(run.err().lines()).as("stderr: " + run.err()).hasSizeLessThan(5);
        assertThat(run.out()).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }
}
