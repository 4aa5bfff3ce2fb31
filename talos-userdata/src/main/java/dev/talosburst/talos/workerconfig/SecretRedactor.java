package dev.talosburst.talos.workerconfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Belt and braces for error messages: replaces any value of the worker config (and any credential-looking value
 * of a pool patch) that slipped into a message — e.g. quoted by a schema validator — with {@code <redacted>}.
 */
final class SecretRedactor {

    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?i)(.*(token|secret|privatekey|crt|cert|password|auth|credential).*|ca|acceptedCAs|id|clusterID)");
    private static final Set<String> STRUCTURE = Set.of("apiVersion", "kind", "name", "version");
    private static final int MIN_PLAIN_LENGTH = 16;
    private static final int MIN_SECRET_LENGTH = 4;

    private final List<String> values;

    private SecretRedactor(Set<String> values) {
        this.values = values.stream()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
    }

    /** Redacts the worker config's credentials and its long values. */
    static SecretRedactor of(List<ObjectNode> documents) {
        Set<String> values = new TreeSet<>();
        for (ObjectNode d : documents) {
            collect(d, false, false, values);
        }
        return new SecretRedactor(values);
    }

    /** Also redacts credential-looking values of these (patch) documents. */
    SecretRedactor with(List<ObjectNode> documents) {
        Set<String> more = new TreeSet<>(values);
        for (ObjectNode d : documents) {
            collect(d, false, true, more);
        }
        return new SecretRedactor(more);
    }

    String redact(String message) {
        if (message == null) {
            return null;
        }
        String result = message;
        for (String value : values) {
            if (result.contains(value)) {
                result = result.replace(value, "<redacted>");
            }
        }
        return result;
    }

    WorkerConfigException redact(WorkerConfigException e) {
        return new WorkerConfigException(
                e.problem(),
                redact(e.summary()),
                e.details().stream().map(this::redact).toList());
    }

    private static void collect(JsonNode node, boolean underSecretKey, boolean secretsOnly, Set<String> values) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (STRUCTURE.contains(e.getKey())) {
                    continue; // document identity (kind, name) is what messages must name
                }
                collect(
                        e.getValue(),
                        underSecretKey || SECRET_KEY.matcher(e.getKey()).matches(),
                        secretsOnly,
                        values);
            }
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                collect(item, underSecretKey, secretsOnly, values);
            }
        } else if (node.isTextual()) {
            String text = node.asText();
            boolean plainLong = !secretsOnly && text.length() >= MIN_PLAIN_LENGTH;
            if (plainLong || underSecretKey && text.length() >= MIN_SECRET_LENGTH) {
                values.add(text);
                // PEM inside base64 or multi-line strings: also redact each long line on its own
                for (String line : text.split("\n")) {
                    if (line.trim().length() >= MIN_PLAIN_LENGTH) {
                        values.add(line.trim());
                    }
                }
            }
        }
    }
}
