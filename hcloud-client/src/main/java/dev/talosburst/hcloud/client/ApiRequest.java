package dev.talosburst.hcloud.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One Hetzner API call before it is sent.
 *
 * @param endpoint  the templated path used in metrics and logs, e.g. {@code /servers/{id}} (never raw ids or query values)
 * @param path      the concrete path below the API base, e.g. {@code /servers/42}
 * @param query     query parameters in order; repeated names are allowed ({@code id=1&id=2})
 * @param body      JSON body, null for none
 * @param secret    a value inside the body that must never be logged or echoed in an error (user-data), null for none
 */
record ApiRequest(
        String method,
        EndpointFamily family,
        String endpoint,
        String path,
        List<Map.Entry<String, String>> query,
        byte[] body,
        String secret) {

    ApiRequest {
        Objects.requireNonNull(method);
        Objects.requireNonNull(family);
        Objects.requireNonNull(endpoint);
        Objects.requireNonNull(path);
        query = List.copyOf(query == null ? List.of() : query);
    }

    static ApiRequest get(EndpointFamily family, String endpoint, String path, List<Map.Entry<String, String>> query) {
        return new ApiRequest("GET", family, endpoint, path, query, null, null);
    }

    /** Same call on another page. */
    ApiRequest withQuery(List<Map.Entry<String, String>> newQuery) {
        return new ApiRequest(method, family, endpoint, path, newQuery, body, secret);
    }

    /** {@code ?a=1&b=2}, URL-encoded, or empty. */
    String queryString() {
        if (query.isEmpty()) {
            return "";
        }
        List<String> parts = new ArrayList<>(query.size());
        for (Map.Entry<String, String> e : query) {
            parts.add(encode(e.getKey()) + "=" + encode(e.getValue()));
        }
        return "?" + String.join("&", parts);
    }

    /** Removes the secret from text that may end up in a log line or an exception message. */
    String scrub(String text) {
        if (text == null || secret == null || secret.isEmpty()) {
            return text;
        }
        return text.replace(secret, "<user-data redacted>");
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return method + " " + endpoint;
    }
}
