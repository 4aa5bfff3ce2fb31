package dev.talosburst.e2e.harness;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The objects of one {@code k8s/} kustomization as {@code kubectl kustomize} renders them (the kubectl of the shared
 * tools), so the suite runs what a user applies instead of a copy of it.
 */
public final class RenderedManifests {

    /** The kinds that make talos-burst's identity: its namespace, its ServiceAccount and its roles and bindings. */
    private static final Set<String> IDENTITY_KINDS =
            Set.of("Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");

    private final Path dir;
    private final List<HasMetadata> objects;

    private RenderedManifests(Path dir, List<HasMetadata> objects) {
        this.dir = dir;
        this.objects = objects;
    }

    /** Renders {@code dir} with {@code kubectl kustomize}; fails with kubectl's output when it cannot. */
    public static RenderedManifests render(Path kubectl, Path dir) {
        String yaml = run(kubectl.toString(), "kustomize", dir.toString());
        List<HasMetadata> items = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---$")) {
            if (!doc.isBlank()) {
                items.add(Serialization.<HasMetadata>unmarshal(doc));
            }
        }
        if (items.isEmpty()) {
            throw new IllegalStateException("kubectl kustomize " + dir + " rendered nothing");
        }
        return new RenderedManifests(dir, List.copyOf(items));
    }

    /** Every rendered object. */
    public List<HasMetadata> objects() {
        return objects;
    }

    /** The Namespace, ServiceAccount(s), roles and bindings: what an identity in the cluster is made of. */
    public List<HasMetadata> identity() {
        return objects.stream()
                .filter(o -> IDENTITY_KINDS.contains(o.getKind()))
                .toList();
    }

    /** The one object of this kind and name. */
    public <T extends HasMetadata> T find(Class<T> type, String name) {
        return objects.stream()
                .filter(type::isInstance)
                .map(type::cast)
                .filter(o -> o.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(dir + " renders no " + type.getSimpleName() + " " + name));
    }

    /** The container of that name in the Deployment of that name. */
    public Container container(String deployment, String container) {
        return find(Deployment.class, deployment).getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals(container))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "Deployment " + deployment + " of " + dir + " has no container " + container));
    }

    /** A properties file held by the ConfigMap whose (generated, hashed) name starts with {@code prefix}. */
    public Properties properties(String prefix, String key) {
        ConfigMap map = objects.stream()
                .filter(ConfigMap.class::isInstance)
                .map(ConfigMap.class::cast)
                .filter(c -> c.getMetadata().getName().startsWith(prefix))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(dir + " renders no ConfigMap " + prefix + "*"));
        Properties p = new Properties();
        try {
            p.load(new StringReader(map.getData().get(key)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** One entry of the Secret whose (generated, hashed) name starts with {@code prefix}, decoded. */
    public String secretEntry(String prefix, String key) {
        Secret secret = objects.stream()
                .filter(Secret.class::isInstance)
                .map(Secret.class::cast)
                .filter(s -> s.getMetadata().getName().startsWith(prefix))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(dir + " renders no Secret " + prefix + "*"));
        return new String(Base64.getMimeDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }

    /** Runs a command, returns its stdout; fails with its whole output when it exits non-zero. */
    static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out + err);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
