package dev.talosburst.talos.workerconfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Talos strategic-merge patching of a multi-document config, as {@code talosctl machineconfig patch} does it:
 * each patch document merges into the document with the same apiVersion+kind+name (absent documents are
 * appended), maps merge, lists append (except the few Talos replaces or merges by key), scalars are replaced,
 * nulls leave the target alone, and {@code $patch: delete} removes a whole typed document, a map key or a
 * keyed list item.
 */
final class StrategicMerge {

    static final String DIRECTIVE = "$patch";

    /** Lists (and one map) that Talos replaces instead of appending to ({@code merge:"replace"} in Talos). */
    private static final Set<String> REPLACED = Set.of(
            "cluster.network.podSubnets",
            "cluster.network.serviceSubnets",
            "cluster.apiServer.auditPolicy",
            "KubeNetworkConfig:podSubnets",
            "KubeNetworkConfig:serviceSubnets");

    /** Lists whose items Talos merges by a key field instead of appending. */
    private static final Map<String, List<String>> KEYED_LISTS = Map.of(
            "machine.network.interfaces", List.of("interface", "deviceSelector"),
            "machine.network.interfaces[].vlans", List.of("vlanId"),
            "ExtensionServiceConfig:configFiles", List.of("mountPath"));

    private StrategicMerge() {}

    /**
     * Applies one (possibly multi-document) patch to the documents, in place.
     *
     * @param patchName how errors name the patch, e.g. {@code talosburst.pools.gpu.talos-patches[1]}
     */
    static void apply(List<ObjectNode> documents, List<ObjectNode> patch, String patchName) {
        Set<DocumentId> touched = new HashSet<>();
        for (ObjectNode patchDocument : patch) {
            DocumentId id = DocumentId.of(patchDocument);
            if (!touched.add(id)) {
                throw invalid(
                        patchName, "touches document " + id.label() + " twice; merge those parts into one document");
            }
            int index = indexOf(documents, id);
            if (isDelete(patchDocument, patchName, id.label())) {
                if (id.isV1Alpha1()) {
                    throw invalid(patchName, "tries to delete the v1alpha1 document, which every config needs");
                }
                if (index >= 0) {
                    documents.remove(index);
                }
                continue;
            }
            if (index < 0) {
                ObjectNode added = (ObjectNode) strip(patchDocument);
                if (id.isV1Alpha1()) {
                    documents.add(0, added);
                } else {
                    documents.add(added);
                }
            } else {
                String prefix = id.isV1Alpha1() ? "" : id.kind() + ":";
                mergeObject(documents.get(index), patchDocument, prefix, id.label(), patchName);
            }
        }
    }

    static int indexOf(List<ObjectNode> documents, DocumentId id) {
        for (int i = 0; i < documents.size(); i++) {
            if (DocumentId.of(documents.get(i)).equals(id)) {
                return i;
            }
        }
        return -1;
    }

    private static void mergeObject(
            ObjectNode target, ObjectNode patch, String path, String document, String patchName) {
        Iterator<Map.Entry<String, JsonNode>> fields = patch.properties().iterator();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = field.getKey();
            if (key.equals(DIRECTIVE)) {
                continue;
            }
            String fieldPath = path.isEmpty() || path.endsWith(":") ? path + key : path + "." + key;
            JsonNode value = field.getValue();
            JsonNode existing = target.get(key);
            if (isDelete(value, patchName, document + " " + display(fieldPath))) {
                target.remove(key);
            } else if (value.isNull()) {
                continue;
            } else if (existing == null || existing.isNull() || REPLACED.contains(fieldPath)) {
                target.set(key, strip(value));
            } else if (existing.isObject() && value.isObject()) {
                mergeObject((ObjectNode) existing, (ObjectNode) value, fieldPath, document, patchName);
            } else if (existing.isArray() && value.isArray()) {
                mergeList((ArrayNode) existing, (ArrayNode) value, fieldPath, document, patchName);
            } else {
                target.set(key, strip(value));
            }
        }
    }

    private static void mergeList(ArrayNode target, ArrayNode patch, String path, String document, String patchName) {
        List<String> keys = KEYED_LISTS.get(path);
        for (JsonNode item : patch) {
            boolean delete = isDelete(item, patchName, document + " " + display(path) + "[]");
            if (keys == null) {
                if (delete) {
                    throw invalid(
                            patchName,
                            "uses $patch: delete on an item of " + document + " "
                                    + display(path) + ", but Talos can only delete items of keyed lists"
                                    + " (network interfaces, vlans, extension config files); delete the whole field instead");
                }
                target.add(strip(item));
                continue;
            }
            int match = indexOfKeyed(target, item, keys);
            if (delete) {
                if (match >= 0) {
                    target.remove(match);
                }
            } else if (match >= 0 && target.get(match).isObject() && item.isObject()) {
                mergeObject((ObjectNode) target.get(match), (ObjectNode) item, path + "[]", document, patchName);
            } else {
                target.add(strip(item));
            }
        }
    }

    private static int indexOfKeyed(ArrayNode list, JsonNode item, List<String> keys) {
        for (String key : keys) {
            JsonNode wanted = item.get(key);
            if (wanted == null || wanted.isNull()) {
                continue;
            }
            for (int i = 0; i < list.size(); i++) {
                if (wanted.equals(list.get(i).get(key))) {
                    return i;
                }
            }
            return -1;
        }
        return -1;
    }

    private static boolean isDelete(JsonNode node, String patchName, String where) {
        if (node == null || !node.isObject() || !node.has(DIRECTIVE)) {
            return false;
        }
        JsonNode directive = node.get(DIRECTIVE);
        if (directive.isTextual() && directive.asText().equals("delete")) {
            return true;
        }
        throw invalid(
                patchName, "has an unsupported $patch directive at " + where + "; only '$patch: delete' is supported");
    }

    /** A copy without {@code $patch} markers; a delete of something that does not exist is dropped. */
    private static JsonNode strip(JsonNode node) {
        if (node.isObject()) {
            ObjectNode copy = YamlDocuments.MAPPER.createObjectNode();
            Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                JsonNode value = field.getValue();
                if (field.getKey().equals(DIRECTIVE) || isDeleteMarker(value)) {
                    continue;
                }
                copy.set(field.getKey(), strip(value));
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = YamlDocuments.MAPPER.createArrayNode();
            for (JsonNode item : node) {
                if (!isDeleteMarker(item)) {
                    copy.add(strip(item));
                }
            }
            return copy;
        }
        return node.deepCopy();
    }

    private static boolean isDeleteMarker(JsonNode node) {
        return node.isObject()
                && node.has(DIRECTIVE)
                && "delete".equals(node.get(DIRECTIVE).asText());
    }

    static String display(String path) {
        int colon = path.indexOf(':');
        return colon >= 0 ? path.substring(colon + 1) : path;
    }

    private static WorkerConfigException invalid(String patchName, String what) {
        return new WorkerConfigException(WorkerConfigException.Problem.INVALID_PATCH, patchName + " " + what);
    }
}
