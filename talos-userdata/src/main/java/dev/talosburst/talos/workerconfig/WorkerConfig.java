package dev.talosburst.talos.workerconfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The cluster's Talos worker machine config, as {@code talosctl gen config --with-kubespan --output-types worker}
 * writes it (one document up to Talos 1.11, several from 1.12), with the Talos version it was generated for.
 * It holds the cluster's join secrets: {@link #toString()} shows only where it came from and its shape.
 */
public final class WorkerConfig {

    private final String source;
    private final List<ObjectNode> documents;
    private final TalosVersion version;
    private final String versionExplanation;
    private final VersionDetection.Detected detected;

    private WorkerConfig(String source, List<ObjectNode> documents, VersionDetection.Detected detected) {
        this.source = source;
        this.documents = documents;
        this.version = detected.version();
        this.versionExplanation = detected.explanation();
        this.detected = detected;
    }

    /** The same config, rendered for another Talos version (the one a pool's snapshot runs), with why. */
    WorkerConfig forVersion(TalosVersion other, String explanation) {
        return new WorkerConfig(
                source,
                documents,
                new VersionDetection.Detected(
                        other, explanation, detected.oldest(), detected.newest(), true, detected.configured()));
    }

    /** False when the documents allow several Talos minors and nothing pinned one (talos-version unset). */
    public boolean versionCertain() {
        return detected.certain();
    }

    /** True when the version came from talos-version. */
    public boolean versionConfigured() {
        return detected.configured();
    }

    /** The oldest Talos whose images can read these documents. */
    public TalosVersion oldestReader() {
        return detected.oldest();
    }

    /** The newest Talos the evidence allows; empty when open-ended. */
    public Optional<TalosVersion> newestPossible() {
        return Optional.ofNullable(detected.newest());
    }

    /** Reads the worker config from a file (e.g. a mounted Secret) and detects its Talos version. */
    public static WorkerConfig load(Path file) {
        return load(file, Optional.empty());
    }

    /**
     * Reads the worker config from a file.
     *
     * @param talosVersion the operator's {@code talos-version}; when present it replaces detection
     */
    public static WorkerConfig load(Path file, Optional<TalosVersion> talosVersion) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new WorkerConfigException(
                    WorkerConfigException.Problem.UNREADABLE_CONFIG,
                    "worker config " + file + " does not exist; mount the Secret holding worker.yaml there");
        } catch (IOException | RuntimeException e) {
            throw new WorkerConfigException(
                    WorkerConfigException.Problem.UNREADABLE_CONFIG,
                    "cannot read worker config " + file + " (" + e.getClass().getSimpleName()
                            + "); check the file is readable UTF-8 text");
        }
        return parse(text, file.toString(), talosVersion);
    }

    /**
     * Parses worker config YAML.
     *
     * @param source how messages name the config (a path, never its content)
     */
    public static WorkerConfig parse(String yaml, String source, Optional<TalosVersion> talosVersion) {
        List<ObjectNode> documents = YamlDocuments.parse(
                yaml,
                error -> new WorkerConfigException(
                        WorkerConfigException.Problem.UNREADABLE_CONFIG,
                        "worker config " + source
                                + (error.fromParser()
                                        ? " is not valid YAML" + error.where()
                                                + " (the parser's message is not shown because the file holds join secrets)"
                                        : " is not a Talos machine config" + error.where() + ": " + error.problem())));
        if (documents.isEmpty()) {
            throw unusable(source, "is empty; it must be the worker.yaml written by talosctl gen config");
        }
        int v1alpha1 = 0;
        Set<DocumentId> seen = new HashSet<>();
        for (ObjectNode document : documents) {
            DocumentId id = DocumentId.of(document);
            if (!seen.add(id)) {
                throw unusable(source, "has two " + id.label() + " documents; keep one");
            }
            if (id.isV1Alpha1()) {
                v1alpha1++;
                if (!"v1alpha1".equals(document.path("version").asText())) {
                    throw unusable(
                            source,
                            "has a document with neither kind nor version: v1alpha1;"
                                    + " it is not a Talos machine config");
                }
            } else if (id.apiVersion() == null) {
                throw unusable(source, "has a " + id.kind() + " document without apiVersion");
            }
        }
        if (v1alpha1 == 0) {
            throw unusable(
                    source,
                    "has no v1alpha1 document (version: v1alpha1);"
                            + " it must be the worker.yaml written by talosctl gen config");
        }
        ObjectNode main = documents.get(StrategicMerge.indexOf(documents, DocumentId.V1ALPHA1));
        JsonNode type = main.path("machine").path("type");
        if (!"worker".equals(type.asText())) {
            String shown =
                    Set.of("controlplane", "init").contains(type.asText()) ? "a " + type.asText() : "not a worker";
            throw unusable(
                    source,
                    "is " + shown + " config (machine.type); talos-burst needs the worker config:"
                            + " talosctl gen config ... --output-types worker");
        }
        VersionDetection.Detected detected = VersionDetection.detect(documents, talosVersion, source);
        return new WorkerConfig(source, List.copyOf(documents), detected);
    }

    /** The Talos minor the config was generated for (its document model). */
    public TalosVersion talosVersion() {
        return version;
    }

    /** How {@link #talosVersion()} was decided, for a start-up log line (no config content). */
    public String versionExplanation() {
        return versionExplanation;
    }

    /** Where the config came from (a path), for messages. */
    public String source() {
        return source;
    }

    /** A fresh deep copy of the documents, in file order, for rendering. */
    List<ObjectNode> copyOfDocuments() {
        List<ObjectNode> copy = new ArrayList<>(documents.size());
        for (ObjectNode document : documents) {
            copy.add(document.deepCopy());
        }
        return copy;
    }

    /** Kinds of the documents, v1alpha1 first as {@code v1alpha1}. */
    public List<String> documentLabels() {
        return documents.stream().map(d -> DocumentId.of(d).label()).toList();
    }

    private static WorkerConfigException unusable(String source, String what) {
        return new WorkerConfigException(
                WorkerConfigException.Problem.UNSUPPORTED_CONFIG, "worker config " + source + " " + what);
    }

    @Override
    public String toString() {
        return "WorkerConfig[source=" + source + ", talos=" + version + ", documents=" + documentLabels()
                + ", content=<redacted>]";
    }
}
