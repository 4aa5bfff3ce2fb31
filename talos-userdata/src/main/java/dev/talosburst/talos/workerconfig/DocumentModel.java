package dev.talosburst.talos.workerconfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talosburst.provisioner.pool.Taint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where, in one worker config of one Talos version, each setting talos-burst manages lives: labels in
 * {@code machine.nodeLabels} (≤ 1.13) or {@code KubeNodeConfig.labels} (1.14), taints in kubelet
 * {@code registerWithTaints} under {@code machine.kubelet.extraConfig} or {@code KubeletConfig.config}, the
 * hostname in {@code machine.network.hostname} (≤ 1.11) or {@code HostnameConfig} (1.12+), KubeSpan in
 * {@code machine.network.kubespan} (≤ 1.12) or {@code KubeSpanConfig} (1.13+), discovery in
 * {@code cluster.discovery} (≤ 1.13) or {@code DiscoveryServiceConfig}/{@code DiscoveryIdentityConfig} (1.14).
 * Where a newer config still uses the old place (Talos accepts both, but never both at once), the old place is
 * kept so the result never sets a field twice.
 */
final class DocumentModel {

    static final String KUBE_NODE_CONFIG = "KubeNodeConfig";
    static final String KUBELET_CONFIG = "KubeletConfig";
    static final String HOSTNAME_CONFIG = "HostnameConfig";
    static final String KUBESPAN_CONFIG = "KubeSpanConfig";
    static final String DISCOVERY_SERVICE_CONFIG = "DiscoveryServiceConfig";
    static final String DISCOVERY_IDENTITY_CONFIG = "DiscoveryIdentityConfig";

    final TalosVersion version;
    final boolean labelsInDocument;
    final boolean kubeletInDocument;
    final boolean hostnameInDocument;
    final boolean kubeSpanInDocument;
    final boolean discoveryInDocuments;

    private DocumentModel(
            TalosVersion version,
            boolean labelsInDocument,
            boolean kubeletInDocument,
            boolean hostnameInDocument,
            boolean kubeSpanInDocument,
            boolean discoveryInDocuments) {
        this.version = version;
        this.labelsInDocument = labelsInDocument;
        this.kubeletInDocument = kubeletInDocument;
        this.hostnameInDocument = hostnameInDocument;
        this.kubeSpanInDocument = kubeSpanInDocument;
        this.discoveryInDocuments = discoveryInDocuments;
    }

    static DocumentModel of(TalosVersion version, List<ObjectNode> base) {
        ObjectNode v1 = v1alpha1(base);
        boolean is114 = version.atLeast(14);
        boolean labels = is114 && (has(base, KUBE_NODE_CONFIG) || at(v1, "machine.nodeLabels") == null);
        boolean kubelet = is114 && (has(base, KUBELET_CONFIG) || at(v1, "machine.kubelet") == null);
        boolean hostname = version.atLeast(12);
        boolean kubeSpan =
                version.atLeast(13) && (has(base, KUBESPAN_CONFIG) || at(v1, "machine.network.kubespan") == null);
        boolean discovery = is114 && (has(base, DISCOVERY_SERVICE_CONFIG) || at(v1, "cluster.discovery") == null);
        return new DocumentModel(version, labels, kubelet, hostname, kubeSpan, discovery);
    }

    String labelsPath() {
        return labelsInDocument ? "KubeNodeConfig.labels" : "machine.nodeLabels";
    }

    String taintsPath() {
        return kubeletInDocument
                ? "KubeletConfig.config.registerWithTaints"
                : "machine.kubelet.extraConfig.registerWithTaints";
    }

    String hostnamePath() {
        return hostnameInDocument ? "HostnameConfig.hostname" : "machine.network.hostname";
    }

    String kubeSpanPath() {
        return kubeSpanInDocument ? "KubeSpanConfig.enabled" : "machine.network.kubespan.enabled";
    }

