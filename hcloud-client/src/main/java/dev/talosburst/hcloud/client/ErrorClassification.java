package dev.talosburst.hcloud.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.talosburst.provisioner.cloud.CloudApiException;
import dev.talosburst.provisioner.cloud.CloudApiException.Kind;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Turns Hetzner's {@code {"error":{"code","message","details"}}} answers and network failures into {@link CloudApiException}s
 * whose {@link Kind} tells the domain what to do (research/hetzner.md §4).
 */
final class ErrorClassification {

    /** Code used when no HTTP response arrived (timeout, reset, refused, lost response). */
    static final String NETWORK_ERROR = "network_error";
    /** Code used when the circuit breaker refused the call without sending it. */
    static final String CIRCUIT_OPEN = "circuit_open";
    /** Code used when the bulkhead had no free slot in time. */
    static final String BULKHEAD_FULL = "bulkhead_full";
    /** Code used when the calling thread was interrupted while waiting. */
    static final String INTERRUPTED = "interrupted";

    private static final Set<String> OUT_OF_RESOURCES =
            Set.of("resource_unavailable", "resource_limit_exceeded", "placement_error");
    private static final Set<String> RETRYABLE = Set.of(
            "rate_limit_exceeded",
            "limit_reached",
            "conflict",
            "locked",
            "resource_locked",
            "timeout",
            "server_error",
            "unavailable",
            "bad_gateway",
            "unknown_error",
            "robot_unavailable",
            // Temporary by definition, but not worth retrying within seconds: see isWorthRetryingNow.
            "maintenance");
    /** Retryable later, but not in the client's loop: maintenance lasts longer than a backoff, a full bulkhead already waited. */
    private static final Set<String> NOT_RETRIED_IN_CLIENT = Set.of("maintenance", INTERRUPTED, BULKHEAD_FULL);

    /** Hetzner's 2026 rate-limit message names the token ("... for token '...' reached"); we never repeat what it says there. */
    private static final Pattern TOKEN_MENTION = Pattern.compile("(?i)(token\\s*')[^']*(')");

    private ErrorClassification() {}

    /** Replaces whatever Hetzner quotes after the word "token" in a message. */
    static String redactTokenMentions(String message) {
        return message == null ? null : TOKEN_MENTION.matcher(message).replaceAll("$1<redacted>$2");
    }

    /** The kind of a Hetzner error code at an HTTP status; codes we do not know are judged by the status. */
    static Kind kindOf(String code, int status) {
        if (code != null) {
            if (OUT_OF_RESOURCES.contains(code) || code.contains("placement")) {
                return Kind.OUT_OF_RESOURCES;
            }
            if (RETRYABLE.contains(code)) {
                return Kind.RETRYABLE;
            }
            if ("uniqueness_error".equals(code)) {
                return Kind.ALREADY_EXISTS;
            }
            if ("not_found".equals(code)) {
                return Kind.NOT_FOUND;
            }
        }
        if (status == 429 || status == 408 || status >= 500) {
            return Kind.RETRYABLE;
        }
        if (status == 404 && code == null) {
            return Kind.NOT_FOUND;
        }
        return Kind.FATAL;
    }

    /** An error answer. Hetzner's message and the names of fields in {@code details} are kept; values never are. */
    static CloudApiException fromResponse(
            ApiRequest request,
            int status,
            String body,
            String correlationId,
            ObjectMapper json,
            UnaryOperator<String> redact) {
        String code = null;
        String message = null;
        List<String> detailNames = List.of();
        if (body != null && !body.isBlank()) {
            try {
                JsonNode error = json.readTree(body).path("error");
                if (error.isObject()) {
                    code = textOrNull(error.get("code"));
                    message = redactTokenMentions(textOrNull(error.get("message")));
                    detailNames = detailNames(error.get("details"));
                }
            } catch (IOException | RuntimeException e) {
                // Not JSON (e.g. a load balancer's HTML 502): classified by status below.
            }
        }
        Kind kind = kindOf(code, status);
        StringBuilder text = new StringBuilder("Hetzner API ")
                .append(request.method())
                .append(' ')
                .append(request.endpoint())
                .append(" failed: HTTP ")
                .append(status);
        if (code != null) {
            text.append(' ').append(code);
        }
        text.append(message != null ? ": " + message : " (no Hetzner error body)");
        if (!detailNames.isEmpty()) {
            text.append(" [").append(String.join(", ", detailNames)).append(']');
        }
        if (correlationId != null) {
            text.append(" (X-Correlation-Id ").append(correlationId).append(')');
        }
        return new CloudApiException(
                kind, code != null ? code : "http_" + status, status, redact.apply(text.toString()), correlationId);
    }

    /** No answer at all: timeouts, resets, refused connections and responses lost after the request took effect. */
    static CloudApiException fromNetwork(ApiRequest request, IOException failure) {
        return fromNetwork(request, failure, null);
    }

    /** {@link #fromNetwork(ApiRequest, IOException)} naming the API base the request went to (it carries no secret). */
    static CloudApiException fromNetwork(ApiRequest request, IOException failure, java.net.URI base) {
        String what = failure instanceof HttpTimeoutException
                ? "timed out"
                : "failed without a response (" + failure.getClass().getSimpleName() + ")";
        return new CloudApiException(
                Kind.RETRYABLE,
                NETWORK_ERROR,
                0,
                "Hetzner API " + request.method() + " " + request.endpoint() + (base == null ? "" : " at " + base) + " "
                        + what + "; it may or may not have taken effect",
                null,
                failure);
    }

    /** Whether the in-client retry loop should try again (a subset of {@link Kind#RETRYABLE}). */
    static boolean isWorthRetryingNow(Throwable failure) {
        return failure instanceof CloudApiException e
                && e.kind() == Kind.RETRYABLE
                && !NOT_RETRIED_IN_CLIENT.contains(e.code())
                && !CIRCUIT_OPEN.equals(e.code());
    }

    /** Whether a failure says something about Hetzner's health (counts against the circuit breaker): 5xx and no answer. */
    static boolean isHealthFailure(Throwable failure) {
        return failure instanceof CloudApiException e
                && e.kind() == Kind.RETRYABLE
                && (e.httpStatus() >= 500 || (e.httpStatus() == 0 && NETWORK_ERROR.equals(e.code())));
    }

    private static List<String> detailNames(JsonNode details) {
        if (details == null || !details.isObject()) {
            return List.of();
        }
        Set<String> names = new LinkedHashSet<>();
        for (String listField : List.of("fields", "limits")) {
            JsonNode list = details.get(listField);
            if (list != null && list.isArray()) {
                for (JsonNode item : list) {
                    String name = textOrNull(item.get("name"));
                    if (name == null) {
                        continue;
                    }
                    List<String> messages = new ArrayList<>();
                    JsonNode itemMessages = item.get("messages");
                    if (itemMessages != null && itemMessages.isArray()) {
                        itemMessages.forEach(m -> messages.add(m.asText()));
                    }
                    names.add((listField.equals("fields") ? "field " : "limit ")
                            + name
                            + (messages.isEmpty() ? "" : ": " + String.join("; ", messages)));
                }
            }
        }
        if (names.isEmpty()) {
            List<String> keys = new ArrayList<>();
            details.fieldNames().forEachRemaining(keys::add);
            names.addAll(keys.stream().map(k -> "detail " + k).toList());
        }
        return List.copyOf(names);
    }

    private static String textOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }
}
