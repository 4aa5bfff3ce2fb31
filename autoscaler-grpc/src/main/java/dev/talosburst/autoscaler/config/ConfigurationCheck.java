package dev.talosburst.autoscaler.config;

import dev.talosburst.provisioner.pool.NodePool;
import io.quarkus.runtime.configuration.ConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules that span several options (and the pools), checked once before anything starts. Every
 * problem names the option to change and how.
 */
public final class ConfigurationCheck {

    /** Cluster id used when the embedded simulator serves Hetzner and none is configured. */
    public static final String EMBEDDED_CLUSTER_ID = "embedded-demo";

    /** The problem when the simulator is asked for but this build does not have it. */
    public static final String NO_SIMULATOR =
            "talosburst.hcloud.embedded-simulator=true (or quarkus.profile=demo), but this build has "
                    + "no embedded Hetzner simulator (it was built with -Dwithout-simulator); set talosburst.hcloud.embedded-simulator=false "
                    + "with talosburst.hcloud.token for real Hetzner, or run a build that includes talos-burst-hcloud-simulator-embedded";

    /** Hetzner label values: at most 63 characters, alphanumeric at both ends, '-', '_' and '.' inside. */
    private static final Pattern LABEL_VALUE = Pattern.compile("[a-zA-Z0-9]([a-zA-Z0-9._-]{0,61}[a-zA-Z0-9])?");

    /** What the rest of the application starts from once the configuration is known to be valid. */
    public record ValidConfiguration(String clusterId, List<NodePool> pools) {}

    private ConfigurationCheck() {}

    /** The valid configuration, or every problem found (typed values only; no source information). */
    public static ValidConfiguration validate(TalosBurstConfig config) {
        return validate(config, SettingsSources.none());
    }

    /** As {@link #validate(TalosBurstConfig, SettingsSources, boolean)} for a build that has the embedded simulator. */
    public static ValidConfiguration validate(TalosBurstConfig config, SettingsSources sources) {
        return validate(config, sources, true);
    }

