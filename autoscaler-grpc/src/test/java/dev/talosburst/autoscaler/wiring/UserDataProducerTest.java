package dev.talosburst.autoscaler.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.talosburst.autoscaler.config.ConfigFixture;
import dev.talosburst.autoscaler.config.ConfigurationCheck.InvalidConfigurationException;
import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.userdata.UserDataSource;
import dev.talosburst.talos.workerconfig.WorkerConfigUserData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which user-data the application's servers boot with, and how a bad worker config stops start-up. */
class UserDataProducerTest {
    private static final Path SHARED = Path.of(System.getProperty("talos-burst.shared-dir", "../../shared"));

    @TempDir
    Path dir;

    @Test
    void withoutAWorkerConfigServersGetTheDemoConfig() {
        UserDataSource source = new UserDataProducer().userData(ConfigFixture.load(Map.of()));
        assertThat(source).isInstanceOf(DemoWorkerConfig.class);
    }

    @Test
    void aWorkerConfigIsRenderedPerServerWithTheSchemaOfItsVersion() {
        Path worker = SHARED.resolve("fixtures/talos/v1.12-base-worker.yaml");
        Path schemas = SHARED.resolve("contracts/talos-schema");
        Assumptions.assumeTrue(Files.isRegularFile(worker), "skipped: " + worker.toAbsolutePath() + " is missing");
        UserDataSource source = new UserDataProducer()
                .userData(ConfigFixture.load(Map.of(
                        "talosburst.talos.worker-config", worker.toString(),
                        "talosburst.talos.schema-dir", schemas.toString())));

        assertThat(source).isInstanceOf(WorkerConfigUserData.class);
        NodePool pool = new NodePool(
                "burst",
                "cx22",
                "fsn1",
                null,
                0,
                2,
                null,
                Map.of("example.com/tier", "burst"),
                List.of(),
                null,
                null,
                null,
                null,
                true,
                true,
                null,
                null,
                null);
        String rendered = source.render(pool, "burst-abcdefgh", Map.of("example.com/tier", "burst"), List.of());
        assertThat(rendered)
                .contains("hostname: burst-abcdefgh")
                .contains("example.com/tier: burst")
                .contains("kubespan");
        assertThat(source.check(pool, Map.of("example.com/tier", "burst"))).isEmpty();
    }

    @Test
    void anUnreadableWorkerConfigStopsStartUpWithoutEchoingIt() throws IOException {
        Path worker = dir.resolve("worker.yaml");
        Files.writeString(worker, "machine:\n  token: s3cr3t-join-token\n  ca: [unclosed\n");

        assertThatThrownBy(() -> new UserDataProducer()
                        .userData(ConfigFixture.load(Map.of("talosburst.talos.worker-config", worker.toString()))))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> {
                    assertThat(e.problems()).allMatch(p -> p.startsWith("talosburst.talos.worker-config"));
                    assertThat(e.getMessage()).doesNotContain("s3cr3t-join-token");
                });
    }

    @Test
    void aBadTalosVersionNamesTheOption() throws IOException {
        Path worker = dir.resolve("worker.yaml");
        Files.writeString(worker, "version: v1alpha1\n");
        assertThatThrownBy(() -> new UserDataProducer()
                        .userData(ConfigFixture.load(Map.of(
                                "talosburst.talos.worker-config",
                                worker.toString(),
                                "talosburst.talos.talos-version",
                                "banana"))))
                .isInstanceOfSatisfying(
                        InvalidConfigurationException.class,
                        e -> assertThat(e.problems())
                                .singleElement()
                                .asString()
                                .contains("talosburst.talos.talos-version")
                                .contains("banana"));
    }
}
