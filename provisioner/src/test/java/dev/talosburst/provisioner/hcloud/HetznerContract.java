package dev.talosburst.provisioner.hcloud;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talosburst.hcloudsim.RecordedExchange;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks recorded client/simulator exchanges against the community Hetzner OpenAPI spec
 * ({@code ${talosburst.shared.dir}/contracts/hetzner-openapi/hcloud.json}, read in place, never copied) with
 * swagger-request-validator.
 *
 * <p>The spec is from 2026-02-20. Each {@link Allowance} names why a reported difference is not a defect: an API change
 * newer than the spec (research/hetzner.md §1.4), documented wire behaviour the spec does not type, or a limitation of the
 * validator. Anything else is a violation.
 */
final class HetznerContract {

    /** One named reason to accept a validator message. */
    record Allowance(String name, String why) {
    }

    static final Allowance ID_OR_NAME = new Allowance("id-or-name",
            "POST /servers server_type/image are 'ID or name'; hcloud-go (schema/id_or_name.go) sends a JSON number for ids, "
                    + "the spec types them as string");
    static final Allowance AVAILABLE_RECOMMENDED = new Allowance("server_type.locations[].available/recommended",
            "added to the API on 2026-04-01 (hcloud-go v2.38.0), absent from the 2026-02-20 spec whose location objects forbid "
                    + "additional properties");
    static final Allowance DATACENTER_REMOVED = new Allowance("server.datacenter",
            "removed from Server responses on 2026-07-01 (hcloud-go v2.45.0); the spec still lists it as required");
    static final Allowance NULLABLE_REF = new Allowance("nullable $ref",
            "the spec marks allOf-wrapped $refs nullable (iso, image, error, deprecation, created_from...); the validator "
                    + "does not honour nullable on allOf, so a JSON null there is reported; only accepted when the value is null");
    static final Allowance ACTIONS_META = new Allowance("GET /actions meta",
            "SIMULATOR DIVERGENCE: get_multiple_actions_response has no meta; the simulator adds pagination meta (harmless for "
                    + "clients, to be fixed in hcloud-simulator)");

    private static final Pattern PATH = Pattern.compile("^\\[Path '([^']*)'\\]");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile OpenApiInteractionValidator validator;

    private HetznerContract() {
    }

    /** The spec path; skips the calling test (JUnit assumption) naming the path when it is absent. */
    static Path requireSpec() {
        String shared = System.getProperty("talosburst.shared.dir");
        Assumptions.assumeTrue(shared != null, "system property talosburst.shared.dir is not set; contract checks skipped");
        Path spec = Path.of(shared, "contracts", "hetzner-openapi", "hcloud.json");
        Assumptions.assumeTrue(Files.isReadable(spec), "Hetzner OpenAPI spec missing at " + spec.toAbsolutePath() + "; contract checks skipped");
        return spec;
    }

    /** Violations of one exchange, empty when it conforms (allowances applied). */
    static List<String> violations(RecordedExchange exchange) {
        SimpleRequest.Builder request = new SimpleRequest.Builder(exchange.method(), exchange.path());
        exchange.requestHeaders().forEach(request::withHeader);
        // The simulator never records the Authorization header; the spec requires one (bearer), so stand in for it.
        request.withAuthorization("Bearer redacted");
        queryParameters(exchange.query()).forEach(request::withQueryParam);
        if (exchange.requestBody() != null && !exchange.requestBody().isEmpty()) {
            request.withBody(exchange.requestBody());
        }
        SimpleResponse.Builder response = new SimpleResponse.Builder(exchange.status());
        exchange.responseHeaders().forEach(response::withHeader);
        if (exchange.responseBody() != null && !exchange.responseBody().isEmpty()) {
            response.withBody(exchange.responseBody());
        }
        ValidationReport report = validator().validate(request.build(), response.build());
        JsonNode responseBody = parse(exchange.responseBody());
        List<String> problems = new ArrayList<>();
        for (ValidationReport.Message m : report.getMessages()) {
            if (m.getLevel() == ValidationReport.Level.ERROR && !allowed(exchange, m, responseBody)) {
                problems.add(exchange + ": " + describe(m));
            }
        }
        return problems;
    }

