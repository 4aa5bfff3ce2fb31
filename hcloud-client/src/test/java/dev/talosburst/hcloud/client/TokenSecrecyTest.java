package dev.talosburst.hcloud.client;

import static dev.talosburst.hcloud.client.SimulatedProject.ours;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.talosburst.provisioner.cloud.CloudApiException;
import dev.talosburst.provisioner.cloud.ServerQuery;
import dev.talosburst.provisioner.cloud.ServerSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The token (and the worker config sent as user-data) never leaves memory except toward Hetzner: a failing run at TRACE
 * level (5xx retries, an open breaker, lost responses, 401, 422, a timeout) leaves no trace of them in logs, exception
 * messages, metric tags or toString().
 */
class TokenSecrecyTest {

    private final List<String> logLines = Collections.synchronizedList(new ArrayList<>());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            // The simulator's own logging is not this client's output.
            if (record.getLoggerName() != null && record.getLoggerName().startsWith("dev.talosburst.hcloudsim")) {
                return;
            }
            String message = record instanceof ExtLogRecord ext
                    ? ext.getFormattedMessage()
                    : new java.util.logging.SimpleFormatter().formatMessage(record);
            logLines.add(
                    record.getLevel() + " " + record.getLoggerName() + " " + message + stackTrace(record.getThrown()));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private final Logger root = Logger.getLogger("");
    private Level rootLevel;

    @BeforeEach
    void captureEverything() {
        rootLevel = root.getLevel();
        capture.setLevel(Level.ALL);
        root.addHandler(capture);
        root.setLevel(Level.ALL);
        Logger.getLogger("dev.talosburst").setLevel(Level.ALL);
        Logger.getLogger("io.github.resilience4j").setLevel(Level.ALL);
    }

    @AfterEach
    void restore() {
        root.removeHandler(capture);
        root.setLevel(rootLevel);
        Logger.getLogger("dev.talosburst").setLevel(null);
        Logger.getLogger("io.github.resilience4j").setLevel(null);
    }

    @Test
    void a_failing_run_at_trace_level_leaks_neither_token_nor_user_data() {
        String workerSecret = "cluster:\n  secret: JOIN-SECRET-" + "x".repeat(40) + "\n";
        String wrongToken = "WrongTokenThatMustNotLeak" + "y".repeat(39);
        List<Object> seen = new ArrayList<>();
        try (SimulatedProject project = new SimulatedProject(b -> b.instantTransitions())) {
            String token = project.sim.token();
            HcloudClient client = project.client();
            seen.add(client);
            seen.add(project.settings(s -> s));

            // 5xx retried until it works
            project.sim.faults().failNext("GET", "/servers", 3, 503, "unavailable", "service unavailable");
            assertThat(client.servers(ServerQuery.byLabels("a=b"))).isEmpty();

            // a lost create response, the retry and the adoption, with the secret user-data (a fresh client: the 503s
            // above
            // and the lost answer together would rightly open the first client's breaker)
            HcloudClient creator = project.client();
            seen.add(creator);
            project.sim.faults().loseResponses("POST", "/servers", 1);
            ServerSpec spec = new ServerSpec(
                    "secret-1",
                    project.serverType,
                    project.location,
                    project.image,
                    workerSecret,
                    ours("a"),
                    List.of(),
                    List.of(),
                    null,
                    true,
                    true,
                    true);
            seen.add(spec);
            assertThat(creator.createServer(spec).adopted()).isTrue();
            assertThat(project.sim
                            .inspect()
                            .userData(project.sim
                                    .inspect()
                                    .serverNamed("secret-1")
                                    .orElseThrow()
                                    .id()))
                    .as("the secret did reach Hetzner")
                    .contains(workerSecret);

            // invalid input echoing user_data (too long)
            ServerSpec tooLong = new ServerSpec(
                    "secret-2",
                    project.serverType,
                    project.location,
                    project.image,
                    workerSecret.repeat(1000),
                    ours("a"),
                    List.of(),
                    List.of(),
                    null,
                    true,
                    true,
                    true);
            seen.add(catchThrowableOfType(CloudApiException.class, () -> creator.createServer(tooLong)));

            // the breaker opens on repeated 503s and then fails fast
            HcloudClient impatient =
                    project.client(s -> s.withRetries(0, Duration.ofSeconds(1), Duration.ofSeconds(1)));
            project.sim.faults().failNext("GET", "/locations", 5, 503, "unavailable", "service unavailable");
            for (int i = 0; i < 6; i++) {
                seen.add(catchThrowableOfType(CloudApiException.class, impatient::locations));
            }
            assertThat(seen)
                    .last()
                    .extracting(o -> ((CloudApiException) o).code())
                    .isEqualTo("circuit_open");

            // a timeout
            HcloudClient hasty = project.client(s -> s.withRetries(0, Duration.ofSeconds(1), Duration.ofSeconds(1))
                    .withRequestTimeout(Duration.ofMillis(200)));
            project.sim.faults().latency(Duration.ofMillis(800));
            seen.add(catchThrowableOfType(CloudApiException.class, hasty::serverTypes));
            project.sim.faults().clear();

            // a wrong token: 401
            HcloudClient wrong = project.client(s -> s.withToken(ApiToken.of(wrongToken)));
            seen.add(wrong);
            seen.add(catchThrowableOfType(CloudApiException.class, wrong::locations));

            List<String> captured;
            synchronized (logLines) {
                // other tests' background threads may still log while we look
                captured = new ArrayList<>(logLines);
            }
            List<String> exposed = new ArrayList<>(captured);
            for (Object o : seen) {
                assertThat(o).isNotNull();
                exposed.add(o.toString());
                if (o instanceof Throwable t) {
                    exposed.add(stackTrace(t));
                }
            }
            project.meters.getMeters().forEach(m -> exposed.add(m.getId().toString()));

            assertThat(captured)
                    .as("DEBUG lines were captured at all")
                    .anySatisfy(l -> assertThat(l).contains("DEBUG", "/servers"));
            assertThat(exposed).noneSatisfy(text -> assertThat(text).contains(token));
            assertThat(exposed).noneSatisfy(text -> assertThat(text).contains(wrongToken));
            assertThat(exposed).noneSatisfy(text -> assertThat(text).contains("JOIN-SECRET"));
        }
    }

    private static String stackTrace(Throwable t) {
        if (t == null) {
            return "";
        }
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return "\n" + out;
    }
}
