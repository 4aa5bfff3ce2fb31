package dev.talosburst.hcloudsim.contract;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talosburst.hcloudsim.RecordedExchange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks recorded Hetzner API requests and responses against the community OpenAPI spec ({@code hcloud.json}),
 * after a small, documented set of {@link #ALLOWANCES} that bring the spec (February 2026) up to the API of late 2026.
 * Needs {@code com.atlassian.oai:swagger-request-validator-core} on the classpath (an optional dependency).
 */
public final class OpenApiContract {

    /** The property tests read to find the shared contracts directory. */
    public static final String SHARED_DIR_PROPERTY = "talos-burst.shared-dir";
    /** Where the spec lives below the shared directory. */
    public static final String SPEC_RELATIVE_PATH = "contracts/hetzner-openapi/hcloud.json";

    /** Every deviation from the spec file this checker applies, and why. */
    public static final List<String> ALLOWANCES = List.of(
            "server.datacenter is not required: the API removed it from Server responses on 2026-07-01 (hcloud-go v2.45.0)",
            "server_type_location gains boolean 'available' and 'recommended' (added 2026-04-01, hcloud-go v2.38.0);"
                    + " they are required in responses",
            "create_server_request.server_type, .image and .location accept an integer ID as well as a string:"
                    + " hcloud-go sends numbers when it knows the ID and the API accepts both",
            "create_server_request.ssh_keys items accept integers as well as strings (the spec text says"
                    + " 'SSH key IDs (integer) or names (string)' but types them as strings)",
            "a nullable wrapper {allOf:[$ref], nullable:true} is replaced by a nullable copy of the referenced schema:"
                    + " OpenAPI 3.0 validators ignore 'nullable' beside allOf, so null (as the spec intends and the API"
                    + " sends for e.g. server.iso, action.error, deprecation) would otherwise be rejected",
            "response keys '4xx'/'5xx' are read as the OpenAPI status ranges '4XX'/'5XX' (the file writes them in lower"
                    + " case, which validators do not recognise as ranges)",
            "recorded requests never hold the Authorization header, so a placeholder bearer token is supplied"
                    + " before checking the security requirement");

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<Path, OpenApiContract> CACHE = new ConcurrentHashMap<>();

    private final OpenApiInteractionValidator validator;

    private OpenApiContract(OpenApiInteractionValidator validator) {
        this.validator = validator;
    }

    /** One problem found in a request or a response. */
    public record Violation(String side, String key, String message) {
        @Override
        public String toString() {
            return side + ": " + message + " [" + key + "]";
        }
    }

    /** Loads (once per path, then cached) the spec file and applies the {@link #ALLOWANCES}. */
    public static OpenApiContract load(Path specFile) {
        return CACHE.computeIfAbsent(specFile.toAbsolutePath().normalize(), OpenApiContract::build);
    }

    /** The spec below {@code -Dtalos-burst.shared-dir}, if that property is set and the file exists. */
    public static Optional<Path> sharedSpec() {
        String dir = System.getProperty(SHARED_DIR_PROPERTY);
        if (dir == null || dir.isBlank()) {
            return Optional.empty();
        }
        Path spec = Path.of(dir).resolve(SPEC_RELATIVE_PATH);
        return Files.isRegularFile(spec) ? Optional.of(spec) : Optional.empty();
    }

    /** A human-readable explanation of where the spec was looked for, for test skip messages. */
    public static String sharedSpecLocationHint() {
        String dir = System.getProperty(SHARED_DIR_PROPERTY);
        return dir == null
                ? "system property " + SHARED_DIR_PROPERTY + " is not set"
                : Path.of(dir).resolve(SPEC_RELATIVE_PATH) + " does not exist";
    }

    /** Checks request and response of a recorded exchange. */
    public List<Violation> validate(RecordedExchange exchange) {
        List<Violation> all = new ArrayList<>(validateRequest(
                exchange.method(),
                exchange.path(),
                exchange.query(),
                exchange.requestHeaders(),
                exchange.requestBody()));
        all.addAll(validateResponse(
                exchange.method(),
                exchange.path(),
                exchange.status(),
                exchange.responseHeaders(),
                exchange.responseBody()));
        return all;
    }

    /** Throws an {@link AssertionError} listing every violation of the exchange. */
    public void assertValid(RecordedExchange exchange) {
        List<Violation> violations = validate(exchange);
        if (!violations.isEmpty()) {
            throw new AssertionError("Hetzner API contract violated by " + exchange + ":\n  "
                    + String.join(
                            "\n  ", violations.stream().map(Violation::toString).toList()));
        }
    }

    /**
     * Checks request and response of every exchange and throws one {@link AssertionError} listing all violations.
     * Exchanges outside the API contract on purpose are skipped: answers with a non-JSON body (raw-body faults that
     * imitate a proxy) and {@code /datacenters}, which the spec still describes but the API removed on 2026-10-01.
     */
    public void assertAllValid(Collection<RecordedExchange> exchanges) {
        List<String> problems = new ArrayList<>();
        for (RecordedExchange e : exchanges) {
            boolean json = e.responseHeaders().getOrDefault("content-type", List.of()).stream()
                    .anyMatch(v -> v.startsWith("application/json"));
            if (!json || e.path().equals("/v1/datacenters") || e.path().startsWith("/v1/datacenters/")) {
                continue;
            }
            validate(e).forEach(v -> problems.add(e + ": " + v));
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("Hetzner API contract violated:\n  " + String.join("\n  ", problems));
        }
    }

    /**
     * Checks a request. {@code path} includes the {@code /v1} root; {@code query} is the raw (encoded) query string.
     */
    public List<Violation> validateRequest(
            String method, String path, String query, Map<String, List<String>> headers, String body) {
        return violations("request", validator.validateRequest(request(method, path, query, headers, body)));
    }

    /** Checks a response to {@code method path}. */
    public List<Violation> validateResponse(
            String method, String path, int status, Map<String, List<String>> headers, String body) {
        SimpleResponse.Builder b = new SimpleResponse.Builder(status);
        headers.forEach((name, values) -> b.withHeader(name, values));
        if (body != null && !body.isEmpty()) {
            b.withBody(body);
        }
        return violations(
                "response",
                validator.validateResponse(path, Request.Method.valueOf(method.toUpperCase(Locale.ROOT)), b.build()));
    }

    private static SimpleRequest request(
            String method, String path, String query, Map<String, List<String>> headers, String body) {
        SimpleRequest.Builder b = new SimpleRequest.Builder(method.toUpperCase(Locale.ROOT), path);
        headers.forEach((name, values) -> {
            if (!name.equalsIgnoreCase("authorization")) {
                b.withHeader(name, values);
            }
        });
        b.withAuthorization("Bearer recorded-exchanges-never-hold-the-token");
        queryParams(query).forEach(b::withQueryParam);
        if (body != null && !body.isEmpty()) {
            b.withBody(body);
        }
        return b.build();
    }

    private static Map<String, List<String>> queryParams(String query) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return params;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return params;
    }

    private static List<Violation> violations(String side, ValidationReport report) {
        List<Violation> out = new ArrayList<>();
        for (ValidationReport.Message m : report.getMessages()) {
            if (m.getLevel() == ValidationReport.Level.ERROR) {
                out.add(new Violation(side, m.getKey(), m.getMessage()));
            }
        }
        return out;
    }

    private static OpenApiContract build(Path specFile) {
        JsonNode spec;
        try {
            spec = MAPPER.readTree(Files.readAllBytes(specFile));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Hetzner OpenAPI spec " + specFile, e);
        }
        applyAllowances((ObjectNode) spec);
        String patched;
        try {
            patched = MAPPER.writeValueAsString(spec);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        OpenApiInteractionValidator validator = OpenApiInteractionValidator.createForInlineApiSpecification(patched)
                .withBasePathOverride("/v1")
                .build();
        return new OpenApiContract(validator);
    }

    /** Applies {@link #ALLOWANCES} to the parsed spec; fails loudly if the spec no longer has the expected shape. */
    static void applyAllowances(ObjectNode spec) {
        ObjectNode schemas = (ObjectNode) required(spec, "components", "schemas");
        ArrayNode serverRequired = (ArrayNode) required(schemas, "server", "required");
        removeValue(serverRequired, "datacenter");

        ObjectNode location = (ObjectNode) required(schemas, "server_type_location");
        ObjectNode props = (ObjectNode) required(location, "properties");
        props.putObject("available")
                .put("type", "boolean")
                .put("description", "Whether the Server Type can be ordered in this Location (2026-04-01).");
        props.putObject("recommended")
                .put("type", "boolean")
                .put("description", "Whether the Server Type is recommended in this Location (2026-04-01).");
        ((ArrayNode) required(location, "required")).add("available").add("recommended");

        ObjectNode create = (ObjectNode) required(schemas, "create_server_request", "properties");
        for (String field : List.of("server_type", "image", "location")) {
            create.set(field, stringOrInteger((ObjectNode) required(create, field)));
        }
        ObjectNode sshKeys = (ObjectNode) required(create, "ssh_keys");
        sshKeys.set("items", stringOrInteger((ObjectNode) required(sshKeys, "items")));

        upperCaseStatusRanges(spec.get("paths"));
        inlineNullableRefs(spec.get("paths"), schemas, 0);
        inlineNullableRefs(schemas, schemas, 0);
    }

    private static void upperCaseStatusRanges(JsonNode paths) {
        for (JsonNode item : paths) {
            for (JsonNode operation : item) {
                JsonNode responses = operation.get("responses");
                if (responses instanceof ObjectNode r) {
                    for (String range : List.of("1xx", "2xx", "3xx", "4xx", "5xx")) {
                        if (r.has(range)) {
                            r.set(range.toUpperCase(Locale.ROOT), r.remove(range));
                        }
                    }
                }
            }
        }
    }

    /** Replaces every {@code {allOf:[{$ref}], nullable:true}} by a nullable copy of the referenced schema. */
    static void inlineNullableRefs(JsonNode node, ObjectNode schemas, int depth) {
        if (depth > 64) {
            throw new IllegalStateException("Hetzner OpenAPI spec nests nullable references too deeply");
        }
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
            fields.forEachRemaining(entries::add);
            for (Map.Entry<String, JsonNode> e : entries) {
                JsonNode child = e.getValue();
                ObjectNode replacement = nullableCopyOfRef(child, schemas);
                if (replacement != null) {
                    object.set(e.getKey(), replacement);
                    child = replacement;
                }
                inlineNullableRefs(child, schemas, depth + 1);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode child = node.get(i);
                ObjectNode replacement = nullableCopyOfRef(child, schemas);
                if (replacement != null) {
                    ((ArrayNode) node).set(i, replacement);
                    child = replacement;
                }
                inlineNullableRefs(child, schemas, depth + 1);
            }
        }
    }

    private static ObjectNode nullableCopyOfRef(JsonNode node, ObjectNode schemas) {
        if (!node.isObject()
                || !node.path("nullable").asBoolean(false)
                || !node.has("allOf")
                || node.has("type")
                || node.get("allOf").size() != 1
                || !node.get("allOf").get(0).has("$ref")) {
            return null;
        }
        String ref = node.get("allOf").get(0).get("$ref").asText();
        String prefix = "#/components/schemas/";
        if (!ref.startsWith(prefix) || !schemas.has(ref.substring(prefix.length()))) {
            return null;
        }
        ObjectNode copy = schemas.get(ref.substring(prefix.length())).deepCopy();
        copy.put("nullable", true);
        if (node.has("description")) {
            copy.set("description", node.get("description"));
        }
        return copy;
    }

    private static ObjectNode stringOrInteger(ObjectNode stringSchema) {
        ObjectNode replaced = MAPPER.createObjectNode();
        if (stringSchema.has("description")) {
            replaced.set("description", stringSchema.get("description"));
        }
        ArrayNode anyOf = replaced.putArray("anyOf");
        anyOf.addObject().put("type", "string");
        anyOf.addObject().put("type", "integer").put("format", "int64");
        return replaced;
    }

    private static JsonNode required(JsonNode node, String... path) {
        JsonNode current = node;
        for (String p : path) {
            current = current.get(p);
            if (current == null) {
                throw new IllegalStateException("Hetzner OpenAPI spec has no " + String.join(".", path)
                        + "; the contract allowances need updating for this spec version");
            }
        }
        return current;
    }

    private static void removeValue(ArrayNode array, String value) {
        Iterator<JsonNode> it = array.elements();
        while (it.hasNext()) {
            if (it.next().asText().equals(value)) {
                it.remove();
            }
        }
    }
}
