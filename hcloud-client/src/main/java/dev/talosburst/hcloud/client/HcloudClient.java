package dev.talosburst.hcloud.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.talosburst.provisioner.cloud.Action;
import dev.talosburst.provisioner.cloud.CallGuard;
import dev.talosburst.provisioner.cloud.CloudApi;
import dev.talosburst.provisioner.cloud.CloudApiException;
import dev.talosburst.provisioner.cloud.CloudApiException.Kind;
import dev.talosburst.provisioner.cloud.CreatedServer;
import dev.talosburst.provisioner.cloud.Firewall;
import dev.talosburst.provisioner.cloud.Image;
import dev.talosburst.provisioner.cloud.ImageQuery;
import dev.talosburst.provisioner.cloud.Location;
import dev.talosburst.provisioner.cloud.Network;
import dev.talosburst.provisioner.cloud.PlacementGroup;
import dev.talosburst.provisioner.cloud.Server;
import dev.talosburst.provisioner.cloud.ServerQuery;
import dev.talosburst.provisioner.cloud.ServerSpec;
import dev.talosburst.provisioner.cloud.ServerStatus;
import dev.talosburst.provisioner.cloud.ServerType;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * {@link CloudApi} over Hetzner's HTTP API (java.net.http), spending the request budget carefully and never creating a
 * server twice: a create is retried with the same name, and a {@code uniqueness_error} adopts the existing server when it
 * carries every label of the spec.
 */
public final class HcloudClient implements CloudApi {

    /** Hetzner's largest page. */
    static final int PER_PAGE = 50;

    private static final int MAX_PAGES = 10_000;

    private static final Logger LOG = Logger.getLogger(HcloudClient.class);

    private final HcloudSettings settings;
    private final HcloudTransport transport;
    private final WireFormat wire;
    private final RequestBudget budget;

    /**
     * A client with everything injected.
     *
     * @param registry where {@code talosburst.hcloud.*}, circuit breaker, retry and bulkhead meters go
     * @param clock    time for the request budget and the circuit breakers
     * @param sleeper  how retries and budget waits pass time
     */
    public HcloudClient(HcloudSettings settings, MeterRegistry registry, Clock clock, Sleeper sleeper) {
        this.settings = Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(sleeper, "sleeper");
        ObjectMapper json = new ObjectMapper();
        this.wire = new WireFormat(json);
        this.budget = new TokenBucketBudget(settings.budgetCapacity(), settings.budgetShare(), clock, sleeper);
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(
                        settings.requestTimeout().compareTo(Duration.ofSeconds(10)) < 0
                                ? settings.requestTimeout()
                                : Duration.ofSeconds(10))
                // Plain http is only the simulator; avoid the h2c upgrade dance there.
                .version(
                        "http".equals(settings.endpoint().getScheme())
                                ? HttpClient.Version.HTTP_1_1
                                : HttpClient.Version.HTTP_2)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.transport = new HcloudTransport(settings, budget, clock, sleeper, registry, http, json);
    }

    /** A production client: system clock, real sleeping, meters in {@code registry}. */
    public static HcloudClient create(HcloudSettings settings, MeterRegistry registry) {
        return new HcloudClient(settings, registry, Clock.systemUTC(), Sleeper.threadSleep());
    }

    /**
     * A production client whose meters stay private to it (a fresh {@link SimpleMeterRegistry}). Deliberately not
     * {@code Metrics.globalRegistry}: process-wide state would mix several clients' meters; the application passes its
     * Prometheus registry to {@link #create(HcloudSettings, MeterRegistry)}.
     */
    public static HcloudClient create(HcloudSettings settings) {
        return create(settings, new SimpleMeterRegistry());
    }

    /** State of the circuit breaker guarding an endpoint family (for health reporting). */
    public CircuitBreaker.State breakerState(EndpointFamily family) {
        return transport.breaker(family).getState();
    }

    @Override
    public CallGuard serversGuard() {
        CircuitBreaker.State state = breakerState(EndpointFamily.SERVERS);
        return new CallGuard(
                state.name(), state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN);
    }

    /** Requests the client believes it may still send right now. */
    public long remainingBudget() {
        return budget.remaining();
    }

    // ---- servers

