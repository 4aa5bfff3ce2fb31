package dev.talosburst.talos.workerconfig;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.pool.Taint;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Renders the Hetzner user-data of one worker node: the cluster's worker config with the pool's patches, the
 * node's labels, taints, hostname, KubeSpan and discovery applied in the document model of the config's Talos
 * version, validated (built-in checks always, the Talos JSON Schema when a schema directory is configured), and
 * fitted into Hetzner's 32 KiB. Thread-safe; errors never contain values of the worker config.
 */
public final class WorkerConfigRenderer {

    private final WorkerConfig config;
    private final DocumentModel model;
    private final Optional<TalosSchemas> schemas;
    private final SecretRedactor redactor;
    private final int limitBytes;
    private final List<String> acceptedSchemaFindings;

    /**
     * @param schemaDirectory directory holding the Talos JSON Schemas (see {@link TalosSchemas}); empty to rely on
     *     the built-in checks only
     */
    public WorkerConfigRenderer(WorkerConfig config, Optional<Path> schemaDirectory) {
        this(config, schemaDirectory, UserDataEncoding.HETZNER_LIMIT_BYTES);
    }

    WorkerConfigRenderer(WorkerConfig config, Optional<Path> schemaDirectory, int limitBytes) {
        this(config, limitBytes, schemaDirectory.map(TalosSchemas::new));
    }

    private WorkerConfigRenderer(WorkerConfig config, int limitBytes, Optional<TalosSchemas> schemas) {
        this.config = config;
        List<ObjectNode> base = config.copyOfDocuments();
        this.model = DocumentModel.of(config.talosVersion(), base);
        this.schemas = schemas;
        this.redactor = SecretRedactor.of(base);
        this.limitBytes = limitBytes;
        List<ObjectNode> tidied = config.copyOfDocuments();
        model.tidy(tidied);
        this.acceptedSchemaFindings = schemas.flatMap(s -> s.validate(config.talosVersion(), tidied))
                .map(findings -> findings.stream().map(redactor::redact).toList())
                .orElse(List.of());
    }

    /**
     * Schema findings already present in the worker config as given — typically deprecated fields that talosctl
     * still writes and Talos still accepts but that this version's schema no longer lists (e.g.
     * machine.install.extraKernelArgs in 1.12+). Renders tolerate exactly these and fail on any other finding;
     * log them at start-up so operators can clean the config up.
     */
    public List<String> acceptedSchemaFindings() {
        return acceptedSchemaFindings;
    }

    /** A renderer of the same config and schemas for another Talos version (the one a pool's snapshot runs). */
    WorkerConfigRenderer forVersion(TalosVersion version, String explanation) {
        return new WorkerConfigRenderer(config.forVersion(version, explanation), limitBytes, schemas);
    }

    /** The worker config rendered (for its version evidence). */
    public WorkerConfig config() {
        return config;
    }

    /** The Talos version the configs are rendered for. */
    public TalosVersion talosVersion() {
        return config.talosVersion();
    }

    /** The schema file rendered configs are validated against, empty when there is none for this version. */
    public Optional<String> schemaFile() {
        return schemas.flatMap(s -> s.fileFor(config.talosVersion()));
    }

    /** Renders one node's user-data. */
    public RenderedUserData render(NodeCustomization node) {
        SecretRedactor messages = redactor;
        try {
            List<String> settingProblems = ConfigChecks.checkSettings(node);
            if (!settingProblems.isEmpty()) {
                throw new WorkerConfigException(
                        WorkerConfigException.Problem.INVALID_SETTING,
                        "pool '" + node.poolId() + "' node " + node.hostname() + " has invalid settings",
                        settingProblems);
            }
            List<ObjectNode> documents = config.copyOfDocuments();
            for (int i = 0; i < node.patches().size(); i++) {
                String patchName = "talosburst.pools." + node.poolId() + ".talos-patches[" + i + "]";
                List<ObjectNode> patch = parsePatch(node.patches().get(i), patchName);
                messages = messages.with(patch);
                PoolPatchRules.check(model, patch, patchName, node);
                StrategicMerge.apply(documents, patch, patchName);
            }
            StrategicMerge.apply(documents, model.nodePatch(node), "talos-burst's node settings");
            model.tidy(documents);
            List<String> problems = ConfigChecks.check(model, documents, node);
            if (!problems.isEmpty()) {
                throw new WorkerConfigException(
                        WorkerConfigException.Problem.CHECK_FAILED,
                        "pool '" + node.poolId() + "': the worker config from " + config.source()
                                + " with the pool's patches fails talos-burst's checks for Talos " + model.version,
                        problems);
            }
            Optional<String> schemaFile = validateAgainstSchema(node, documents);
            return UserDataEncoding.encode(
                    YamlDocuments.write(documents), model.version, schemaFile, node.poolId(), limitBytes);
        } catch (WorkerConfigException e) {
            throw messages.redact(e);
        } catch (RuntimeException e) {
            // never chain: third-party messages may quote config content
            throw new WorkerConfigException(
                    WorkerConfigException.Problem.CHECK_FAILED,
                    "pool '" + node.poolId() + "': rendering the worker config failed unexpectedly ("
                            + e.getClass().getName() + ")");
        }
    }

