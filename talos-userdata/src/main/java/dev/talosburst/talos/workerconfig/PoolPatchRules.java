package dev.talosburst.talos.workerconfig;

import static dev.talosburst.talos.workerconfig.DocumentModel.at;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What a pool's own patches may not do, checked on the patch itself so the error names the patch and the field:
 * touch what talos-burst sets per node (hostname), turn off KubeSpan or discovery, set a field in the place the
 * config's Talos version does not use (Talos rejects a field set in both places), set {@code nodeTaints} (refused
 * on workers), change the cluster's join identity, or contradict the pool's own labels.
 */
final class PoolPatchRules {

    private static final List<String> JOIN_IDENTITY =
            List.of("machine.token", "machine.ca", "cluster.token", "cluster.ca", "cluster.id", "cluster.secret");

    private PoolPatchRules() {}

    static void check(DocumentModel model, List<ObjectNode> patch, String patchName, NodeCustomization c) {
        for (ObjectNode document : patch) {
            DocumentId id = DocumentId.of(document);
            if (id.isV1Alpha1()) {
                checkV1Alpha1(model, document, patchName, c);
            } else {
                checkTyped(model, id, document, patchName, c);
            }
        }
    }

    private static void checkV1Alpha1(DocumentModel model, ObjectNode doc, String patchName, NodeCustomization c) {
        if (at(doc, "machine.nodeTaints") != null) {
            throw conflict(
                    patchName,
                    "sets machine.nodeTaints: Talos applies those with the kubelet's credentials,"
                            + " which the NodeRestriction admission plugin refuses on workers; put the taints in the pool's"
                            + " taints instead (talos-burst registers them through kubelet registerWithTaints)");
        }
        if (at(doc, "machine.type") != null) {
            throw conflict(patchName, "sets machine.type; talos-burst only creates workers, remove it");
        }
        for (String path : JOIN_IDENTITY) {
            if (at(doc, path) != null) {
                throw conflict(
                        patchName,
                        "sets " + path + ", part of the cluster's join identity;"
                                + " change the worker config Secret instead of patching it per pool");
            }
        }
        if (at(doc, "machine.network.hostname") != null) {
            throw conflict(
                    patchName,
                    "sets machine.network.hostname, but talos-burst sets every node's hostname"
                            + " to its server name (" + model.hostnamePath() + " on Talos " + model.version + ");"
                            + " remove it from the patch");
        }
        JsonNode network = at(doc, "machine.network");
        if (isDelete(network) && !(model.hostnameInDocument && model.kubeSpanInDocument)) {
            throw conflict(
                    patchName,
                    "deletes machine.network, which holds " + model.kubeSpanPath()
                            + " that talos-burst nodes need to join; delete only the fields you mean to");
        }
        JsonNode kubespan = at(doc, "machine.network.kubespan");
        if (kubespan != null) {
            if (model.kubeSpanInDocument) {
                throw conflict(
                        patchName,
                        "sets machine.network.kubespan, but on Talos " + model.version
                                + " KubeSpan is configured in the KubeSpanConfig document and Talos rejects both;"
                                + " move these settings to a KubeSpanConfig document");
            }
            if (isDelete(kubespan) || isFalse(kubespan.get("enabled"))) {
                throw disablesKubeSpan(patchName, "machine.network.kubespan");
            }
        }
        JsonNode discovery = at(doc, "cluster.discovery");
        if (discovery != null) {
            if (model.discoveryInDocuments) {
                throw conflict(
                        patchName,
                        "sets cluster.discovery, but on Talos " + model.version
                                + " discovery is configured in DiscoveryServiceConfig documents and Talos rejects both;"
                                + " patch the DiscoveryServiceConfig document instead");
            }
            if (isDelete(discovery)
                    || isFalse(discovery.get("enabled"))
                    || isDelete(at(discovery, "registries.service"))
                    || isTrue(at(discovery, "registries.service.disabled"))) {
                throw conflict(
                        patchName,
                        "turns off the discovery service (cluster.discovery), which KubeSpan needs"
                                + " to find its peers; remove that from the patch");
            }
        }
        if (model.labelsInDocument) {
            for (String field : List.of("machine.nodeLabels", "machine.nodeAnnotations")) {
                if (at(doc, field) != null) {
                    throw conflict(
                            patchName,
                            "sets " + field + ", but on Talos " + model.version + " node labels"
                                    + " and annotations live in the KubeNodeConfig document and Talos rejects both;"
                                    + " patch a KubeNodeConfig document instead");
                }
            }
        } else {
            checkLabels(at(doc, "machine.nodeLabels"), "machine.nodeLabels", patchName, c);
        }
        if (model.kubeletInDocument && at(doc, "machine.kubelet") != null) {
            throw conflict(
                    patchName,
                    "sets machine.kubelet, but on Talos " + model.version + " the kubelet is"
                            + " configured in the KubeletConfig document and Talos rejects both;"
                            + " patch a KubeletConfig document instead");
        }
    }

