package dev.talosburst.talos.workerconfig;

import static dev.talosburst.talos.workerconfig.DocumentModel.at;
import static dev.talosburst.talos.workerconfig.DocumentModel.document;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talosburst.provisioner.pool.Taint;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Built-in checks of a rendered worker config, independent of any JSON Schema: everything talos-burst touches is
 * where this Talos version reads it and valid for Kubernetes, KubeSpan and discovery are on, and nothing Talos
 * rejects on workers or across documents is set. Problems name documents and fields, never secret values.
 */
final class ConfigChecks {

    private static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");

    private ConfigChecks() {}

    /** Problems with the node settings themselves, found before anything is rendered. */
    static List<String> checkSettings(NodeCustomization c) {
        List<String> problems = new ArrayList<>();
        if (!KubernetesNames.isHostname(c.hostname())) {
            problems.add("hostname '" + c.hostname() + "' is not a lowercase RFC 1123 label (a-z, 0-9, '-', at most"
                    + " 63 characters, not starting or ending with '-'); the Talos node name must equal the"
                    + " server name");
        }
        c.sortedLabels().forEach((key, value) -> checkLabel(key, value, "pool label", problems));
        for (Taint t : c.taints()) {
            checkTaint(t.key(), t.value(), t.effect(), "pool taint", problems);
        }
        return problems;
    }

    /** Problems with a rendered config. */
    static List<String> check(DocumentModel model, List<ObjectNode> docs, NodeCustomization c) {
        List<String> problems = new ArrayList<>();
        ObjectNode v1 = DocumentModel.v1alpha1(docs);
        if (!"worker"
                .equals(
                        at(v1, "machine.type") == null
                                ? null
                                : at(v1, "machine.type").asText())) {
            problems.add("v1alpha1 machine.type must be worker");
        }
        if (v1.has("persist")) {
            problems.add("v1alpha1 persist must be dropped (deprecated; no Talos schema accepts it)");
        }
        if (at(v1, "machine.nodeTaints") != null) {
            problems.add("v1alpha1 machine.nodeTaints is set; Talos applies it with the kubelet's credentials, which"
                    + " NodeRestriction refuses on workers — use registerWithTaints (the pool's taints)");
        }
        ObjectNode kubeNode = document(docs, DocumentModel.KUBE_NODE_CONFIG);
        if (kubeNode != null && kubeNode.has("taints")) {
            problems.add("KubeNodeConfig.taints is set; workers may not modify taints — use registerWithTaints"
                    + " (the pool's taints)");
        }
        checkLabels(model, v1, kubeNode, c, problems);
        checkTaints(model, v1, docs, c, problems);
        checkHostname(model, v1, docs, c, problems);
        checkKubeSpan(model, v1, docs, problems);
        checkDiscovery(model, v1, docs, problems);
        return problems;
    }