    /**
     * The valid configuration, or every problem found, including unknown keys and options talos-burst derives itself.
     *
     * @param simulatorAvailable whether this build can serve Hetzner in-process (the wiring looks it up at run time)
     */
    public static ValidConfiguration validate(
            TalosBurstConfig config, SettingsSources sources, boolean simulatorAvailable) {
        List<String> problems = new ArrayList<>(sources.unknownOptions());
        sources.derivedOptionsSetBy()
                .forEach((option, source) -> problems.add(
                        TransportOptions.DERIVED.containsKey(option)
                                ? option + " is set (in " + source + ") but talos-burst derives it from "
                                        + TransportOptions.DERIVED.get(option) + "; remove it and set "
                                        + TransportOptions.DERIVED.get(option) + " instead"
                                : option + " is set (in " + source
                                        + ") but the gRPC endpoint's TLS comes only from talosburst.grpc.tls.*; "
                                        + "remove it (it could weaken the required client certificates)"));
        boolean embedded = config.hcloud().embeddedSimulator();
        if (embedded && !simulatorAvailable) {
            problems.add(NO_SIMULATOR);
        }
        if (!embedded && sources.profiles().contains("demo")) {
            problems.add(
                    "quarkus.profile=demo is the simulated demo (example pools, demo user-data) and cannot run against "
                            + "real Hetzner (talosburst.hcloud.embedded-simulator=false); remove the demo profile and configure your own pools");
        }
        String clusterId = clusterId(config, problems);
        hcloud(config.hcloud(), problems);
        NumericRanges.check(config, problems);
        grpc(config.grpc(), embedded, problems);
        config.talos().workerConfig().ifPresent(p -> readableFile(p, "talosburst.talos.worker-config", problems));
        if (!embedded
                && config.talos().workerConfig().isEmpty()
                && !config.talos().demoUserData()) {
            problems.add(
                    "talosburst.talos.worker-config: required with real Hetzner (talosburst.hcloud.embedded-simulator=false): "
                            + "the path of the cluster's Talos worker config (talosctl gen config --with-kubespan --output-types worker), "
                            + "mounted from a Secret; without it servers boot demo user-data, never join and are billed until reaped. "
                            + "(Testing talos-burst itself against real Hetzner? set talosburst.talos.demo-user-data=true.)");
        }
        if (config.events().bootstrapServers().isPresent()
                && config.events().journalDir().isEmpty()) {
            problems.add(
                    "talosburst.events.journal-dir: required with talosburst.events.bootstrap-servers; events wait in this "
                            + "journal (put it on a persistent volume) while Kafka is unreachable, so a crash loses none");
        }
        config.talos().schemaDir().ifPresent(p -> {
            if (!Files.isDirectory(p)) {
                problems.add("talosburst.talos.schema-dir: " + p
                        + " is not a directory; point it at the Talos JSON Schemas or remove it");
            }
        });
        if (config.gpuLabel().isBlank()) {
            problems.add("talosburst.gpu-label: must not be empty; the default is hcloud/gpu-node");
        }
        PoolDefinitions.Result pools = PoolDefinitions.from(config.pools());
        problems.addAll(pools.problems());
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(problems);
        }
        return new ValidConfiguration(clusterId, pools.pools());
    }

    private static String clusterId(TalosBurstConfig config, List<String> problems) {
        Optional<String> configured = config.clusterId().map(String::trim);
        if (configured.isEmpty()) {
            if (config.hcloud().embeddedSimulator()) {
                return EMBEDDED_CLUSTER_ID;
            }
            problems.add(
                    "talosburst.cluster-id: required when talosburst.hcloud.embedded-simulator=false; it marks every "
                            + "server talos-burst owns, so use one stable name per cluster, e.g. prod-eu-1");
            return null;
        }
        if (!LABEL_VALUE.matcher(configured.get()).matches()) {
            problems.add("talosburst.cluster-id: '" + configured.get() + "' is not a valid Hetzner label value "
                    + "(1-63 characters, letters and digits at both ends, '-', '_' or '.' inside)");
        }
        return configured.get();
    }

    private static void hcloud(TalosBurstConfig.Hcloud hcloud, List<String> problems) {
        if (!(hcloud.budgetShare() > 0 && hcloud.budgetShare() <= 1)) {
            problems.add("talosburst.hcloud.budget-share: " + hcloud.budgetShare()
                    + " is not a share of the budget; write a number "
                    + "above 0 and at most 1, e.g. 0.5 (half of talosburst.hcloud.budget-per-hour)");
        }
        if (hcloud.embeddedSimulator()) {
            return;
        }
        if (hcloud.token().map(String::isBlank).orElse(true)) {
            problems.add("talosburst.hcloud.token: required when talosburst.hcloud.embedded-simulator=false; "
                    + "create a read/write API token in the Hetzner Cloud console (Security > API tokens) and pass it "
                    + "as the environment variable TALOSBURST_HCLOUD_TOKEN");
        }
        if (!hcloud.endpoint().startsWith("https://") && !hcloud.endpoint().startsWith("http://")) {
            problems.add("talosburst.hcloud.endpoint: '" + hcloud.endpoint() + "' is not an http(s) URL");
        }
    }

    private static void grpc(TalosBurstConfig.Grpc grpc, boolean embedded, List<String> problems) {
        if (GrpcTransport.plaintext(grpc.plaintext(), embedded)) {
            if (!GrpcTransport.isLoopback(grpc.host())) {
                problems.add(
                        "talosburst.grpc.plaintext=true is only allowed on a loopback address, but talosburst.grpc.host is '"
                                + grpc.host()
                                + "'; anyone who can reach a plaintext port can create and delete servers. "
                                + "Set talosburst.grpc.plaintext=false and talosburst.grpc.tls.cert/key/client-ca for mTLS");
            }
            return;
        }
        TalosBurstConfig.Tls tls = grpc.tls();
        requiredFile(tls.cert(), "talosburst.grpc.tls.cert", "the server certificate chain (PEM)", problems);
        requiredFile(tls.key(), "talosburst.grpc.tls.key", "the server private key (PEM)", problems);
        requiredFile(
                tls.clientCa(),
                "talosburst.grpc.tls.client-ca",
                "the CA certificate that signed cluster-autoscaler's client certificate (PEM)",
                problems);
    }

    private static void requiredFile(Optional<Path> path, String option, String what, List<String> problems) {
        if (path.isEmpty()) {
            problems.add(option + ": required for mTLS (talosburst.grpc.plaintext=false): " + what
                    + "; or set talosburst.grpc.plaintext=true for local use on 127.0.0.1");
        } else {
            readableFile(path.get(), option, problems);
        }
    }

    private static void readableFile(Path path, String option, List<String> problems) {
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            problems.add(option + ": " + path + " is not a readable file");
        }
    }

    /**
     * Start-up refused: the message lists every problem, one per line. A Quarkus {@code ConfigurationException}, so the
     * block is printed as it is, without a stack trace around it.
     */
    public static final class InvalidConfigurationException extends ConfigurationException {
        /** The first line of every refused start-up. */
        public static final String HEADLINE = "talos-burst cannot start, fix the configuration:";

        private final List<String> problems;

        public InvalidConfigurationException(List<String> problems) {
            super(HEADLINE + "\n  - " + String.join("\n  - ", problems));
            this.problems = List.copyOf(problems);
        }

        /** Each problem, naming its option. */
        public List<String> problems() {
            return problems;
        }
    }
}
