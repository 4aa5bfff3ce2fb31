package dev.talosburst.talos.workerconfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Talos machine-config JSON Schemas (draft 2020-12) in a directory, one file per Talos minor, named as
 * upstream publishes them: {@code v1.13.9_config.schema.json}, {@code v1.14.0-rc.1_config.schema.json}, and for
 * 1.6 (v1alpha1 only) {@code v1.6.8_v1alpha1_config.schema.json}; the newest patch release of a minor wins. Each
 * document is validated on its own against the {@code $defs} entry for its kind (rather than the top-level
 * {@code oneOf}, whose errors name every kind), which also lets the 1.14.0-rc.1 bug be worked around: its
 * {@code UnattendedInstallConfigV1Alpha1} allows only kind {@code UnattendedInstall} while Talos writes
 * {@code UnattendedInstallConfig}.
 */
final class TalosSchemas {

    private static final Pattern FILE =
            Pattern.compile("v(\\d+)\\.(\\d+)\\.(\\d+)(-[0-9A-Za-z.]+)?_(v1alpha1_)?config\\.schema\\.json");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Draft 2020-12, told that Talos' documentation keywords are annotations (else it warns on every load). */
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.builder(
                    JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012))
            .metaSchema(JsonMetaSchema.builder(JsonMetaSchema.getV202012())
                    .keyword(new NonValidationKeyword("markdownDescription"))
                    .keyword(new NonValidationKeyword("x-intellij-html-description"))
                    .build())
            .build();

    private final Map<TalosVersion, Optional<Path>> files = new HashMap<>();
    private final Map<TalosVersion, Optional<VersionSchema>> loaded = new ConcurrentHashMap<>();

    TalosSchemas(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new WorkerConfigException(
                    WorkerConfigException.Problem.UNSUPPORTED_CONFIG,
                    "Talos schema directory " + directory + " does not exist or is not a directory;"
                            + " point it at the Talos JSON Schemas or leave it unset to use only built-in checks");
        }
        Map<TalosVersion, Path> best = new HashMap<>();
        Map<TalosVersion, int[]> bestRank = new HashMap<>();
        try (Stream<Path> list = Files.list(directory)) {
            list.forEach(file -> {
                Matcher m = FILE.matcher(file.getFileName().toString());
                if (!m.matches()) {
                    return;
                }
                TalosVersion v = new TalosVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
                // a release beats a pre-release of the same patch; a higher patch beats both
                int[] rank = {Integer.parseInt(m.group(3)), m.group(4) == null ? 1 : 0};
                int[] current = bestRank.get(v);
                if (current == null
                        || Comparator.<int[]>comparingInt(r -> r[0])
                                        .thenComparingInt(r -> r[1])
                                        .compare(rank, current)
                                > 0) {
                    best.put(v, file);
                    bestRank.put(v, rank);
                }
            });
        } catch (IOException e) {
            throw new WorkerConfigException(
                    WorkerConfigException.Problem.UNSUPPORTED_CONFIG,
                    "cannot list Talos schema directory " + directory + " ("
                            + e.getClass().getSimpleName() + ")");
        }
        best.forEach((v, file) -> files.put(v, Optional.of(file)));
    }

    /** The schema file for this minor, if the directory has one. */
    Optional<String> fileFor(TalosVersion version) {
        return files.getOrDefault(version, Optional.empty())
                .map(p -> p.getFileName().toString());
    }

    /**
     * Validates each document; returns one line per violation, naming the document and the path.
     * Empty when valid; {@link Optional#empty()} when there is no schema for this version.
     */
    Optional<List<String>> validate(TalosVersion version, List<ObjectNode> documents) {
        Optional<VersionSchema> schema = loaded.computeIfAbsent(
                version, v -> files.getOrDefault(v, Optional.empty()).map(VersionSchema::load));
        return schema.map(s -> s.validate(documents));
    }

    /** One Talos minor's schema file, with per-kind compiled schemas made on first use. */
    private static final class VersionSchema {
        private final String fileName;
        private final ObjectNode root;
        private final String v1alpha1Def;
        private final Map<String, String> defByKind = new HashMap<>();
        /** Kinds whose schema entry names a different kind (upstream schema bugs): kind → schema's kind. */
        private final Map<String, String> kindAliases = new HashMap<>();

        private final Map<String, JsonSchema> compiled = new ConcurrentHashMap<>();

        private VersionSchema(String fileName, ObjectNode root) {
            this.fileName = fileName;
            this.root = root;
            JsonNode defs = root.path("$defs");
            String rootRef = root.path("$ref").asText("");
            this.v1alpha1Def =
                    rootRef.startsWith("#/$defs/") ? rootRef.substring("#/$defs/".length()) : "v1alpha1.Config";
            Pattern defName = Pattern.compile("(?:.*\\.)?(\\w+?)V1Alpha1");
            defs.properties().forEach(def -> {
                JsonNode kinds = def.getValue().path("properties").path("kind").path("enum");
                for (JsonNode kind : kinds) {
                    defByKind.putIfAbsent(kind.asText(), def.getKey());
                }
                Matcher m = defName.matcher(def.getKey());
                if (m.matches() && kinds.size() == 1 && !kinds.get(0).asText().equals(m.group(1))) {
                    kindAliases.put(m.group(1), kinds.get(0).asText());
                }
            });
            kindAliases.keySet().removeAll(defByKind.keySet());
        }

        static VersionSchema load(Path file) {
            try {
                JsonNode root = JSON.readTree(file.toFile());
                if (!root.isObject() || !root.has("$defs")) {
                    throw new IOException("no $defs");
                }
                return new VersionSchema(file.getFileName().toString(), (ObjectNode) root);
            } catch (IOException e) {
                throw new WorkerConfigException(
                        WorkerConfigException.Problem.UNSUPPORTED_CONFIG,
                        "Talos schema file " + file + " is not a Talos JSON Schema ("
                                + e.getClass().getSimpleName() + "); replace it with the upstream config.schema.json");
            }
        }

        List<String> validate(List<ObjectNode> documents) {
            List<String> violations = new ArrayList<>();
            boolean multiDocumentSchema = !root.has("$ref");
            for (ObjectNode document : documents) {
                DocumentId id = DocumentId.of(document);
                String def;
                JsonNode instance = document;
                if (id.isV1Alpha1()) {
                    def = v1alpha1Def;
                } else if (!multiDocumentSchema) {
                    continue; // the 1.6 schema describes only the v1alpha1 document
                } else if (defByKind.containsKey(id.kind())) {
                    def = defByKind.get(id.kind());
                } else if (kindAliases.containsKey(id.kind())) {
                    String schemaKind = kindAliases.get(id.kind());
                    def = defByKind.get(schemaKind);
                    instance = document.deepCopy().put("kind", schemaKind);
                } else {
                    violations.add("document " + id.label() + ": kind " + id.kind() + " is not a document kind of "
                            + fileName);
                    continue;
                }
                for (ValidationMessage message : schemaFor(def).validate(instance)) {
                    violations.add("document " + id.label() + ", at " + path(message) + ": " + message.getError());
                }
            }
            return violations;
        }

        private JsonSchema schemaFor(String def) {
            return compiled.computeIfAbsent(def, d -> {
                ObjectNode schema = root.deepCopy();
                schema.remove("oneOf");
                schema.put("$ref", "#/$defs/" + d);
                return FACTORY.getSchema(schema);
            });
        }

        private static String path(ValidationMessage message) {
            String location = message.getInstanceLocation().toString();
            String relative = location.startsWith("$.") ? location.substring(2) : location;
            return relative.equals("$") ? "(document root)" : relative;
        }
    }
}
