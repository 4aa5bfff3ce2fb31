package dev.talosburst.autoscaler.kube;

import static dev.talosburst.autoscaler.kube.ClusterFixture.kubeletNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.talosburst.provisioner.directory.KubeNode;
import dev.talosburst.provisioner.directory.NodeDirectory;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The directory's own guarantees, without the engine: what it delivers and what it refuses to write. */
@EnableKubernetesMockClient(crud = true)
class NodeDirectoryWritesTest {
    static KubernetesClient client;

    private KubernetesNodeDirectory directory;
    private final List<String> heard = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        client.nodes().delete();
        await().until(() -> client.nodes().list().getItems().isEmpty());
        directory = new KubernetesNodeDirectory(client, Clock.systemUTC(), Duration.ofMinutes(10));
        directory.start();
        ClusterFixture.awaitLive(client, directory);
        directory.subscribe(new NodeDirectory.NodeListener() {
            @Override
            public void registered(KubeNode node) {
                heard.add("registered " + node.name());
            }

            @Override
            public void ready(KubeNode node) {
                heard.add("ready " + node.name());
            }

            @Override
            public void notReady(KubeNode node) {
                heard.add("not-ready " + node.name());
            }

            @Override
            public void removed(KubeNode node) {
                heard.add("removed " + node.name());
            }
        });
    }

    @AfterEach
    void stop() {
        directory.close();
    }

    @Test
    void aProviderIdIsWrittenOnlyOverTheEmptyValueTheCacheSaw() {
        client.nodes().resource(kubeletNode("w-1", Map.of())).create();
        await().until(() -> directory.byName("w-1").isPresent());
        directory.setProviderId("w-1", "hcloud://1");
        assertThat(client.nodes().withName("w-1").get().getSpec().getProviderID())
                .isEqualTo("hcloud://1");
        await().until(() -> directory.byProviderId("hcloud://1").isPresent());

        // already set: a second call with another id is ignored (the API server would refuse it too)
        directory.setProviderId("w-1", "hcloud://2");
        assertThat(client.nodes().withName("w-1").get().getSpec().getProviderID())
                .isEqualTo("hcloud://1");
        // unknown Nodes are not created or touched
        directory.setProviderId("nobody", "hcloud://3");
        assertThat(client.nodes().withName("nobody").get()).isNull();
    }

    @Test
    void aNodeChangedSinceTheCacheSawItIsNotOverwritten() {
        // the mock server drops a request whose JSON-patch test fails (a real API server answers 422): time out quickly
        try (KubernetesClient impatient = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(client.getConfiguration())
                        .withRequestTimeout(1000)
                        .withRequestRetryBackoffLimit(0)
                        .build())
                .build()) {
            KubernetesNodeDirectory stale =
                    new KubernetesNodeDirectory(impatient, Clock.systemUTC(), Duration.ofMinutes(10));
            stale.start();
            ClusterFixture.awaitLive(impatient, stale);
            client.nodes().resource(kubeletNode("w-2", Map.of())).create();
            await().until(() -> stale.byName("w-2").isPresent());
            stale.close(); // the cache stops following: what it holds is now stale
            client.nodes()
                    .withName("w-2")
                    .edit(n -> new NodeBuilder(n)
                            .editSpec()
                            .withProviderID("hcloud://77")
                            .endSpec()
                            .build());

            assertThatThrownBy(() -> stale.setProviderId("w-2", "hcloud://2"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("no answer from the API server");
        }
        assertThat(client.nodes().withName("w-2").get().getSpec().getProviderID())
                .isEqualTo("hcloud://77");
    }

    @Test
    void readinessChangesAndDeletionsAreDeliveredInTheListenersTerms() {
        client.nodes().resource(kubeletNode("w-3", Map.of())).create();
        await().until(() -> heard.contains("registered w-3"));
        ClusterFixture.setReady(client, "w-3", "True");
        await().until(() -> heard.contains("ready w-3"));
        ClusterFixture.setReady(client, "w-3", "False");
        await().until(() -> heard.contains("not-ready w-3"));
        directory.removeNode("w-3");
        await().until(() -> heard.contains("removed w-3"));
        assertThat(client.nodes().withName("w-3").get()).isNull();
        directory.removeNode("w-3"); // already gone: ignored
        assertThat(heard).containsSubsequence("registered w-3", "ready w-3", "not-ready w-3", "removed w-3");
    }
}
