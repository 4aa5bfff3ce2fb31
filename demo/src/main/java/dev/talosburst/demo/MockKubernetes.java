package dev.talosburst.demo;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatchException;
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
        KubernetesMockServer server = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new PatchConflictsAnswered(), false);
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

    /**
     * The CRUD dispatcher, except that a JSON patch whose {@code test} fails (a stale {@code resourceVersion}) is answered
     * 422 like a real API server; the mock itself throws, leaving the client to time out after 10 s.
     */
    private static final class PatchConflictsAnswered extends KubernetesCrudDispatcher {

        PatchConflictsAnswered() {
            super(List.of());
        }

        @Override
        public MockResponse handlePatch(RecordedRequest request) {
            try {
                return super.handlePatch(request);
            } catch (JsonPatchException e) {
                return new MockResponse()
                        .setResponseCode(422)
                        .addHeader("Content-Type", "application/json")
                        .setBody(
                                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                                        + "\"message\":\"the server rejected our request due to an error in our request\",\"reason\":\"Invalid\",\"code\":422}");
            }
        }
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
