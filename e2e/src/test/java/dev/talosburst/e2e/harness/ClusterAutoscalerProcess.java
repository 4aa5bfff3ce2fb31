package dev.talosburst.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** cluster-autoscaler 1.30 with the externalgrpc provider, pointed at talos-burst over mTLS. */
public final class ClusterAutoscalerProcess {

    private ClusterAutoscalerProcess() {
    }

    /**
     * Starts CA with timings short enough for a test: a 2 s loop, scale-down after 15 s unneeded, no cool-down after
     * a scale-up, a quick recheck of unremovable nodes.
     */
    public static ManagedProcess start(Path bin, Path work, Path logs, Path kubeconfig, int talosBurstPort, Pki grpcPki,
            Pki.Issued clientCert, List<String> extraFlags) {
        Path cloudConfig = work.resolve("cloud-config.yaml");
        try {
            Files.writeString(cloudConfig, """
                    address: 127.0.0.1:%d
                    cert: %s
                    key: %s
                    cacert: %s
                    grpc_timeout: 10s
                    """.formatted(talosBurstPort, clientCert.cert(), clientCert.key(), grpcPki.caCert()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(List.of(bin.resolve("cluster-autoscaler").toString(),
                "--cloud-provider=externalgrpc", "--cloud-config=" + cloudConfig, "--kubeconfig=" + kubeconfig,
                "--leader-elect=false", "--kube-api-content-type=application/json",
                "--address=127.0.0.1:" + ManagedProcess.freePort(),
                "--scan-interval=2s",
                "--new-pod-scale-up-delay=0s", "--max-nodes-total=40",
                "--scale-down-enabled=true", "--scale-down-unneeded-time=15s", "--scale-down-unready-time=30s",
                "--scale-down-delay-after-add=0s", "--scale-down-delay-after-delete=0s", "--scale-down-delay-after-failure=5s",
                "--unremovable-node-recheck-timeout=10s", "--node-delete-delay-after-taint=0s",
                "--max-node-provision-time=3m", "--initial-node-group-backoff-duration=2m",
                "--skip-nodes-with-system-pods=false", "--skip-nodes-with-local-storage=false",
                "--balance-similar-node-groups=false", "--logtostderr=true", "--v=4"));
        command.addAll(extraFlags);
        return ManagedProcess.start("cluster-autoscaler", logs, command, Map.of());
    }
}