    /** Allowed directly, or a combinator failure (allOf...) whose every nested cause is allowed. */
    private static boolean allowed(RecordedExchange exchange, ValidationReport.Message m, JsonNode responseBody) {
        if (allowanceFor(exchange, m, responseBody) != null) {
            return true;
        }
        List<ValidationReport.Message> nested = m.getNestedMessages();
        return !nested.isEmpty() && nested.stream().allMatch(n -> allowed(exchange, n, responseBody));
    }

    private static String describe(ValidationReport.Message m) {
        StringBuilder text = new StringBuilder("[" + m.getKey() + "] " + m.getMessage());
        for (ValidationReport.Message n : m.getNestedMessages()) {
            text.append(" {").append(describe(n)).append('}');
        }
        return text.toString();
    }

    /** The allowance covering a message, or null when it is a real violation. */
    static Allowance allowanceFor(RecordedExchange exchange, ValidationReport.Message m, JsonNode responseBody) {
        String key = m.getKey();
        String message = m.getMessage();
        Matcher path = PATH.matcher(message);
        String pointer = path.find() ? path.group(1) : "";
        boolean createServer = exchange.method().equals("POST") && exchange.path().equals("/v1/servers");
        if (createServer && key.equals("validation.request.body.schema.type") && Set.of("/server_type", "/image").contains(pointer)
                && message.contains("(integer)")) {
            return ID_OR_NAME;
        }
        if (key.equals("validation.response.body.schema.additionalProperties") && pointer.matches(".*/locations/\\d+$")
                && message.replaceAll(".*: \\[", "[").matches("\\[(\"available\"|\"recommended\")(,(\"available\"|\"recommended\"))?\\]")) {
            return AVAILABLE_RECOMMENDED;
        }
        if (key.equals("validation.response.body.schema.required") && message.endsWith("missing required properties ([\"datacenter\"])")) {
            return DATACENTER_REMOVED;
        }
        if (key.equals("validation.response.body.schema.allOf") && !pointer.isEmpty() && responseBody != null
                && responseBody.at(pointer).isNull()) {
            return NULLABLE_REF;
        }
        if (exchange.method().equals("GET") && exchange.path().equals("/v1/actions")
                && key.equals("validation.response.body.schema.additionalProperties") && pointer.isEmpty() && message.endsWith("[\"meta\"]")) {
            return ACTIONS_META;
        }
        return null;
    }

    private static OpenApiInteractionValidator validator() {
        OpenApiInteractionValidator v = validator;
        if (v == null) {
            synchronized (HetznerContract.class) {
                if (validator == null) {
                    validator = OpenApiInteractionValidator.createForInlineApiSpecification(patchedSpec(requireSpec())).build();
                }
                v = validator;
            }
        }
        return v;
    }

    /**
     * The spec, in memory only, with its response range keys {@code 4xx}/{@code 5xx} upper-cased to the {@code 4XX}/{@code 5XX}
     * OpenAPI defines: the validator only recognises the upper-case form, and without it every error answer would be
     * "status not defined" instead of being checked against {@code error_response}.
     */
    private static String patchedSpec(Path spec) {
        try {
            JsonNode root = JSON.readTree(spec.toFile());
            root.path("paths").forEach(pathItem -> pathItem.forEach(operation -> {
                JsonNode responses = operation.get("responses");
                if (responses instanceof ObjectNode r) {
                    for (String range : List.of("4xx", "5xx")) {
                        if (r.has(range)) {
                            r.set(range.toUpperCase(), r.remove(range));
                        }
                    }
                }
            }));
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Hetzner OpenAPI spec " + spec, e);
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static Map<String, List<String>> queryParameters(String query) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return params;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return params;
    }
}
