package dev.talosburst.talos.workerconfig;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Kubernetes naming rules for what a node registers with: label keys and values, taint keys, and the
 * restrictions the NodeRestriction admission plugin puts on labels a kubelet may set.
 */
final class KubernetesNames {

    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    /** Labels a kubelet may set inside kubernetes.io / k8s.io (k8s.io/kubelet well_known_labels.go). */
    private static final Set<String> KUBELET_LABELS = Set.of(
            "kubernetes.io/hostname",
            "kubernetes.io/os",
            "kubernetes.io/arch",
            "beta.kubernetes.io/os",
            "beta.kubernetes.io/arch",
            "beta.kubernetes.io/instance-type",
            "node.kubernetes.io/instance-type",
            "topology.kubernetes.io/zone",
            "topology.kubernetes.io/region",
            "failure-domain.beta.kubernetes.io/zone",
            "failure-domain.beta.kubernetes.io/region");

    private static final Set<String> KUBELET_NAMESPACES = Set.of("kubelet.kubernetes.io", "node.kubernetes.io");

    private KubernetesNames() {}

    /** Why the key is not a valid qualified name ({@code [prefix/]name}), if it is not. */
    static Optional<String> qualifiedNameProblem(String key) {
        if (key == null || key.isEmpty()) {
            return Optional.of("is empty");
        }
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty() || prefix.length() > 253 || !isDnsSubdomain(prefix)) {
                return Optional.of("has prefix '" + prefix + "', which is not a lowercase DNS subdomain"
                        + " of at most 253 characters");
            }
        }
        if (name.isEmpty() || name.length() > 63 || !NAME.matcher(name).matches()) {
            return Optional.of("has name part '" + name + "', which must be 1-63 characters of [A-Za-z0-9-_.]"
                    + " starting and ending with a letter or digit");
        }
        return Optional.empty();
    }

    /** Why the value is not a valid label value, if it is not. */
    static Optional<String> labelValueProblem(String value) {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        if (value.length() > 63 || !NAME.matcher(value).matches()) {
            return Optional.of("must be at most 63 characters of [A-Za-z0-9-_.] starting and ending with a letter"
                    + " or digit (or empty)");
        }
        return Optional.empty();
    }

    /**
     * Why a kubelet may not set this label (NodeRestriction: no node-restriction.kubernetes.io labels, and no
     * kubernetes.io / k8s.io labels outside the kubelet allow-list), if it may not.
     */
    static Optional<String> kubeletForbidden(String key) {
        int slash = key.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        String namespace = key.substring(0, slash);
        if (inNamespace(namespace, "node-restriction.kubernetes.io")) {
            return Optional.of("is in node-restriction.kubernetes.io, which kubelets may never set");
        }
        boolean kubernetes = inNamespace(namespace, "kubernetes.io") || inNamespace(namespace, "k8s.io");
        if (kubernetes
                && !KUBELET_LABELS.contains(key)
                && KUBELET_NAMESPACES.stream().noneMatch(n -> inNamespace(namespace, n))) {
            return Optional.of("is in the " + namespace + " namespace, which the NodeRestriction admission plugin"
                    + " does not let a kubelet set (allowed: node.kubernetes.io/*, kubelet.kubernetes.io/*, "
                    + "kubernetes.io/hostname|os|arch, topology.kubernetes.io/zone|region, ...); use your own"
                    + " domain, e.g. example.com/role, or label the node after it joins");
        }
        return Optional.empty();
    }

    /** True for a lowercase RFC 1123 label (what a Hetzner server name and the Talos node name must be). */
    static boolean isHostname(String name) {
        return name != null && name.length() <= 63 && DNS_LABEL.matcher(name).matches();
    }

    private static boolean isDnsSubdomain(String s) {
        for (String part : s.split("\\.", -1)) {
            if (part.isEmpty() || part.length() > 63 || !DNS_LABEL.matcher(part).matches()) {
                return false;
            }
        }
        return true;
    }

    private static boolean inNamespace(String namespace, String domain) {
        return namespace.equals(domain) || namespace.endsWith("." + domain);
    }
}
