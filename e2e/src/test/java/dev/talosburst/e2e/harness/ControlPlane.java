package dev.talosburst.e2e.harness;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * A real control plane on 127.0.0.1: etcd, kube-apiserver (client-certificate auth, {@code Node,RBAC},
 * {@code NodeRestriction}), kube-scheduler and kube-controller-manager, each with its own log.
 */
public final class ControlPlane implements AutoCloseable {

    private final Path bin;
    private final Path work;
    private final Path logs;
    private final Pki pki;
    private final List<ManagedProcess> processes = new ArrayList<>();
    private final int apiPort = ManagedProcess.freePort();
    private KubernetesClient admin;
    private Path adminKubeconfig;

    /** Prepares the PKI under {@code work}; nothing runs until {@link #start()}. */
    public ControlPlane(Path bin, Path work, Path logs) {
        this.bin = bin;
        this.work = work;
        this.logs = logs;
        this.pki = new Pki(work.resolve("pki"), "kubernetes");
    }

    /** The cluster CA (signs the API server's serving certificate and every client certificate). */
    public Pki pki() {
        return pki;
    }

    /** {@code https://127.0.0.1:<port>}. */
    public String url() {
        return "https://127.0.0.1:" + apiPort;
    }

    /** Starts the four processes and waits until the API server is ready and the default namespace has its ServiceAccount. */
    public ControlPlane start() {
        int etcdClient = ManagedProcess.freePort();
        int etcdPeer = ManagedProcess.freePort();
        Path etcdData = work.resolve("etcd");
        processes.add(ManagedProcess.start(
                "etcd",
                logs,
                List.of(
                        bin.resolve("etcd").toString(),
                        "--name",
                        "default",
                        "--data-dir",
                        etcdData.toString(),
                        "--listen-client-urls",
                        "http://127.0.0.1:" + etcdClient,
                        "--advertise-client-urls",
                        "http://127.0.0.1:" + etcdClient,
                        "--listen-peer-urls",
                        "http://127.0.0.1:" + etcdPeer,
                        "--initial-advertise-peer-urls",
                        "http://127.0.0.1:" + etcdPeer,
                        "--initial-cluster",
                        "default=http://127.0.0.1:" + etcdPeer,
                        "--unsafe-no-fsync",
                        "--listen-metrics-urls",
                        "http://127.0.0.1:" + ManagedProcess.freePort()),
                Map.of()));

        Pki.Issued serving = pki.server(
                "apiserver",
                "kube-apiserver",
                "127.0.0.1",
                "localhost",
                "10.96.0.1",
                "kubernetes",
                "kubernetes.default",
                "kubernetes.default.svc");
        Pki.Issued sa = pki.keyPair("service-account");
        processes.add(ManagedProcess.start(
                "kube-apiserver",
                logs,
                List.of(
                        bin.resolve("kube-apiserver").toString(),
                        "--bind-address=127.0.0.1",
                        "--advertise-address=127.0.0.1",
                        "--secure-port=" + apiPort,
                        "--etcd-servers=http://127.0.0.1:" + etcdClient,
                        "--client-ca-file=" + pki.caCert(),
                        "--tls-cert-file=" + serving.cert(),
                        "--tls-private-key-file=" + serving.key(),
                        "--service-account-issuer=https://kubernetes.default.svc",
                        "--service-account-key-file=" + sa.cert(),
                        "--service-account-signing-key-file=" + sa.key(),
                        "--service-cluster-ip-range=10.96.0.0/16",
                        "--authorization-mode=Node,RBAC",
                        "--enable-admission-plugins=NodeRestriction",
                        "--allow-privileged=true",
                        "--profiling=false",
                        "--v=1"),
                Map.of()));

        Pki.Issued adminIdentity = pki.client("admin", "e2e-admin", "system:masters");
        admin = client(adminIdentity);
        adminKubeconfig = kubeconfig("e2e-admin", adminIdentity);
        Awaitility.await("kube-apiserver /readyz")
                .atMost(Duration.ofSeconds(240))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> {
                    processes.forEach(ManagedProcess::requireAlive);
                    return "ok".equals(admin.raw("/readyz"));
                });

