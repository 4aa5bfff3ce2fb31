package dev.talosburst.hcloudsim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A minimal HTTP client for tests: JSON in, status + headers + JSON out. */
final class ApiClient {

    static final ObjectMapper MAPPER = new ObjectMapper();

    /** One answer. */
    record Reply(int status, HttpHeaders headers, JsonNode json) {
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        String errorCode() {
            return json.path("error").path("code").asText(null);
        }
    }

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    ApiClient(HcloudSimulator sim) {
        this(sim.endpoint().toString(), sim.token());
    }

    ApiClient(String base, String token) {
        this.base = base;
        this.token = token;
    }

    ApiClient withToken(String otherToken) {
        return new ApiClient(base, otherToken);
    }

    Reply get(String path) {
        return call("GET", path, null);
    }

    Reply post(String path, String json) {
        return call("POST", path, json);
    }

    Reply put(String path, String json) {
        return call("PUT", path, json);
    }

    Reply delete(String path) {
        return call("DELETE", path, null);
    }

    Reply call(String method, String path, String json) {
        try {
            return send(method, path, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Like {@link #call} but lets transport failures (a lost response) surface as IOException. */
    Reply send(String method, String path, String json) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        b.header("Accept", "application/json");
        if (json != null) {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = r.body().isEmpty() ? MAPPER.nullNode() : MAPPER.readTree(r.body());
            return new Reply(r.statusCode(), r.headers(), body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Creates a server with the given extra JSON fields (e.g. {@code "\"labels\":{\"a\":\"b\"}"}). */
    Reply createServer(String name, String extraFields) {
        String extra = extraFields == null || extraFields.isEmpty() ? "" : "," + extraFields;
        return post(
                "/servers",
                "{\"name\":\"" + name + "\",\"server_type\":\"cx22\",\"image\":300000003," + "\"location\":\"fsn1\""
                        + extra + "}");
    }
}