    private static void checkLabels(
            DocumentModel model, ObjectNode v1, ObjectNode kubeNode, NodeCustomization c, List<String> problems) {
        JsonNode legacy = at(v1, "machine.nodeLabels");
        if (kubeNode != null && (legacy != null || at(v1, "machine.nodeAnnotations") != null)) {
            problems.add("node labels/annotations are set both in v1alpha1 machine.* and in KubeNodeConfig;"
                    + " Talos rejects that — keep only KubeNodeConfig");
        }
        JsonNode labels = model.labelsInDocument ? (kubeNode == null ? null : kubeNode.get("labels")) : legacy;
        if (labels != null && labels.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = labels.properties().iterator();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    problems.add(model.labelsPath() + " " + e.getKey() + " must have a string value");
                } else {
                    checkLabel(e.getKey(), e.getValue().asText(), model.labelsPath(), problems);
                }
            }
        }
        c.labels().forEach((key, value) -> {
            if (labels == null || !value.equals(labels.path(key).asText(null))) {
                problems.add(model.labelsPath() + " does not carry the pool label " + key + "=" + value);
            }
        });
    }

    private static void checkTaints(
            DocumentModel model, ObjectNode v1, List<ObjectNode> docs, NodeCustomization c, List<String> problems) {
        ObjectNode kubelet = document(docs, DocumentModel.KUBELET_CONFIG);
        if (kubelet != null && at(v1, "machine.kubelet") != null) {
            problems.add("the kubelet is configured both in v1alpha1 machine.kubelet and in KubeletConfig;"
                    + " Talos rejects that — keep only KubeletConfig");
        }
        if (model.kubeletInDocument && kubelet != null && at(kubelet, "image") == null) {
            problems.add("KubeletConfig has no image; the worker config must come with its KubeletConfig document"
                    + " (talosctl gen config writes one)");
        }
        JsonNode list = model.kubeletInDocument
                ? at(kubelet, "config.registerWithTaints")
                : at(v1, "machine.kubelet.extraConfig.registerWithTaints");
        Set<String> seen = new HashSet<>();
        if (list != null) {
            if (!list.isArray()) {
                problems.add(model.taintsPath() + " must be a list of {key, value, effect}");
                return;
            }
            for (JsonNode t : list) {
                String key = t.path("key").asText("");
                String effect = t.path("effect").asText("");
                checkTaint(key, t.path("value").asText(""), effect, model.taintsPath(), problems);
                if (!seen.add(key + ":" + effect)) {
                    problems.add(model.taintsPath() + " has taint " + key + ":" + effect
                            + " twice; Kubernetes rejects duplicate key/effect pairs");
                }
            }
        }
        for (Taint t : c.taints()) {
            if (!seen.contains(t.key() + ":" + t.effect())) {
                problems.add(model.taintsPath() + " does not carry the pool taint " + t);
            }
        }
    }

    private static void checkHostname(
            DocumentModel model, ObjectNode v1, List<ObjectNode> docs, NodeCustomization c, List<String> problems) {
        ObjectNode hostnameConfig = document(docs, DocumentModel.HOSTNAME_CONFIG);
        JsonNode legacy = at(v1, "machine.network.hostname");
        if (hostnameConfig != null && legacy != null) {
            problems.add("the hostname is set both in v1alpha1 machine.network.hostname and in HostnameConfig;"
                    + " Talos rejects that");
        }
        JsonNode hostname = model.hostnameInDocument ? at(hostnameConfig, "hostname") : legacy;
        if (hostname == null || !c.hostname().equals(hostname.asText())) {
            problems.add(model.hostnamePath() + " must be the server name " + c.hostname());
        }
        if (hostnameConfig != null
                && hostnameConfig.has("hostname")
                && !"off".equals(hostnameConfig.path("auto").asText("off"))) {
            problems.add("HostnameConfig sets both hostname and auto; Talos needs auto: off when hostname is set");
        }
    }

    private static void checkKubeSpan(
            DocumentModel model, ObjectNode v1, List<ObjectNode> docs, List<String> problems) {
        ObjectNode kubeSpan = document(docs, DocumentModel.KUBESPAN_CONFIG);
        JsonNode legacy = at(v1, "machine.network.kubespan");
        if (kubeSpan != null && legacy != null) {
            problems.add("KubeSpan is configured both in v1alpha1 machine.network.kubespan and in KubeSpanConfig;"
                    + " Talos rejects that");
        }
        JsonNode enabled = model.kubeSpanInDocument ? at(kubeSpan, "enabled") : at(legacy, "enabled");
        if (enabled == null || !enabled.isBoolean() || !enabled.booleanValue()) {
            problems.add(model.kubeSpanPath() + " must be true; nodes join the cluster over KubeSpan");
        }
    }

    private static void checkDiscovery(
            DocumentModel model, ObjectNode v1, List<ObjectNode> docs, List<String> problems) {
        boolean serviceDoc = document(docs, DocumentModel.DISCOVERY_SERVICE_CONFIG) != null;
        boolean identityDoc = document(docs, DocumentModel.DISCOVERY_IDENTITY_CONFIG) != null;
        if (model.discoveryInDocuments) {
            if (!serviceDoc || !identityDoc) {
                problems.add("discovery needs a DiscoveryServiceConfig and a DiscoveryIdentityConfig document"
                        + " (KubeSpan finds its peers through the discovery service); regenerate the worker config"
                        + " with talosctl gen config");
            }
            for (String field : List.of("cluster.discovery", "cluster.id", "cluster.secret")) {
                if (at(v1, field) != null) {
                    problems.add("v1alpha1 " + field + " is set next to the Discovery*Config documents;"
                            + " Talos rejects that — keep only the documents");
                }
            }
            return;
        }
        if (serviceDoc || identityDoc) {
            problems.add("Discovery*Config documents are present next to v1alpha1 cluster.discovery;"
                    + " Talos rejects that — keep one");
        }
        JsonNode enabled = at(v1, "cluster.discovery.enabled");
        if (enabled == null || !enabled.isBoolean() || !enabled.booleanValue()) {
            problems.add("cluster.discovery.enabled must be true; KubeSpan finds its peers through discovery");
        }
        JsonNode disabled = at(v1, "cluster.discovery.registries.service.disabled");
        if (disabled != null && disabled.asBoolean()) {
            problems.add("cluster.discovery.registries.service.disabled must not be true; KubeSpan needs the"
                    + " discovery service registry");
        }
        for (String field : List.of("cluster.id", "cluster.secret")) {
            JsonNode value = at(v1, field);
            if (value == null || value.asText().isEmpty()) {
                problems.add(field + " is missing; the discovery service needs the cluster's id and secret —"
                        + " use the worker config written by talosctl gen config");
            }
        }
    }

    private static void checkLabel(String key, String value, String where, List<String> problems) {
        Optional<String> keyProblem = KubernetesNames.qualifiedNameProblem(key);
        keyProblem.ifPresent(p -> problems.add(where + " key '" + key + "' " + p));
        if (keyProblem.isEmpty()) {
            KubernetesNames.kubeletForbidden(key).ifPresent(p -> problems.add(where + " " + key + " " + p));
        }
        KubernetesNames.labelValueProblem(value)
                .ifPresent(p -> problems.add(where + " " + key + " value '" + value + "' " + p));
    }

    private static void checkTaint(String key, String value, String effect, String where, List<String> problems) {
        KubernetesNames.qualifiedNameProblem(key).ifPresent(p -> problems.add(where + " key '" + key + "' " + p));
        KubernetesNames.labelValueProblem(value)
                .ifPresent(p -> problems.add(where + " " + key + " value '" + value + "' " + p));
        if (!EFFECTS.contains(effect)) {
            problems.add(where + " " + key + " has effect '" + effect + "'; use NoSchedule, PreferNoSchedule or"
                    + " NoExecute");
        }
    }
}