        Path schedulerConfig = kubeconfig("kube-scheduler", pki.client("kube-scheduler", "system:kube-scheduler"));
        processes.add(ManagedProcess.start(
                "kube-scheduler",
                logs,
                List.of(
                        bin.resolve("kube-scheduler").toString(),
                        "--kubeconfig=" + schedulerConfig,
                        "--authentication-kubeconfig=" + schedulerConfig,
                        "--authorization-kubeconfig=" + schedulerConfig,
                        "--leader-elect=false",
                        "--bind-address=127.0.0.1",
                        "--secure-port=" + ManagedProcess.freePort(),
                        "--v=1"),
                Map.of()));

        // system:masters: without --use-service-account-credentials the controllers act with this one identity.
        Path kcmConfig = kubeconfig(
                "kube-controller-manager",
                pki.client("kube-controller-manager", "system:kube-controller-manager", "system:masters"));
        processes.add(ManagedProcess.start(
                "kube-controller-manager",
                logs,
                List.of(
                        bin.resolve("kube-controller-manager").toString(),
                        "--kubeconfig=" + kcmConfig,
                        "--authentication-kubeconfig=" + kcmConfig,
                        "--authorization-kubeconfig=" + kcmConfig,
                        "--leader-elect=false",
                        "--bind-address=127.0.0.1",
                        "--secure-port=" + ManagedProcess.freePort(),
                        "--service-account-private-key-file=" + sa.key(),
                        "--root-ca-file=" + pki.caCert(),
                        "--controllers=*,-nodeipam,-bootstrapsigner,-tokencleaner",
                        "--v=1"),
                Map.of()));

        Awaitility.await("ServiceAccount default/default (controller-manager running)")
                .atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> {
                    processes.forEach(ManagedProcess::requireAlive);
                    return admin.serviceAccounts()
                                    .inNamespace("default")
                                    .withName("default")
                                    .get()
                            != null;
                });
        return this;
    }

    /** A client with cluster-admin rights (system:masters). */
    public KubernetesClient admin() {
        return admin;
    }

    /** A fabric8 client authenticated with this client certificate. */
    public KubernetesClient client(Pki.Issued identity) {
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(url())
                .withCaCertFile(pki.caCert().toString())
                .withClientCertFile(identity.cert().toString())
                .withClientKeyFile(identity.key().toString())
                .withClientKeyAlgo("RSA")
                .withRequestTimeout(15_000)
                .withConnectionTimeout(10_000)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** A fabric8 client authenticated with this bearer token only (a ServiceAccount's). */
    public KubernetesClient client(String token) {
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(url())
                .withCaCertFile(pki.caCert().toString())
                .withOauthToken(token)
                .withRequestTimeout(15_000)
                .withConnectionTimeout(10_000)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** {@code kubectl} of the shared tools as cluster-admin; returns its stdout, fails with its output on an error. */
    public String kubectl(String... args) {
        List<String> command =
                new ArrayList<>(List.of(bin.resolve("kubectl").toString(), "--kubeconfig", adminKubeconfig.toString()));
        command.addAll(List.of(args));
        return RenderedManifests.run(command.toArray(String[]::new));
    }

    /** Writes a kubeconfig that authenticates with this bearer token and nothing else, and returns its path. */
    public Path kubeconfig(String name, String token) {
        String text = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: e2e
                  cluster:
                    server: %s
                    certificate-authority: %s
                users:
                - name: %s
                  user:
                    token: %s
                contexts:
                - name: e2e
                  context: {cluster: e2e, user: %s}
                current-context: e2e
                """.formatted(url(), pki.caCert(), name, token, name);
        try {
            return Files.writeString(work.resolve(name + ".kubeconfig"), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a kubeconfig for this identity (for the Go binaries) and returns its path. */
    public Path kubeconfig(String name, Pki.Issued identity) {
        String text = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: e2e
                  cluster:
                    server: %s
                    certificate-authority: %s
                users:
                - name: %s
                  user:
                    client-certificate: %s
                    client-key: %s
                contexts:
                - name: e2e
                  context: {cluster: e2e, user: %s}
                current-context: e2e
                """.formatted(url(), pki.caCert(), name, identity.cert(), identity.key(), name);
        try {
            return Files.writeString(work.resolve(name + ".kubeconfig"), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fails naming the dead process when one has exited. */
    public void requireAlive() {
        processes.forEach(ManagedProcess::requireAlive);
    }

    /** Stops everything, newest first. */
    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        for (int i = processes.size() - 1; i >= 0; i--) {
            try {
                processes.get(i).close();
            } catch (RuntimeException e) {
                System.err.println("stopping " + processes.get(i) + " failed: " + e);
            }
        }
    }
}