    /** talos-burst's own settings for one node, as a strategic-merge patch in this model. */
    List<ObjectNode> nodePatch(NodeCustomization c) {
        ObjectNode v1 = YamlDocuments.MAPPER.createObjectNode();
        List<ObjectNode> typed = new ArrayList<>();
        Map<String, String> labels = c.sortedLabels();
        if (!labels.isEmpty()) {
            ObjectNode labelNode = YamlDocuments.MAPPER.createObjectNode();
            labels.forEach(labelNode::put);
            if (labelsInDocument) {
                typed.add(typed(KUBE_NODE_CONFIG).set("labels", labelNode));
            } else {
                v1.withObjectProperty("machine").set("nodeLabels", labelNode);
            }
        }
        if (!c.taints().isEmpty()) {
            ArrayNode taints = YamlDocuments.MAPPER.createArrayNode();
            for (Taint t : c.taints()) {
                ObjectNode taint = taints.addObject().put("key", t.key());
                if (!t.value().isEmpty()) {
                    taint.put("value", t.value());
                }
                taint.put("effect", t.effect());
            }
            if (kubeletInDocument) {
                ObjectNode doc = typed(KUBELET_CONFIG);
                doc.putObject("config").set("registerWithTaints", taints);
                typed.add(doc);
            } else {
                v1.withObjectProperty("machine")
                        .withObjectProperty("kubelet")
                        .withObjectProperty("extraConfig")
                        .set("registerWithTaints", taints);
            }
        }
        if (hostnameInDocument) {
            typed.add(typed(HOSTNAME_CONFIG).put("hostname", c.hostname()).put("auto", "off"));
        } else {
            v1.withObjectProperty("machine").withObjectProperty("network").put("hostname", c.hostname());
        }
        if (kubeSpanInDocument) {
            typed.add(typed(KUBESPAN_CONFIG).put("enabled", true));
        } else {
            v1.withObjectProperty("machine")
                    .withObjectProperty("network")
                    .withObjectProperty("kubespan")
                    .put("enabled", true);
        }
        if (!discoveryInDocuments) {
            v1.withObjectProperty("cluster").withObjectProperty("discovery").put("enabled", true);
        }
        List<ObjectNode> patch = new ArrayList<>();
        if (!v1.isEmpty()) {
            patch.add(v1);
        }
        patch.addAll(typed);
        return patch;
    }

    /**
     * Removes what no Talos schema accepts and nothing reads: {@code persist} (deprecated and ignored in every
     * version) and an empty {@code machine.network} once hostname and KubeSpan live in their own documents.
     */
    void tidy(List<ObjectNode> documents) {
        ObjectNode v1 = v1alpha1(documents);
        v1.remove("persist");
        JsonNode network = at(v1, "machine.network");
        if (hostnameInDocument && kubeSpanInDocument && network != null && network.isObject() && network.isEmpty()) {
            ((ObjectNode) v1.get("machine")).remove("network");
        }
    }

    static ObjectNode v1alpha1(List<ObjectNode> documents) {
        int index = StrategicMerge.indexOf(documents, DocumentId.V1ALPHA1);
        return index < 0 ? YamlDocuments.MAPPER.createObjectNode() : documents.get(index);
    }

    static ObjectNode document(List<ObjectNode> documents, String kind) {
        for (ObjectNode d : documents) {
            if (DocumentId.of(d).hasKind(kind)) {
                return d;
            }
        }
        return null;
    }

    static boolean has(List<ObjectNode> documents, String kind) {
        return document(documents, kind) != null;
    }

    /** The node at a dotted path, or null when any step is missing or null. */
    static JsonNode at(JsonNode node, String dottedPath) {
        JsonNode current = node;
        for (String step : dottedPath.split("\\.")) {
            if (current == null || !current.isObject()) {
                return null;
            }
            current = current.get(step);
        }
        return current == null || current.isNull() ? null : current;
    }

    private static ObjectNode typed(String kind) {
        return YamlDocuments.MAPPER
                .createObjectNode()
                .put("apiVersion", "v1alpha1")
                .put("kind", kind);
    }
}
