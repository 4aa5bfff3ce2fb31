package dev.talosburst.talos.workerconfig;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.talosburst.provisioner.pool.Taint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Forces every kind of failure and checks that no secret of the input appears in messages, toString or logs. */
class SecretLeakTest {

    private final List<String> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logged.add(r.getMessage() + " " + (r.getThrown() == null ? "" : r.getThrown()));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void captureLogs() {
        Logger.getLogger("").addHandler(capture);
        capture.setLevel(Level.ALL);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger("").removeHandler(capture);
    }

    /** Every secret of the fixture worker config, plus every long value of the fake secrets bundle. */
    private static Set<String> secrets(Path fixture) throws IOException {
        Set<String> secrets = new TreeSet<>();
        Rendered in = Rendered.ofYaml(Files.readString(fixture));
        for (String path : List.of(
                "machine.token", "machine.ca.crt", "cluster.token", "cluster.secret", "cluster.id", "cluster.ca.crt")) {
            secrets.add(in.text(path));
        }
        Path bundle = fixture.resolveSibling("secrets.yaml");
        if (Files.exists(bundle)) {
            collect(Rendered.ofYaml(Files.readString(bundle)).documents.get(0), secrets);
        }
        secrets.removeIf(s -> s == null || s.length() < 16);
        // the token halves on their own, too
        for (String token : List.of(in.text("machine.token"), in.text("cluster.token"))) {
            secrets.add(token.substring(token.indexOf('.') + 1));
        }
        return secrets;
    }

    private static void collect(JsonNode node, Set<String> into) {
        if (node.isContainerNode()) {
            node.forEach(child -> collect(child, into));
        } else if (node.isTextual()) {
            into.add(node.asText());
        }
    }

    @Test
    void noSecretInAnyFailure(@TempDir Path tmp) throws IOException {
        Path fixture = SharedTalosFiles.fixtures().resolve("v1.13-base-worker.yaml");
        Set<String> secrets = secrets(fixture);
        String clusterSecret = Rendered.ofYaml(Files.readString(fixture)).text("cluster.secret");
        WorkerConfig config = WorkerConfig.load(fixture);
        WorkerConfigRenderer renderer = new WorkerConfigRenderer(config, Optional.of(SharedTalosFiles.schemas()));
        String text = Files.readString(fixture);
        List<String> texts = new ArrayList<>();
        Map<String, String> labels = Map.of("burst.example.com/pool", "gpu");
        List<Taint> taints = List.of(Taint.parse("dedicated=gpu:NoSchedule"));

        List<Supplier<Object>> failures = List.of(
                // bad YAML in a pool patch
                () -> renderer.render(
                        new NodeCustomization("gpu", "gpu-1", labels, taints, List.of("machine:\n  sysctls: {a: [\n"))),
                // conflicting patch
                () -> renderer.render(new NodeCustomization(
                        "gpu", "gpu-1", labels, taints, List.of("machine:\n  network:\n    hostname: x\n"))),
                // schema failures, one with a secret value where an enum is expected
                () -> renderer.checkPool(
                        "gpu",
                        labels,
                        taints,
                        List.of("machine:\n  logging:\n    destinations:\n      - endpoint: udp://127.0.0.1:5\n"
                                + "        format: \"" + clusterSecret + "\"\n"
                                + "  kubelet:\n    registerWithFQDN: \"" + clusterSecret + "\"\n")),
                // built-in check failure (duplicate taint)
                () -> renderer.render(new NodeCustomization(
                        "gpu",
                        "gpu-1",
                        labels,
                        taints,
                        List.of("machine:\n  kubelet:\n    extraConfig:\n      registerWithTaints:\n"
                                + "        - {key: dedicated, value: x, effect: NoSchedule}\n"))),
                // oversize
                () -> new WorkerConfigRenderer(config, Optional.empty(), 1000)
                        .render(new NodeCustomization("gpu", "gpu-1", labels, taints, List.of())),
                // invalid label
                () -> renderer.checkPool(
                        "gpu", Map.of("kubernetes.io/role", clusterSecret.substring(0, 10)), taints, List.of()),
                // unparsable worker config with a secret on the broken line
                () -> WorkerConfig.load(write(
                        tmp,
                        "broken.yaml",
                        text.replace("token: ", "token: [\"").replace("cluster:", "\tcluster:"))),
                () -> WorkerConfig.load(write(tmp, "cp.yaml", text.replace("type: worker", "type: controlplane"))),
                () -> WorkerConfig.load(fixture, Optional.of(TalosVersion.v1(11))),
                () -> WorkerConfig.load(tmp.resolve("missing.yaml")));

        for (Supplier<Object> failure : failures) {
            try {
                Object result = failure.get();
                throw new AssertionError("expected a failure, got " + result);
            } catch (WorkerConfigException e) {
                assertThat(e.getCause()).isNull();
                texts.add(e.getMessage());
                texts.add(e.toString());
                texts.addAll(e.details());
            }
        }
        texts.add(config.toString());
        texts.add(renderer.toString());
        texts.add(renderer.render(new NodeCustomization("gpu", "gpu-1", labels, taints, List.of()))
                .toString());
        texts.add(new NodeCustomization("gpu", "gpu-1", labels, taints, List.of("x: " + clusterSecret)).toString());
        texts.addAll(logged);

        assertThat(texts).hasSizeGreaterThan(20);
        for (String message : texts) {
            for (String secret : secrets) {
                assertThat(message).as("a message or log line").doesNotContain(secret);
            }
        }
        // the failures still say what is wrong
        assertThat(String.join("\n", texts))
                .contains(
                        "talos-patches[0] is not valid YAML at line",
                        "machine.network.hostname",
                        "at machine.kubelet.registerWithFQDN",
                        "twice",
                        "limit of 1000 bytes",
                        "kubernetes.io/role",
                        "broken.yaml",
                        "controlplane",
                        "missing.yaml");
    }

    private static Path write(Path dir, String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