    @Override
    public CreatedServer createServer(ServerSpec spec) {
        Objects.requireNonNull(spec, "spec");
        ApiRequest request = new ApiRequest(
                "POST",
                EndpointFamily.SERVERS,
                "/servers",
                "/servers",
                List.of(),
                wire.createServerBody(spec),
                spec.userData());
        try {
            JsonNode body = transport.send(request);
            JsonNode action = body.path("action");
            CreatedServer created = new CreatedServer(
                    wire.server(body.path("server")),
                    action.isObject() ? wire.action(action) : null,
                    wire.actions(body.path("next_actions")),
                    false);
            LOG.debugf(
                    "Created server %s (id %d)",
                    created.server().name(), created.server().id());
            return created;
        } catch (CloudApiException e) {
            if (e.kind() != Kind.ALREADY_EXISTS) {
                throw e;
            }
            return adopt(spec, e);
        }
    }

    /**
     * The name is taken. If the server with that name carries every label of the spec with the same value, it is ours (our
     * own earlier attempt whose answer was lost): adopt it. Anything else is someone else's server.
     */
    private CreatedServer adopt(ServerSpec spec, CloudApiException uniqueness) {
        List<Server> existing = servers(ServerQuery.byName(spec.name()));
        if (existing.isEmpty()) {
            throw uniqueness;
        }
        Server server = existing.get(0);
        Set<String> mismatched = new TreeSet<>();
        spec.labels().forEach((key, value) -> {
            if (!value.equals(server.labels().get(key))) {
                mismatched.add(key);
            }
        });
        if (spec.labels().isEmpty() || !mismatched.isEmpty()) {
            String why = spec.labels().isEmpty()
                    ? "the request carries no labels to prove ownership"
                    : "it lacks or differs in label(s) " + mismatched;
            throw new CloudApiException(
                    Kind.ALREADY_EXISTS,
                    uniqueness.code(),
                    uniqueness.httpStatus(),
                    "A server named '" + spec.name() + "' already exists (id " + server.id()
                            + ") and is not adopted because " + why
                            + "; delete or rename that server, or choose another name",
                    uniqueness.correlationId(),
                    uniqueness);
        }
        if (server.status() == ServerStatus.DELETING) {
            // Ours, but on its way out (e.g. just reaped): adopting it would hand back a server that vanishes in
            // seconds.
            throw new CloudApiException(
                    Kind.RETRYABLE,
                    uniqueness.code(),
                    uniqueness.httpStatus(),
                    "A server named '" + spec.name() + "' (id " + server.id()
                            + ") is being deleted; create it again once it is gone",
                    uniqueness.correlationId(),
                    uniqueness);
        }
        LOG.infof(
                "Adopted existing server %s (id %d): it carries all labels of the create request",
                server.name(), server.id());
        return new CreatedServer(server, null, List.of(), true);
    }

