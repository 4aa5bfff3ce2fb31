package dev.talosburst.hcloudsim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;

/**
 * The simulator's own control endpoints for the standalone run (same bearer token as the API):
 * {@code POST /_sim/faults} arms a fault, {@code DELETE /_sim/faults} clears them, {@code GET /_sim/requests}
 * and {@code GET /_sim/servers} inspect. User data is never exposed here.
 */
final class AdminApi {

    private final ProjectState state;
    private final Faults faults;

    AdminApi(ProjectState state, Faults faults) {
        this.state = state;
        this.faults = faults;
    }

    ApiResponse handle(ParsedRequest req) {
        switch (req.method + " " + req.path) {
            case "POST /_sim/faults":
                arm(req.json());
                return ok();
            case "DELETE /_sim/faults":
                faults.clear();
                return ok();
            case "GET /_sim/requests":
                return requests();
            case "GET /_sim/servers":
                return servers();
            default:
                throw ApiException.notFound("admin endpoint " + req.method + " " + req.path
                        + " (have: POST/DELETE /_sim/faults, GET /_sim/requests, GET /_sim/servers)");
        }
    }

    private void arm(JsonNode body) {
        String kind = body.path("kind").asText("");
        String method = body.hasNonNull("method") ? body.get("method").asText() : null;
        String path = body.hasNonNull("path") ? body.get("path").asText() : null;
        int count = body.path("count").asInt(1);
        try {
            switch (kind) {
                case "fail" ->
                    faults.failNext(
                            method,
                            path,
                            count,
                            body.path("status").asInt(503),
                            body.path("code").asText("unavailable"),
                            body.path("message").asText("injected fault"));
                case "raw" ->
                    faults.failNextRaw(
                            method,
                            path,
                            count,
                            body.path("status").asInt(502),
                            body.path("content_type").asText("text/html"),
                            body.path("body").asText(""));
                case "lose" -> faults.loseResponses(method, path, count);
                case "drain_rate_limit" -> faults.drainRateLimit();
                case "latency" ->
                    faults.latency(
                            method, path, Duration.ofMillis(body.path("millis").asLong(0)));
                case "stock_out" -> faults.stockOut(text(body, "server_type"), text(body, "location"));
                case "restock" -> faults.restock(text(body, "server_type"), text(body, "location"));
                case "server_quota" -> faults.serverQuota(body.path("servers").asInt(0));
                default ->
                    throw ApiException.invalidInput(
                            "kind",
                            "kind must be fail, raw, lose, latency, stock_out, restock, server_quota or drain_rate_limit, got '"
                                    + kind + "'");
            }
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidInput(e.getMessage());
        }
    }

    private static String text(JsonNode body, String field) {
        if (!body.hasNonNull(field)) {
            throw ApiException.invalidInput(field, "required");
        }
        return body.get(field).asText();
    }

    private ApiResponse requests() {
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode list = out.putArray("requests");
        synchronized (state) {
            for (RecordedRequest r : state.requests) {
                ObjectNode n = list.addObject();
                n.put("time", Json.time(r.time()));
                n.put("method", r.method());
                n.put("path", r.path());
                n.put("query", r.query());
                n.put("status", r.status());
                n.put("response_lost", r.responseLost());
            }
        }
        return new ApiResponse(200, out);
    }

    private ApiResponse servers() {
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode list = out.putArray("servers");
        for (SimServer s : state.servers()) {
            ServerSnapshot snap = s.snapshot();
            ObjectNode n = list.addObject();
            n.put("id", snap.id());
            n.put("name", snap.name());
            n.put("status", snap.status());
            n.put("server_type", snap.serverType());
            n.put("location", snap.location());
            n.put(
                    "user_data_length",
                    snap.userData() == null ? 0 : snap.userData().length());
        }
        return new ApiResponse(200, out);
    }

    private static ApiResponse ok() {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("ok", true);
        return new ApiResponse(200, out);
    }
}
