package dev.talosburst.hcloudsim;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.stream.Collectors;

/**
 * Every API request passes here: rate limit, authentication, faults, routing, logging, and the response with
 * {@code X-Correlation-Id} and {@code RateLimit-*} headers. {@code /_sim/...} goes to the admin endpoints.
 */
final class RequestPipeline implements HttpHandler {

    private static final Logger LOG = Logger.getLogger(RequestPipeline.class.getName());

    private final ProjectState state;
    private final List<Route> routes = new ArrayList<>();
    private final AdminApi admin;
    private final byte[] expectedAuthorization;

    RequestPipeline(ProjectState state, AdminApi admin) {
        this.state = state;
        this.admin = admin;
        this.expectedAuthorization = ("Bearer " + state.options.token()).getBytes(StandardCharsets.UTF_8);
        Representations json = new Representations(state);
        CatalogueLookup lookup = new CatalogueLookup(state);
        routes.addAll(new ServersApi(state, json, lookup).routes());
        routes.addAll(new ActionsApi(state, json).routes());
        routes.addAll(new CatalogueApi(state, json).routes());
        routes.addAll(new NetworkingApi(state, json).routes());
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            process(exchange);
        } catch (RuntimeException | IOException e) {
            LOG.log(
                    Level.WARNING,
                    "simulator failed to handle " + exchange.getRequestMethod() + " "
                            + exchange.getRequestURI().getRawPath(),
                    e);
            throw e;
        } finally {
            exchange.close();
        }
    }

    private void process(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String path = exchange.getRequestURI().getRawPath();
        String rawQuery =
                Optional.ofNullable(exchange.getRequestURI().getRawQuery()).orElse("");
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        boolean authorized = isAuthorized(exchange.getRequestHeaders());
        Headers out = exchange.getResponseHeaders();
        out.set("Content-Type", "application/json");
        out.set(
                "X-Correlation-Id",
                UUID.randomUUID().toString().replace("-", "").substring(0, 16));

        if (path.equals("/_sim") || path.startsWith("/_sim/")) {
            ApiResponse response = authorized
                    ? safely(() -> admin.handle(new ParsedRequest(method, path, rawQuery, body)))
                    : unauthorized();
            send(exchange, response);
            return;
        }

        TokenBucket.Outcome rate = state.bucket.take();
        out.set("RateLimit-Limit", Integer.toString(rate.limit()));
        out.set("RateLimit-Remaining", Integer.toString(rate.remaining()));
        out.set("RateLimit-Reset", Long.toString(rate.resetEpochSecond()));

        boolean lose = false;
        ApiResponse response;
        if (!rate.allowed()) {
            response = error(new ApiException(
                    429, "rate_limit_exceeded", "limit of " + rate.limit() + " requests per hour reached", null));
        } else if (!authorized) {
            response = unauthorized();
        } else {
            sleep(state.faults.latencyFor(method, path));
            Optional<FaultPlan.Rule> fault = state.faults.consume(method, path);
            FaultPlan.Kind kind = fault.map(r -> r.kind).orElse(null);
            if (kind == FaultPlan.Kind.RAW) {
                FaultPlan.Rule r = fault.get();
                out.set("Content-Type", r.contentType);
                byte[] raw = r.rawBody.getBytes(StandardCharsets.UTF_8);
                record(exchange, method, path, rawQuery, body, r.status, raw, false);
                send(exchange, r.status, raw);
                return;
            }
            if (kind == FaultPlan.Kind.FAIL) {
                FaultPlan.Rule r = fault.get();
                response = error(new ApiException(r.status, r.code, r.message, null));
            } else {
                lose = kind == FaultPlan.Kind.LOSE;
                ParsedRequest request = new ParsedRequest(method, path, rawQuery, body);
                synchronized (state) {
                    state.refresh();
                    response = safely(() -> route(request));
                }
            }
        }
        linkHeader(exchange, path, rawQuery, response).ifPresent(link -> out.set("Link", link));
        byte[] bytes = Json.MAPPER.writeValueAsBytes(response.body());
        record(exchange, method, path, rawQuery, body, response.status(), bytes, lose);
        if (lose) {
            // The request took effect; dropping the connection without an answer is what the client must survive.
            return;
        }
        send(exchange, response.status(), bytes);
    }

    /** Hetzner's {@code Link} header on paginated lists: {@code <url>; rel="prev"}, {@code "next"}, {@code "last"}. */
    private static Optional<String> linkHeader(
            HttpExchange exchange, String path, String rawQuery, ApiResponse response) {
        JsonNode pagination = response.body().path("meta").path("pagination");
        if (response.status() != 200 || !pagination.isObject()) {
            return Optional.empty();
        }
        String host = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Host"))
                .orElse("127.0.0.1:" + exchange.getLocalAddress().getPort());
        String withoutPage = Arrays.stream(rawQuery.split("&"))
                .filter(p -> !p.isEmpty() && !p.startsWith("page="))
                .collect(Collectors.joining("&"));
        String base = "http://" + host + path + "?" + (withoutPage.isEmpty() ? "" : withoutPage + "&") + "page=";
        List<String> links = new ArrayList<>();
        for (String[] rel : new String[][] {{"previous_page", "prev"}, {"next_page", "next"}, {"last_page", "last"}}) {
            JsonNode page = pagination.path(rel[0]);
            if (page.isNumber()) {
                links.add("<" + base + page.asInt() + ">; rel=\"" + rel[1] + "\"");
            }
        }
        return links.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", links));
    }

    private static void send(HttpExchange exchange, ApiResponse response) throws IOException {
        send(exchange, response.status(), Json.MAPPER.writeValueAsBytes(response.body()));
    }

    private static void send(HttpExchange exchange, int status, byte[] bytes) throws IOException {
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(bytes);
        }
    }

    private ApiResponse route(ParsedRequest request) {
        boolean pathKnown = false;
        for (Route r : routes) {
            Matcher m = r.path().matcher(request.path);
            if (m.matches()) {
                pathKnown = true;
                if (r.method().equals(request.method)) {
                    request.pathMatch = m;
                    return r.handler().apply(request);
                }
            }
        }
        if (pathKnown) {
            throw new ApiException(
                    405, "method_not_allowed", "method " + request.method + " is not allowed on " + request.path, null);
        }
        throw ApiException.notFound("endpoint " + request.path);
    }

    private static ApiResponse safely(java.util.function.Supplier<ApiResponse> handler) {
        try {
            return handler.get();
        } catch (ApiException e) {
            return error(e);
        } catch (RuntimeException e) {
            // A simulator bug: answer like Hetzner's backend would, and say what broke so the test log shows it.
            LOG.log(Level.SEVERE, "hcloud simulator bug", e);
            return error(new ApiException(500, "server_error", "simulator bug: " + e, null));
        }
    }

    private static ApiResponse error(ApiException e) {
        return new ApiResponse(e.status, e.body());
    }

    private static ApiResponse unauthorized() {
        return error(new ApiException(401, "unauthorized", "unable to authenticate", null));
    }

    private boolean isAuthorized(Headers headers) {
        String given = headers.getFirst("Authorization");
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expectedAuthorization);
    }

    private void record(
            HttpExchange exchange,
            String method,
            String path,
            String query,
            String requestBody,
            int status,
            byte[] responseBody,
            boolean lost) {
        synchronized (state) {
            state.requests.add(new RecordedRequest(state.now(), method, path, query, status, lost));
            if (state.options.recordExchanges()) {
                state.exchanges.add(new RecordedExchange(
                        state.now(),
                        method,
                        path,
                        query,
                        headers(exchange.getRequestHeaders(), true),
                        requestBody,
                        status,
                        headers(exchange.getResponseHeaders(), false),
                        new String(responseBody, StandardCharsets.UTF_8),
                        lost));
            }
        }
    }

    private static Map<String, List<String>> headers(Headers headers, boolean dropAuthorization) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        headers.forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!(dropAuthorization && lower.equals("authorization"))) {
                copy.put(lower, List.copyOf(values));
            }
        });
        return copy;
    }

    private static void sleep(Duration latency) {
        if (latency.isZero()) {
            return;
        }
        try {
            Thread.sleep(latency.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