    @Override
    public Optional<Server> server(long id) {
        try {
            JsonNode body = transport.send(
                    ApiRequest.get(EndpointFamily.SERVERS, "/servers/{id}", "/servers/" + id, List.of()));
            return Optional.of(wire.server(body.path("server")));
        } catch (CloudApiException e) {
            if (e.kind() == Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public List<Server> servers(ServerQuery query) {
        Objects.requireNonNull(query, "query");
        List<Map.Entry<String, String>> params = new ArrayList<>();
        addIfPresent(params, "label_selector", query.labelSelector());
        addIfPresent(params, "name", query.name());
        for (ServerStatus status : query.statuses()) {
            params.add(param("status", status.apiName()));
        }
        for (String sort : query.sort()) {
            params.add(param("sort", sort));
        }
        return listAll(ApiRequest.get(EndpointFamily.SERVERS, "/servers", "/servers", params), "servers", wire::server);
    }

    @Override
    public Optional<Action> deleteServer(long id) {
        try {
            JsonNode body = transport.send(new ApiRequest(
                    "DELETE", EndpointFamily.SERVERS, "/servers/{id}", "/servers/" + id, List.of(), null, null));
            JsonNode action = body.path("action");
            return action.isObject() ? Optional.of(wire.action(action)) : Optional.empty();
        } catch (CloudApiException e) {
            if (e.kind() == Kind.NOT_FOUND) {
                LOG.debugf("Server %d was already gone", id);
                return Optional.empty();
            }
            throw e;
        }
    }

    // ---- catalogue

    @Override
    public List<ServerType> serverTypes() {
        return listAll(
                ApiRequest.get(EndpointFamily.CATALOGUE, "/server_types", "/server_types", List.of()),
                "server_types",
                wire::serverType);
    }

    @Override
    public List<Location> locations() {
        return listAll(
                ApiRequest.get(EndpointFamily.CATALOGUE, "/locations", "/locations", List.of()),
                "locations",
                wire::location);
    }

    @Override
    public List<Image> images(ImageQuery query) {
        Objects.requireNonNull(query, "query");
        List<Map.Entry<String, String>> params = new ArrayList<>();
        addIfPresent(params, "type", query.type());
        addIfPresent(params, "label_selector", query.labelSelector());
        addIfPresent(params, "architecture", query.architecture());
        addIfPresent(params, "name", query.name());
        params.add(param("sort", "created:desc"));
        List<Image> images = new ArrayList<>(
                listAll(ApiRequest.get(EndpointFamily.CATALOGUE, "/images", "/images", params), "images", wire::image));
        // Pages were fetched newest first already; sorting again keeps the promise even if images changed between
        // pages.
        images.sort(Comparator.comparing(Image::created, Comparator.nullsLast(Comparator.<Instant>reverseOrder()))
                .thenComparing(Comparator.comparingLong(Image::id).reversed()));
        return images;
    }

    @Override
    public Optional<Image> image(long id) {
        try {
            JsonNode body = transport.send(
                    ApiRequest.get(EndpointFamily.CATALOGUE, "/images/{id}", "/images/" + id, List.of()));
            return Optional.of(wire.image(body.path("image")));
        } catch (CloudApiException e) {
            if (e.kind() == Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    // ---- firewalls, networks, placement groups

    @Override
    public List<Firewall> firewalls(String name, String labelSelector) {
        return listAll(
                ApiRequest.get(EndpointFamily.FIREWALLS, "/firewalls", "/firewalls", filters(name, labelSelector)),
                "firewalls",
                wire::firewall);
    }

    @Override
    public List<Network> networks(String name, String labelSelector) {
        return listAll(
                ApiRequest.get(EndpointFamily.NETWORKS, "/networks", "/networks", filters(name, labelSelector)),
                "networks",
                wire::network);
    }

    @Override
    public List<PlacementGroup> placementGroups(String name, String labelSelector) {
        return listAll(
                ApiRequest.get(
                        EndpointFamily.PLACEMENT_GROUPS,
                        "/placement_groups",
                        "/placement_groups",
                        filters(name, labelSelector)),
                "placement_groups",
                wire::placementGroup);
    }

    // ---- paging

    /** Follows {@code meta.pagination.next_page} at per_page=50; an object seen on two pages (list changed meanwhile) is kept once. */
    private <T> List<T> listAll(ApiRequest first, String field, Function<JsonNode, T> mapper) {
        return listAll(first, field, mapper, true);
    }

    /**
     * @param sizedPages false for {@code GET /actions}, whose documented parameters are only {@code id}: the first page is
     *                   requested without paging parameters (25 ids fit on Hetzner's default page) and {@code page} is only
     *                   added when Hetzner announces a next page
     */
    private <T> List<T> listAll(ApiRequest first, String field, Function<JsonNode, T> mapper, boolean sizedPages) {
        List<T> result = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        int page = 1;
        for (int fetched = 0; fetched < MAX_PAGES; fetched++) {
            List<Map.Entry<String, String>> params = new ArrayList<>(first.query());
            if (sizedPages || page > 1) {
                params.add(param("page", Integer.toString(page)));
            }
            if (sizedPages) {
                params.add(param("per_page", Integer.toString(PER_PAGE)));
            }
            JsonNode body = transport.send(first.withQuery(params));
            for (JsonNode item : body.path(field)) {
                if (!item.hasNonNull("id") || seen.add(item.get("id").asLong())) {
                    result.add(mapper.apply(item));
                }
            }
            JsonNode next = body.path("meta").path("pagination").path("next_page");
            if (!next.canConvertToInt() || next.asInt() <= page) {
                return result;
            }
            page = next.asInt();
        }
        throw new CloudApiException(
                Kind.FATAL,
                "pagination_loop",
                0,
                "Hetzner API " + first + " returned more than " + MAX_PAGES + " pages; refusing to follow further",
                null);
    }

    private static List<Map.Entry<String, String>> filters(String name, String labelSelector) {
        List<Map.Entry<String, String>> params = new ArrayList<>();
        addIfPresent(params, "name", name);
        addIfPresent(params, "label_selector", labelSelector);
        return params;
    }

    private static void addIfPresent(List<Map.Entry<String, String>> params, String name, String value) {
        if (value != null && !value.isBlank()) {
            params.add(param(name, value));
        }
    }

    private static Map.Entry<String, String> param(String name, String value) {
        return new SimpleImmutableEntry<>(name, value);
    }

    @Override
    public String toString() {
        return "HcloudClient[endpoint=" + settings.endpoint() + ", budget=" + budget + "]";
    }
}
