package dev.talosburst.hcloudsim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/** One parsed API request: method, path, decoded query parameters (repeatable), body. */
final class ParsedRequest {

    final String method;
    final String path;
    final String rawQuery;
    final Map<String, List<String>> query;
    final String body;
    Matcher pathMatch;

    ParsedRequest(String method, String path, String rawQuery, String body) {
        this.method = method;
        this.path = path;
        this.rawQuery = rawQuery == null ? "" : rawQuery;
        this.query = parseQuery(this.rawQuery);
        this.body = body;
    }

    /** The single value of a query parameter, or null. */
    String param(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(values.size() - 1);
    }

    /** Every value of a repeatable query parameter ({@code ?status=running&status=off}), in order. */
    List<String> params(String name) {
        return query.getOrDefault(name, List.of());
    }

    /** The path segment captured as {@code group} and parsed as a resource id (404 when not a number). */
    long idFromPath(int group, String resource) {
        String raw = pathMatch.group(group);
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw ApiException.notFound(resource + " with ID '" + raw + "'");
        }
    }

    /** The body as a JSON object, or 400 {@code json_error}. */
    JsonNode json() {
        if (body == null || body.isBlank()) {
            throw new ApiException(400, "json_error", "request body is empty; a JSON object is required", null);
        }
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw new ApiException(400, "json_error", "request body must be a JSON object", null);
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "json_error", "invalid JSON input: " + e.getOriginalMessage(), null);
        }
    }

    private static Map<String, List<String>> parseQuery(String raw) {
        Map<String, List<String>> result = new LinkedHashMap<>();
        if (raw.isEmpty()) {
            return result;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            result.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return result;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidInput("query string is not valid URL encoding: " + e.getMessage());
        }
    }
}
