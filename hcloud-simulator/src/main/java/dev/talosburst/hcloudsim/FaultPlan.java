package dev.talosburst.hcloudsim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** The faults currently armed; thread-safe. */
final class FaultPlan {

    /** What happens to a request a rule matches. */
    enum Kind {
        /** Answer a Hetzner JSON error. */
        FAIL,
        /** Answer a raw body, as a proxy or load balancer in front of the API would. */
        RAW,
        /** Process the request, then drop the connection. */
        LOSE
    }

    /** An armed rule: applies to the next {@code remaining} matching requests. */
    static final class Rule {
        final Kind kind;
        final String method;
        final String pathPrefix;
        int remaining;
        final int status;
        final String code;
        final String message;
        final String contentType;
        final String rawBody;

        Rule(Kind kind, String method, String pathPrefix, int remaining, int status, String code, String message) {
            this(kind, method, pathPrefix, remaining, status, code, message, null, null);
        }

        Rule(
                Kind kind,
                String method,
                String pathPrefix,
                int remaining,
                int status,
                String code,
                String message,
                String contentType,
                String rawBody) {
            this.kind = kind;
            this.method = method == null ? null : method.toUpperCase(Locale.ROOT);
            this.pathPrefix = pathPrefix == null ? null : normalizePrefix(pathPrefix);
            this.remaining = remaining;
            this.status = status;
            this.code = code;
            this.message = message;
            this.contentType = contentType;
            this.rawBody = rawBody;
        }

        boolean matches(String method, String path) {
            return (this.method == null || this.method.equals(method))
                    && (pathPrefix == null || pathMatches(path, pathPrefix));
        }
    }

    private final List<Rule> rules = new ArrayList<>();
    private final Set<String> stockOuts = new HashSet<>();
    /** Latency of requests matching method and prefix; a null method or prefix matches any request. */
    private record Latency(String method, String pathPrefix, Duration duration) {
        boolean matches(String requestMethod, String path) {
            return (method == null || method.equals(requestMethod))
                    && (pathPrefix == null || pathMatches(path, pathPrefix));
        }
    }

    private final List<Latency> latencies = new ArrayList<>();
    private Integer serverQuota;

    synchronized void add(Rule rule) {
        rules.add(rule);
    }

    /** Consumes one use of the first rule matching the request, if any. */
    synchronized Optional<Rule> consume(String method, String path) {
        Iterator<Rule> it = rules.iterator();
        while (it.hasNext()) {
            Rule r = it.next();
            if (r.matches(method, path)) {
                if (--r.remaining <= 0) {
                    it.remove();
                }
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** Sets (or, with zero, removes) the latency of requests matching method and prefix. */
    synchronized void latency(String method, String pathPrefix, Duration latency) {
        String m = method == null ? null : method.toUpperCase(Locale.ROOT);
        String p = pathPrefix == null ? null : normalizePrefix(pathPrefix);
        latencies.removeIf(l -> Objects.equals(l.method(), m) && Objects.equals(l.pathPrefix(), p));
        if (!latency.isZero()) {
            latencies.add(new Latency(m, p, latency));
        }
    }

    /** The longest latency configured for a request. */
    synchronized Duration latencyFor(String method, String path) {
        return latencies.stream()
                .filter(l -> l.matches(method, path))
                .map(Latency::duration)
                .max(Duration::compareTo)
                .orElse(Duration.ZERO);
    }

    synchronized void stockOut(String type, String location, boolean out) {
        if (out) {
            stockOuts.add(type + "@" + location);
        } else {
            stockOuts.remove(type + "@" + location);
        }
    }

    synchronized boolean isStockedOut(String type, String location) {
        return stockOuts.contains(type + "@" + location);
    }

    synchronized void serverQuota(Integer quota) {
        this.serverQuota = quota;
    }

    synchronized Optional<Integer> serverQuota() {
        return Optional.ofNullable(serverQuota);
    }

    synchronized void clear() {
        rules.clear();
        stockOuts.clear();
        latencies.clear();
        serverQuota = null;
    }

    /** Accepts prefixes with or without the {@code /v1} root, e.g. {@code /servers} or {@code /v1/servers}. */
    static String normalizePrefix(String prefix) {
        String p = prefix.startsWith("/") ? prefix : "/" + prefix;
        if (p.endsWith("/") && p.length() > 1) {
            p = p.substring(0, p.length() - 1);
        }
        return p.equals("/v1") || p.startsWith("/v1/") ? p : "/v1" + p;
    }

    /** Segment-wise prefix match: {@code /v1/servers} matches {@code /v1/servers/5} but not {@code /v1/server_types}. */
    static boolean pathMatches(String path, String normalizedPrefix) {
        return path.equals(normalizedPrefix) || path.startsWith(normalizedPrefix + "/");
    }
}