    private static void checkTyped(
            DocumentModel model, DocumentId id, ObjectNode doc, String patchName, NodeCustomization c) {
        String kind = id.kind();
        if (!model.version.atLeast(14) && VersionDetection.KINDS_SINCE_1_14.contains(kind)) {
            throw conflict(
                    patchName,
                    "has a " + kind + " document, which Talos " + model.version
                            + " does not know (it is new in Talos 1.14)");
        }
        boolean delete = isDelete(doc);
        switch (kind) {
            case DocumentModel.HOSTNAME_CONFIG ->
                throw conflict(
                        patchName,
                        "touches the HostnameConfig document,"
                                + " but talos-burst sets every node's hostname to its server name (HostnameConfig.hostname,"
                                + " auto: off); remove that document from the patch");
            case DocumentModel.KUBESPAN_CONFIG -> {
                if (!model.version.atLeast(13)) {
                    throw conflict(
                            patchName,
                            "has a KubeSpanConfig document, which Talos " + model.version
                                    + " does not know (it is new in 1.13); use machine.network.kubespan");
                }
                if (!model.kubeSpanInDocument) {
                    throw conflict(
                            patchName,
                            "has a KubeSpanConfig document, but this worker config configures"
                                    + " KubeSpan in machine.network.kubespan and Talos rejects both; patch that instead");
                }
                if (delete || isFalse(doc.get("enabled"))) {
                    throw disablesKubeSpan(patchName, "KubeSpanConfig");
                }
            }
            case DocumentModel.KUBE_NODE_CONFIG -> {
                if (!model.labelsInDocument) {
                    throw conflict(
                            patchName,
                            "has a KubeNodeConfig document, but this worker config sets node"
                                    + " labels in machine.nodeLabels and Talos rejects both; patch that instead");
                }
                if (doc.has("taints")) {
                    throw conflict(
                            patchName,
                            "sets KubeNodeConfig.taints: Talos applies those with the kubelet's"
                                    + " credentials, which the NodeRestriction admission plugin refuses on workers; put the"
                                    + " taints in the pool's taints instead (registered through KubeletConfig"
                                    + " registerWithTaints)");
                }
                if (delete) {
                    throw conflict(patchName, "deletes the KubeNodeConfig document, which holds the node labels");
                }
                checkLabels(doc.get("labels"), "KubeNodeConfig.labels", patchName, c);
            }
            case DocumentModel.KUBELET_CONFIG -> {
                if (delete) {
                    throw conflict(patchName, "deletes the KubeletConfig document, which every node needs");
                }
                if (!model.kubeletInDocument) {
                    throw conflict(
                            patchName,
                            "has a KubeletConfig document, but this worker config configures the"
                                    + " kubelet in machine.kubelet and Talos rejects both; patch that instead");
                }
            }
            case DocumentModel.DISCOVERY_SERVICE_CONFIG -> {
                if (delete) {
                    throw conflict(
                            patchName,
                            "deletes a DiscoveryServiceConfig document; KubeSpan needs the"
                                    + " discovery service to find its peers");
                }
            }
            case DocumentModel.DISCOVERY_IDENTITY_CONFIG ->
                throw conflict(
                        patchName,
                        "touches the"
                                + " DiscoveryIdentityConfig document, part of the cluster's join identity; change the worker"
                                + " config Secret instead");
            default -> {
                // other documents are the pool's business; the schema and the built-in checks judge the result
            }
        }
    }

    private static void checkLabels(JsonNode labels, String field, String patchName, NodeCustomization c) {
        if (labels == null || !labels.isObject()) {
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> it = labels.properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> label = it.next();
            String wanted = c.labels().get(label.getKey());
            if (wanted != null && !wanted.equals(label.getValue().asText())) {
                throw conflict(
                        patchName,
                        "sets label " + label.getKey() + " in " + field + " to '"
                                + label.getValue().asText() + "', but the pool's labels set it to '" + wanted
                                + "'; set it in one place");
            }
        }
    }

    private static boolean isDelete(JsonNode node) {
        return node != null
                && node.isObject()
                && "delete".equals(node.path(StrategicMerge.DIRECTIVE).asText());
    }

    private static boolean isFalse(JsonNode node) {
        return node != null && (node.isBoolean() && !node.booleanValue() || "false".equals(node.asText()));
    }

    private static boolean isTrue(JsonNode node) {
        return node != null && (node.isBoolean() && node.booleanValue() || "true".equals(node.asText()));
    }

    private static WorkerConfigException disablesKubeSpan(String patchName, String where) {
        return conflict(
                patchName,
                "turns KubeSpan off (" + where + "); talos-burst nodes join the cluster over"
                        + " KubeSpan, so it must stay enabled");
    }

    private static WorkerConfigException conflict(String patchName, String what) {
        return new WorkerConfigException(WorkerConfigException.Problem.PATCH_CONFLICT, patchName + " " + what);
    }
}
