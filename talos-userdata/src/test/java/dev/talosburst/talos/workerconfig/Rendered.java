package dev.talosburst.talos.workerconfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Test view of a rendered config: decoded (gunzipped if needed) and parsed back into documents. */
final class Rendered {

    final String yaml;
    final List<ObjectNode> documents;

    private Rendered(String yaml) {
        this.yaml = yaml;
        this.documents = YamlDocuments.parse(
                yaml,
                e -> new WorkerConfigException(
                        WorkerConfigException.Problem.UNREADABLE_CONFIG, "rendered YAML does not parse" + e.where()));
    }

    static Rendered of(RenderedUserData data) {
        return new Rendered(data.compressed() ? gunzip(data.text()) : data.text());
    }

    static Rendered ofYaml(String yaml) {
        return new Rendered(yaml);
    }

    static String gunzip(String base64) {
        try (GZIPInputStream in =
                new GZIPInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(base64)))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ObjectNode v1alpha1() {
        return DocumentModel.v1alpha1(documents);
    }

    ObjectNode doc(String kind) {
        return DocumentModel.document(documents, kind);
    }

    /** A value by dotted path in the v1alpha1 document, or by {@code Kind:path} in a typed document. */
    JsonNode at(String path) {
        int colon = path.indexOf(':');
        if (colon < 0) {
            return DocumentModel.at(v1alpha1(), path);
        }
        ObjectNode doc = doc(path.substring(0, colon));
        return doc == null ? null : DocumentModel.at(doc, path.substring(colon + 1));
    }

    String text(String path) {
        JsonNode node = at(path);
        return node == null ? null : node.asText();
    }

    long count(String kind) {
        return documents.stream().filter(d -> DocumentId.of(d).hasKind(kind)).count();
    }
}
