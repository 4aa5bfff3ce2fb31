package dev.talosburst.autoscaler.config;

import static dev.talosburst.autoscaler.config.PoolDefinitionsTest.pool;
import static dev.talosburst.autoscaler.config.PoolDefinitionsTest.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigurationCheckTest {

    @TempDir
    Path dir;

    @Test
    void embeddedSimulatorNeedsNoClusterIdOrTokenOrWorkerConfig() {
        Map<String, String> p = new HashMap<>(pool("p1", Map.of()));
        p.put("talosburst.hcloud.embedded-simulator", "true");
        var valid = ConfigurationCheck.validate(ConfigFixture.load(p));
        assertThat(valid.clusterId()).isEqualTo(ConfigurationCheck.EMBEDDED_CLUSTER_ID);
        assertThat(valid.pools()).hasSize(1);
    }

    @Test
    void theSimulatorIsRefusedByABuildWithoutIt() {
        Map<String, String> p = new HashMap<>(pool("p1", Map.of()));
        p.put("talosburst.hcloud.embedded-simulator", "true");
        assertThatThrownBy(() -> ConfigurationCheck.validate(ConfigFixture.load(p), SettingsSources.none(), false))
                .hasMessageContaining(
                        "talosburst.hcloud.embedded-simulator=true (or quarkus.profile=demo), but this build has no "
                                + "embedded Hetzner simulator (it was built with -Dwithout-simulator)");
        p.put("talosburst.hcloud.embedded-simulator", "false");
        assertThatThrownBy(() -> ConfigurationCheck.validate(ConfigFixture.load(p), SettingsSources.none(), false))
                .hasMessageNotContaining("embedded Hetzner simulator");
    }

    @Test
    void realHetznerNeedsClusterIdAndTokenAndNeverEchoesTheToken() {
        Map<String, String> p = new HashMap<>(pool("p1", Map.of()));
        p.put("talosburst.grpc.plaintext", "true");
        p.put("talosburst.hcloud.embedded-simulator", "false");
        assertThat(problems(p))
                .anySatisfy(s -> assertThat(s).startsWith("talosburst.cluster-id: required"))
                .anySatisfy(s -> assertThat(s).startsWith("talosburst.hcloud.token: required"));

        p.put("talosburst.cluster-id", "prod eu");
        p.put("talosburst.hcloud.token", "s3cr3t-token-value");
        p.put("talosburst.hcloud.endpoint", "ftp://example");
        p.put("talosburst.talos.demo-user-data", "true");
        assertThat(problems(p))
                .hasSize(2)
                .anySatisfy(s ->
                        assertThat(s).startsWith("talosburst.cluster-id: 'prod eu' is not a valid Hetzner label value"))
                .anySatisfy(s -> assertThat(s).startsWith("talosburst.hcloud.endpoint"))
                .allSatisfy(s -> assertThat(s).doesNotContain("s3cr3t"));
    }

    @Test
    void theBudgetShareIsAShare() {
        Map<String, String> p = new HashMap<>(pool("p1", Map.of()));
        p.put("talosburst.hcloud.embedded-simulator", "true");
        p.put("talosburst.hcloud.budget-share", "1.5");
        assertThat(problems(p))
                .singleElement()
                .asString()
                .startsWith("talosburst.hcloud.budget-share: 1.5 is not a share of the budget")
                .contains("at most 1");
        p.put("talosburst.hcloud.budget-share", "0");
        assertThat(problems(p)).singleElement().asString().startsWith("talosburst.hcloud.budget-share: 0.0");
        p.put("talosburst.hcloud.budget-share", "0.25");
        assertThat(problems(p)).isEmpty();
    }

    @Test
    void numbersOutsideTheirRangeAreListedWithTheOtherProblems() {
        Map<String, String> p = new HashMap<>(pool("p1", Map.of()));
        p.put("talosburst.hcloud.embedded-simulator", "true");
        p.put("talosburst.grpc.port", "0");
        p.put("talosburst.management.port", "70000");
        p.put("talosburst.hcloud.budget-per-hour", "0");
        p.put("talosburst.engine.create-concurrency", "-1");
        p.put("talosburst.events.queue-capacity", "0");
        p.put("talosburst.events.backlog-warn-threshold", "0");
        p.put("talosburst.events.partitions", "0");
        p.put("talosburst.events.replication-factor", "0");
        p.put("talosburst.gpu-label", " ");
        assertThat(problems(p))
                .containsExactlyInAnyOrder(
                        "talosburst.grpc.port: 0 is not a port; use 1-65535 (the port cluster-autoscaler dials, default 8086)",
                        "talosburst.management.port: 70000 is not a port; use 0-65535 (0 picks a free port, default 9000)",
                        "talosburst.hcloud.budget-per-hour: 0 is too small; use a whole number of at least 1 (Hetzner's is 3600)",
                        "talosburst.engine.create-concurrency: -1 is too small; use a whole number of at least 1 (default 4)",
                        "talosburst.events.queue-capacity: 0 is too small; use a whole number of at least 1 (default 10000)",
                        "talosburst.events.backlog-warn-threshold: 0 is too small; use a whole number of at least 1 (default 1000)",
                        "talosburst.events.partitions: 0 is too small; use a whole number of at least 1 (default 6)",
                        "talosburst.events.replication-factor: 0 is too small; use a whole number of at least 1 (default 3)",
                        "talosburst.gpu-label: must not be empty; the default is hcloud/gpu-node");
        p.put("talosburst.grpc.port", "65535");
        p.put("talosburst.management.port", "0");
        p.put("talosburst.hcloud.budget-per-hour", "1");
        p.put("talosburst.engine.create-concurrency", "1");
        p.put("talosburst.events.queue-capacity", "1");
        p.put("talosburst.events.backlog-warn-threshold", "1");
        p.put("talosburst.events.partitions", "1");
        p.put("talosburst.events.replication-factor", "1");
        p.put("talosburst.gpu-label", "hcloud/gpu-node");
        assertThat(problems(p)).isEmpty();
    }

    @Test
    void plaintextOnlyOnLoopback() {
        Map<String, String> p = new HashMap<>(pool("p1", Map.of()));
        p.put("talosburst.hcloud.embedded-simulator", "true");
        p.put("talosburst.grpc.plaintext", "true");
        p.put("talosburst.grpc.host", "0.0.0.0");
        assertThat(problems(p))
                .singleElement()
                .asString()
                .startsWith("talosburst.grpc.plaintext=true is only allowed on a loopback address")
                .contains("talosburst.grpc.tls.cert");
        p.put("talosburst.grpc.host", "localhost");
        assertThat(problems(p)).isEmpty();
    }

    @Test
    void tlsNeedsAllThreeReadableFiles() throws Exception {
        Map<String, String> p = new HashMap<>(pool("p1", Map.of()));
        p.put("talosburst.hcloud.embedded-simulator", "true");
        p.put("talosburst.grpc.plaintext", "false");
        assertThat(problems(p))
                .hasSize(3)
                .anySatisfy(s -> assertThat(s).startsWith("talosburst.grpc.tls.cert: required for mTLS"))
                .anySatisfy(s -> assertThat(s).startsWith("talosburst.grpc.tls.key: required for mTLS"))
                .anySatisfy(s -> assertThat(s).startsWith("talosburst.grpc.tls.client-ca: required for mTLS"));
        p.put(
                "talosburst.grpc.tls.cert",
                Files.writeString(dir.resolve("tls.crt"), "x").toString());
        p.put(
                "talosburst.grpc.tls.key",
                Files.writeString(dir.resolve("tls.key"), "x").toString());
        p.put("talosburst.grpc.tls.client-ca", dir.resolve("missing-ca.crt").toString());
        assertThat(problems(p))
                .singleElement()
                .asString()
                .startsWith("talosburst.grpc.tls.client-ca: ")
                .contains("not a readable file");
    }

    @Test
    void realHetznerDefaultsToMtls() {
        Map<String, String> p = new HashMap<>(pool("p1", Map.of()));
        p.put("talosburst.hcloud.embedded-simulator", "false");
        p.put("talosburst.cluster-id", "prod-eu-1");
        p.put("talosburst.hcloud.token", "t0ken");
        p.put("talosburst.talos.demo-user-data", "true");
        assertThat(problems(p)).hasSize(3).allSatisfy(s -> assertThat(s).startsWith("talosburst.grpc.tls."));
        p.put("talosburst.grpc.plaintext", "true");
        assertThat(problems(p)).isEmpty();
    }

    @Test
    void realHetznerNeedsAWorkerConfigUnlessDemoUserDataIsChosen() throws Exception {
        Map<String, String> p = new HashMap<>(pool("p1", Map.of()));
        p.put("talosburst.hcloud.embedded-simulator", "false");
        p.put("talosburst.cluster-id", "prod-eu-1");
        p.put("talosburst.hcloud.token", "t0ken");
        p.put("talosburst.grpc.plaintext", "true");
        assertThat(problems(p))
                .singleElement()
                .asString()
                .startsWith("talosburst.talos.worker-config: required with real Hetzner")
                .contains("talosburst.talos.demo-user-data=true");
        p.put(
                "talosburst.talos.worker-config",
                Files.writeString(dir.resolve("worker.yaml"), "version: v1alpha1\n")
                        .toString());
        assertThat(problems(p)).isEmpty();
        p.remove("talosburst.talos.worker-config");
        p.put("talosburst.talos.demo-user-data", "true");
        assertThat(problems(p)).isEmpty();
    }

    @Test
    void unknownKeysAndDerivedQuarkusOptionsAreReportedWithTheKeyToUse() {
        Map<String, String> p = new HashMap<>(pool("p1", Map.of()));
        p.put("talosburst.hcloud.embedded-simulator", "true");
        SettingsSources sources = new SettingsSources(
                new UnknownOptions(Map.of(TalosBurstConfig.class, "talosburst"))
                        .problems(java.util.List.of(
                                "talosburst.pools.p1.max",
                                "talosburst.pools.p1.mx",
                                "talosburst.grpc.tls.ca",
                                "talosburst.pools.p1.node-labels.\"talos-burst.dev/burst\"",
                                "talosburst.pools.p1.talos-patches[0]",
                                "talosburst.completely-unrelated")),
                java.util.List.of(),
                Map.of("quarkus.http.port", "SysPropConfigSource"));
        assertThatThrownBy(() -> ConfigurationCheck.validate(ConfigFixture.load(p), sources))
                .isInstanceOfSatisfying(
                        ConfigurationCheck.InvalidConfigurationException.class,
                        e -> assertThat(e.problems())
                                .containsExactlyInAnyOrder(
                                        "talosburst.pools.p1.mx: no such option; did you mean talosburst.pools.p1.max? (every option is "
                                                + "listed in the README's configuration reference)",
                                        "talosburst.grpc.tls.ca: no such option; did you mean talosburst.grpc.tls.client-ca? (every option is "
                                                + "listed in the README's configuration reference)",
                                        "talosburst.completely-unrelated: no such option (every option is listed in the README's "
                                                + "configuration reference)",
                                        "quarkus.http.port is set (in SysPropConfigSource) but talos-burst derives it from "
                                                + "talosburst.grpc.port; remove it and set talosburst.grpc.port instead"));
    }

    @Test
    void booleansAreReadAsTheTypedOptionsReadThem() {
        for (String yes : java.util.List.of("true", "TRUE", "1", "yes", "Y", "on")) {
            assertThat(TransportOptions.derive(Map.of("talosburst.grpc.plaintext", yes)::get))
                    .as(yes)
                    .containsEntry("quarkus.http.insecure-requests", "enabled");
            assertThat(TransportOptions.derive(Map.of("talosburst.hcloud.embedded-simulator", yes)::get))
                    .as(yes)
                    .containsEntry("quarkus.http.insecure-requests", "enabled");
            assertThat(GrpcTransport.isTrue(yes)).isTrue();
        }
        for (String no : java.util.List.of("false", "0", "no", "off", "nonsense")) {
            assertThat(TransportOptions.derive(Map.of("talosburst.grpc.plaintext", no)::get))
                    .as(no)
                    .containsEntry("quarkus.http.insecure-requests", "disabled");
        }
    }

    @Test
    void theDemoProfileIsRefusedWithRealHetzner() {
        Map<String, String> p = new HashMap<>(pool("p1", Map.of()));
        p.put("talosburst.hcloud.embedded-simulator", "false");
        p.put("talosburst.cluster-id", "prod-eu-1");
        p.put("talosburst.hcloud.token", "t0ken");
        p.put("talosburst.grpc.plaintext", "true");
        p.put("talosburst.talos.demo-user-data", "true");
        assertThatThrownBy(() -> ConfigurationCheck.validate(
                        ConfigFixture.load(p),
                        new SettingsSources(java.util.List.of(), java.util.List.of("demo"), Map.of())))
                .hasMessageContaining("quarkus.profile=demo is the simulated demo");
    }

    @Test
    void allProblemsAreReportedTogether() {
        Map<String, String> p = new HashMap<>(pool("p1", Map.of("min", "9")));
        p.put("talosburst.grpc.plaintext", "true");
        p.put("talosburst.talos.worker-config", dir.resolve("nope.yaml").toString());
        assertThatThrownBy(() -> ConfigurationCheck.validate(ConfigFixture.load(p)))
                .hasMessageStartingWith("talos-burst cannot start, fix the configuration:")
                .hasMessageContaining("talosburst.talos.worker-config")
                .hasMessageContaining("talosburst.pools.p1.min (9)");
    }

    @Test
    void transportTranslationPlaintextAndTls() {
        Map<String, String> plain = TransportOptions.derive(
                Map.of("talosburst.grpc.plaintext", "true", "talosburst.grpc.port", "9443")::get);
        assertThat(plain)
                .containsEntry("quarkus.http.host", "127.0.0.1")
                .containsEntry("quarkus.http.port", "9443")
                .containsEntry("quarkus.http.insecure-requests", "enabled")
                .containsEntry("quarkus.management.host", "127.0.0.1")
                .doesNotContainKey("quarkus.http.tls-configuration-name");

        assertThat(TransportOptions.derive(Map.of("talosburst.hcloud.embedded-simulator", "true")::get))
                .as("embedded simulator: plaintext by default")
                .containsEntry("quarkus.http.port", "8086");
        assertThat(TransportOptions.derive(Map.<String, String>of()::get))
                .as("nothing set: real Hetzner, so mTLS")
                .containsEntry("quarkus.http.insecure-requests", "disabled")
                .containsEntry("quarkus.http.ssl-port", "8086")
                .containsEntry("quarkus.management.host", "0.0.0.0");

        Map<String, String> tls = TransportOptions.derive(Map.of(
                "talosburst.hcloud.embedded-simulator",
                "false",
                "talosburst.grpc.host",
                "0.0.0.0",
                "talosburst.grpc.tls.cert",
                "/tls/tls.crt",
                "talosburst.grpc.tls.key",
                "/tls/tls.key",
                "talosburst.grpc.tls.client-ca",
                "/tls/ca.crt")::get);
        assertThat(tls)
                .containsEntry("quarkus.http.host", "0.0.0.0")
                .containsEntry("quarkus.http.ssl-port", "8086")
                .containsEntry("quarkus.http.insecure-requests", "disabled")
                .containsEntry("quarkus.http.tls-configuration-name", "talosburst-grpc")
                .containsEntry("quarkus.tls.talosburst-grpc.key-store.pem.0.cert", "/tls/tls.crt")
                .containsEntry("quarkus.tls.talosburst-grpc.key-store.pem.0.key", "/tls/tls.key")
                .containsEntry("quarkus.tls.talosburst-grpc.trust-store.pem.certs", "/tls/ca.crt")
                .containsEntry("quarkus.tls.talosburst-grpc.reload-period", "1h")
                .containsEntry("quarkus.management.host", "0.0.0.0")
                .containsEntry("quarkus.management.port", "9000");
    }
}
