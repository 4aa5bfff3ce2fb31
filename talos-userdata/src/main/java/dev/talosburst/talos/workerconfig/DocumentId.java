package dev.talosburst.talos.workerconfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * Which Talos config document a YAML document is: the v1alpha1 document (no {@code kind}) or a typed document
 * identified by apiVersion, kind and, for named kinds, name. Patches merge into the document with the same id.
 */
record DocumentId(String apiVersion, String kind, String name) {

    /** The single v1alpha1 document ({@code version: v1alpha1}, no apiVersion/kind). */
    static final DocumentId V1ALPHA1 = new DocumentId(null, null, null);

    static DocumentId of(ObjectNode document) {
        JsonNode kind = document.get("kind");
        if (kind == null || kind.isNull()) {
            return V1ALPHA1;
        }
        return new DocumentId(text(document.get("apiVersion")), kind.asText(), text(document.get("name")));
    }

    /** A typed singleton document such as {@code HostnameConfig}. */
    static DocumentId typed(String kind) {
        return new DocumentId("v1alpha1", kind, null);
    }

    boolean isV1Alpha1() {
        return kind == null;
    }

    boolean hasKind(String k) {
        return Objects.equals(kind, k);
    }

    /** How messages name the document: {@code v1alpha1}, {@code HostnameConfig}, {@code LinkConfig 'eth0'}. */
    String label() {
        if (isV1Alpha1()) {
            return "v1alpha1";
        }
        return kind + (name == null ? "" : " '" + name + "'");
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }
}
