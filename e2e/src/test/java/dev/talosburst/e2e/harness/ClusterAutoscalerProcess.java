package dev.talosburst.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * cluster-autoscaler 1.30 with the externalgrpc provider, pointed at talos-burst over mTLS, started with the flags and
 * the cloud-config of {@code k8s/cluster-autoscaler} as rendered, so CA 1.30 proves it accepts them. Only what a test
 * cannot take as deployed is changed: file paths, the timings (a 2 s loop, scale-down after 15 s unneeded) and the
 * log level; flags the Deployment does not set are added for the same reasons.
 */
public final class ClusterAutoscalerProcess {

    /** The container of {@code k8s/cluster-autoscaler}'s Deployment whose args are used. */
    public static final String DEPLOYMENT = "cluster-autoscaler";

    /** Deployed flags a test must change (paths, timings, verbosity) or may change (the expander). */
    private static final Set<String> CHANGEABLE = Set.of(
            "--cloud-config",
            "--scan-interval",
            "--scale-down-unneeded-time",
            "--scale-down-delay-after-add",
            "--scale-down-delay-after-failure",
            "--max-node-provision-time",
            "--v",
            "--expander");

    private ClusterAutoscalerProcess() {}

    /**
     * The {@code --namespace} of the deployed flags (where CA keeps its status ConfigMap and reads the priority
     * expander's), {@code kube-system} when unset.
     */
    public static String namespace(RenderedManifests deployed) {
        return deployedFlags(deployed)
                .getOrDefault("--namespace", "--namespace=kube-system")
                .substring("--namespace=".length());
    }

    /** Starts CA; {@code extraFlags} may only change the expander or add flags the Deployment does not set. */
    public static ManagedProcess start(
            Path bin,
            Path work,
            Path logs,
            Path kubeconfig,
            int talosBurstPort,
            Pki grpcPki,
            Pki.Issued clientCert,
            RenderedManifests deployed,
            List<String> extraFlags) {
        Path cloudConfig = work.resolve("cloud-config.yaml");
        try {
            Files.writeString(
                    cloudConfig,
                    cloudConfig(
                            deployed,
                            Map.of(
                                    "address",
                                    "127.0.0.1:" + talosBurstPort,
                                    "cert",
                                    clientCert.cert().toString(),
                                    "key",
                                    clientCert.key().toString(),
                                    "cacert",
                                    grpcPki.caCert().toString())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> test = new ArrayList<>(List.of(
                "--cloud-config=" + cloudConfig,
                "--scan-interval=2s",
                "--scale-down-unneeded-time=15s",
                "--scale-down-delay-after-add=0s",
                "--scale-down-delay-after-failure=5s",
                "--max-node-provision-time=3m",
                "--v=4",
                // not set by the Deployment: a kubeconfig instead of the in-cluster ServiceAccount, a free metrics
                // port,
                // JSON (the shared kube-apiserver build), short rechecks for the test, logs on stderr
                "--kubeconfig=" + kubeconfig,
                "--address=127.0.0.1:" + ManagedProcess.freePort(),
                "--kube-api-content-type=application/json",
                "--scale-down-unready-time=30s",
                "--scale-down-delay-after-delete=0s",
                "--unremovable-node-recheck-timeout=10s",
                "--node-delete-delay-after-taint=0s",
                "--initial-node-group-backoff-duration=2m",
                "--skip-nodes-with-system-pods=false",
                "--logtostderr=true"));
        test.addAll(extraFlags);

        Map<String, String> flags = deployedFlags(deployed);
        Set<String> changed = new TreeSet<>();
        for (String flag : test) {
            String name = name(flag);
            String before = flags.put(name, flag);
            if (before != null && !before.equals(flag)) {
                if (!CHANGEABLE.contains(name)) {
                    throw new IllegalStateException(
                            "the e2e suite would change " + before + " of k8s/cluster-autoscaler to " + flag + "; only "
                                    + CHANGEABLE + " may differ from the deployed flags");
                }
                changed.add(before);
            }
        }
        Set<String> kept = new TreeSet<>(deployedFlags(deployed).values());
        kept.removeAll(changed);
        System.out.printf(
                "[e2e] cluster-autoscaler: deployed flags of k8s/cluster-autoscaler used as they are: %s; changed for the "
                        + "test: %s%n",
                kept, changed);
        List<String> command = new ArrayList<>();
        command.add(bin.resolve("cluster-autoscaler").toString());
        command.addAll(flags.values());
        return ManagedProcess.start("cluster-autoscaler", logs, command, Map.of());
    }

    /** The Deployment's args by flag name ({@code --v=2} under {@code --v}); every arg must be a {@code --name=value} flag. */
    private static Map<String, String> deployedFlags(RenderedManifests deployed) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (String arg : deployed.container(DEPLOYMENT, "cluster-autoscaler").getArgs()) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalStateException(
                        "k8s/cluster-autoscaler: write every arg as --name=value (the e2e suite reads them): " + arg);
            }
            flags.put(name(arg), arg);
        }
        return flags;
    }

    private static String name(String flag) {
        int eq = flag.indexOf('=');
        return eq < 0 ? flag : flag.substring(0, eq);
    }

    /**
     * The deployed cloud-config (the generated Secret's {@code cloud-config} entry) with the values of {@code replaced}
     * (address and certificate paths); every other line as deployed.
     */
    private static String cloudConfig(RenderedManifests deployed, Map<String, String> replaced) {
        StringBuilder out = new StringBuilder();
        Set<String> seen = new TreeSet<>();
        for (String line : deployed.secretEntry("cluster-autoscaler-cloud-config", "cloud-config")
                .split("\n")) {
            int colon = line.indexOf(':');
            String key = colon < 0 ? "" : line.substring(0, colon).strip();
            if (replaced.containsKey(key)) {
                out.append(key).append(": ").append(replaced.get(key)).append('\n');
                seen.add(key);
            } else {
                out.append(line).append('\n');
            }
        }
        if (!seen.equals(replaced.keySet())) {
            throw new IllegalStateException(
                    "k8s/cluster-autoscaler's cloud-config lacks some of " + replaced.keySet() + ":\n" + out);
        }
        return out.toString();
    }
}
