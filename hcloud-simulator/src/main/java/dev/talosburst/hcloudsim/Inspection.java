package dev.talosburst.hcloudsim;

import java.util.List;
import java.util.Optional;

/** Read access to simulator state for test assertions (not part of the Hetzner API). */
public final class Inspection {

    private final ProjectState state;

    Inspection(ProjectState state) {
        this.state = state;
    }

    /** Every server that exists now (including ones being deleted), by id. */
    public List<ServerSnapshot> servers() {
        synchronized (state) {
            return state.servers().stream().map(SimServer::snapshot).toList();
        }
    }

    /** One server, if it exists now. */
    public Optional<ServerSnapshot> server(long id) {
        synchronized (state) {
            return Optional.ofNullable(state.server(id)).map(SimServer::snapshot);
        }
    }

    /** One server by name, if it exists now. */
    public Optional<ServerSnapshot> serverNamed(String name) {
        synchronized (state) {
            return Optional.ofNullable(state.serverNamed(name)).map(SimServer::snapshot);
        }
    }

    /** The user data a server was created with (never returned by the API), if the server exists and had any. */
    public Optional<String> userData(long serverId) {
        return server(serverId).map(ServerSnapshot::userData);
    }

    /** Every API request since start (or the last {@link #resetRequestLog()}), oldest first. */
    public List<RecordedRequest> requests() {
        synchronized (state) {
            return List.copyOf(state.requests);
        }
    }

    /** How many API requests were made. */
    public int requestCount() {
        synchronized (state) {
            return state.requests.size();
        }
    }

    /**
     * How many requests match a method ({@code null} = any) and a path prefix ({@code null} = any), matched by
     * whole segments, {@code /v1} optional: {@code requestCount("GET", "/servers")} counts lists and gets of servers.
     */
    public int requestCount(String method, String pathPrefix) {
        String prefix = pathPrefix == null ? null : FaultPlan.normalizePrefix(pathPrefix);
        synchronized (state) {
            return (int) state.requests.stream()
                    .filter(r -> method == null || r.method().equalsIgnoreCase(method))
                    .filter(r -> prefix == null || FaultPlan.pathMatches(r.path(), prefix))
                    .count();
        }
    }

    /** Full request/response pairs, when the simulator was started with {@code recordExchanges}. */
    public List<RecordedExchange> exchanges() {
        synchronized (state) {
            return List.copyOf(state.exchanges);
        }
    }

    /** Forgets logged requests and recorded exchanges. */
    public void resetRequestLog() {
        synchronized (state) {
            state.requests.clear();
            state.exchanges.clear();
        }
    }

    /** Tokens left in the rate-limit bucket now. */
    public int rateLimitRemaining() {
        return state.bucket.peek().remaining();
    }
}
