package dev.talosburst.e2e.harness;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.util.List;

/**
 * talos-burst's identity in the cluster exactly as {@code k8s/base} creates it: its Namespace, ServiceAccount,
 * ClusterRole, Role and bindings applied as rendered, and a token for that ServiceAccount from the TokenRequest API
 * ({@code kubectl create token}) in a kubeconfig that holds nothing else, as a pod's projected token would be.
 */
public final class ServiceAccountIdentity {

    private final String namespace;
    private final String serviceAccount;
    private final String token;
    private final Path kubeconfig;
    private final List<String> applied;

    private ServiceAccountIdentity(
            String namespace, String serviceAccount, String token, Path kubeconfig, List<String> applied) {
        this.namespace = namespace;
        this.serviceAccount = serviceAccount;
        this.token = token;
        this.kubeconfig = kubeconfig;
        this.applied = applied;
    }

    /**
     * Creates the rendered identity objects of {@code base} and a token for the ServiceAccount of its Deployment
     * {@code deployment}.
     */
    public static ServiceAccountIdentity apply(ControlPlane plane, RenderedManifests base, String deployment) {
        Deployment d = base.find(Deployment.class, deployment);
        String namespace = d.getMetadata().getNamespace();
        String serviceAccount = d.getSpec().getTemplate().getSpec().getServiceAccountName();
        List<HasMetadata> objects = base.identity();
        for (HasMetadata o : objects) { // kustomize's order: the Namespace first, bindings after their roles
            plane.admin().resource(o).create();
        }
        String token = plane.kubectl("create", "token", serviceAccount, "--namespace", namespace, "--duration=2h")
                .strip();
        if (token.isEmpty() || token.contains(" ")) {
            throw new IllegalStateException("kubectl create token " + serviceAccount + " answered no token");
        }
        Path kubeconfig = plane.kubeconfig(serviceAccount + "-serviceaccount", token);
        return new ServiceAccountIdentity(
                namespace,
                serviceAccount,
                token,
                kubeconfig,
                objects.stream()
                        .map(o -> o.getKind() + " " + o.getMetadata().getName())
                        .toList());
    }

    /** The namespace of the ServiceAccount (and of the Deployment). */
    public String namespace() {
        return namespace;
    }

    /** The user the API server sees: {@code system:serviceaccount:<namespace>:<name>}. */
    public String user() {
        return "system:serviceaccount:" + namespace + ":" + serviceAccount;
    }

    /** The bearer token (never logged). */
    public String token() {
        return token;
    }

    /** A kubeconfig with the token and the cluster's CA, and nothing else. */
    public Path kubeconfig() {
        return kubeconfig;
    }

    /** What was applied, e.g. {@code ClusterRole talos-burst-nodes}. */
    public List<String> applied() {
        return applied;
    }
}