    /**
     * Checks a pool at start-up by rendering a node of it with the longest possible server name: fails with the
     * same error its first scale-up would (invalid label, conflicting patch, schema violation with document and
     * path, too large), and returns that render so its size can be reported.
     */
    public RenderedUserData checkPool(
            String poolId, Map<String, String> labels, List<Taint> taints, List<String> patches) {
        return render(new NodeCustomization(poolId, longestServerName(poolId), labels, taints, patches));
    }

    /** {@link #checkPool(String, Map, List, List)} for a configured pool. */
    public RenderedUserData checkPool(NodePool pool) {
        return checkPool(pool.id(), pool.nodeLabels(), pool.taints(), pool.talosPatches());
    }

    private Optional<String> validateAgainstSchema(NodeCustomization node, List<ObjectNode> documents) {
        if (schemas.isEmpty()) {
            return Optional.empty();
        }
        Optional<List<String>> violations = schemas.get().validate(model.version, documents);
        if (violations.isEmpty()) {
            return Optional.empty();
        }
        String file = schemas.get().fileFor(model.version).orElseThrow();
        List<String> introduced = violations.get().stream()
                .filter(v -> !acceptedSchemaFindings.contains(redactor.redact(v)))
                .toList();
        if (!introduced.isEmpty()) {
            throw new WorkerConfigException(
                    WorkerConfigException.Problem.SCHEMA_VIOLATION,
                    "pool '" + node.poolId() + "': the worker config from " + config.source()
                            + " with the pool's patches does not validate against the Talos " + model.version
                            + " JSON Schema (" + file + "); fix the pool's patches",
                    introduced);
        }
        return Optional.of(file);
    }

    private static List<ObjectNode> parsePatch(String yaml, String patchName) {
        if (yaml == null || yaml.isBlank()) {
            throw new WorkerConfigException(WorkerConfigException.Problem.INVALID_PATCH, patchName + " is empty");
        }
        String trimmed = yaml.stripLeading();
        if (trimmed.startsWith("- op:") || trimmed.startsWith("[")) {
            throw new WorkerConfigException(
                    WorkerConfigException.Problem.INVALID_PATCH,
                    patchName
                            + " looks like an RFC 6902 JSON patch; Talos refuses those for multi-document configs,"
                            + " so talos-burst only takes strategic-merge patches (a partial machine config)");
        }
        List<ObjectNode> documents = YamlDocuments.parse(
                yaml,
                error -> new WorkerConfigException(
                        WorkerConfigException.Problem.INVALID_PATCH,
                        patchName + " is not valid YAML" + error.where() + ": " + error.problem()));
        for (ObjectNode document : documents) {
            DocumentId id = DocumentId.of(document);
            if (!id.isV1Alpha1() && id.apiVersion() == null) {
                throw new WorkerConfigException(
                        WorkerConfigException.Problem.INVALID_PATCH,
                        patchName + " has a " + id.kind() + " document without apiVersion; add apiVersion: v1alpha1");
            }
        }
        return documents;
    }

    /** A server name of the pool as long as a hostname may be (63), so size checks are worst-case. */
    static String longestServerName(String poolId) {
        StringBuilder name = new StringBuilder(poolId).append('-');
        while (name.length() < 63) {
            name.append('0');
        }
        return name.length() > 63 ? poolId : name.toString();
    }

    @Override
    public String toString() {
        return "WorkerConfigRenderer[config=" + config + ", schema="
                + schemaFile().orElse("none") + "]";
    }
}
