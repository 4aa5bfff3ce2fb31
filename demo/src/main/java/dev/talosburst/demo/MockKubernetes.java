package dev.talosburst.demo;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;

/**
 * A Kubernetes API for the demo's Nodes and the leader Lease: the fabric8 mock server in CRUD mode (it keeps objects,
 * serves watches, JSON and merge patches) on 127.0.0.1, plain HTTP, no authentication.
 */
public final class MockKubernetes implements AutoCloseable {

    private final KubernetesMockServer server;
    private final KubernetesClient client;

    private MockKubernetes(KubernetesMockServer server) {
        this.server = server;
        this.client = server.createClient();
    }

    /** Starts the server on a free loopback port. */
    public static MockKubernetes start() {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        try {
            server.init(InetAddress.getByName("127.0.0.1"), 0);
        } catch (java.net.UnknownHostException | RuntimeException e) {
            throw new IllegalStateException("cannot start the mock Kubernetes API on 127.0.0.1: " + e.getMessage(), e);
        }
        return new MockKubernetes(server);
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** A client for the demo's own use (kubelets, the stand-in CA, the observer). */
    public KubernetesClient client() {
        return client;
    }

    /** Writes a kubeconfig for this server (what talos-burst reads through {@code KUBECONFIG}). */
    public Path writeKubeconfig(Path file) {
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: demo
                  cluster:
                    server: %s
                users:
                - name: demo
                  user:
                    token: demo-not-a-secret
                contexts:
                - name: demo
                  context:
                    cluster: demo
                    user: demo
                    namespace: default
                current-context: demo
                """.formatted(url());
        try {
            return Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
