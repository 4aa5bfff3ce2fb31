package dev.talosburst.hcloudsim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talosburst.hcloudsim.labels.LabelSelector;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Read-only catalogue endpoints: server types, locations, images, and the removed datacenters endpoint. */
final class CatalogueApi {

    private static final Set<String> IMAGE_TYPES = Set.of("system", "app", "snapshot", "backup");
    private static final Set<String> IMAGE_STATUSES = Set.of("available", "creating", "unavailable");

    private final ProjectState state;
    private final Representations json;

    CatalogueApi(ProjectState state, Representations json) {
        this.state = state;
        this.json = json;
    }

    List<Route> routes() {
        return List.of(
                Route.of("GET", "/v1/server_types", this::listServerTypes),
                Route.of(
                        "GET",
                        "/v1/server_types/([^/]+)",
                        req -> byId(req, state.serverTypes, "server_type", json::serverType)),
                Route.of("GET", "/v1/locations", this::listLocations),
                Route.of("GET", "/v1/locations/([^/]+)", req -> byId(req, state.locations, "location", json::location)),
                Route.of("GET", "/v1/images", this::listImages),
                Route.of("GET", "/v1/images/([^/]+)", req -> byId(req, state.images, "image", json::image)),
                Route.of("GET", "/v1/datacenters", CatalogueApi::datacentersGone),
                Route.of("GET", "/v1/datacenters/([^/]+)", CatalogueApi::datacentersGone));
    }

    private ApiResponse listServerTypes(ParsedRequest req) {
        String name = req.param("name");
        List<SimulatedServerType> types = state.serverTypes.values().stream()
                .filter(t -> name == null || t.name().equals(name))
                .sorted(Comparator.comparingLong(SimulatedServerType::id))
                .toList();
        return new ApiResponse(200, ListQuery.page(req, types, "server_types", json::serverType));
    }

    private ApiResponse listLocations(ParsedRequest req) {
        String name = req.param("name");
        List<SimulatedLocation> matching = state.locations.values().stream()
                .filter(l -> name == null || l.name().equals(name))
                .toList();
        Map<String, Comparator<SimulatedLocation>> fields = new LinkedHashMap<>();
        fields.put("id", Comparator.comparingLong(SimulatedLocation::id));
        fields.put("name", Comparator.comparing(SimulatedLocation::name));
        List<SimulatedLocation> sorted =
                ListQuery.sort(req, matching, fields, Comparator.comparingLong(SimulatedLocation::id));
        return new ApiResponse(200, ListQuery.page(req, sorted, "locations", json::location));
    }

    private ApiResponse listImages(ParsedRequest req) {
        List<String> types = req.params("type");
        List<String> statuses = req.params("status");
        types.forEach(t -> requireIn("type", t, IMAGE_TYPES));
        statuses.forEach(s -> requireIn("status", s, IMAGE_STATUSES));
        String architecture = req.param("architecture");
        if (architecture != null) {
            requireIn("architecture", architecture, Set.of("x86", "arm"));
        }
        String name = req.param("name");
        List<String> boundTo = req.params("bound_to");
        boolean includeDeprecated = ListQuery.boolParam(req, "include_deprecated", false);
        LabelSelector selector = ListQuery.selector(req);
        List<SimulatedImage> matching = state.images.values().stream()
                .filter(i -> types.isEmpty() || types.contains(i.type()))
                .filter(i -> statuses.isEmpty() || statuses.contains(i.status()))
                .filter(i -> architecture == null || architecture.equals(i.architecture()))
                .filter(i -> name == null || name.equals(i.name()))
                .filter(i -> boundTo.isEmpty()) // no image is bound to a server in the simulator
                .filter(i -> includeDeprecated || i.deprecated() == null)
                .filter(i -> selector.matches(i.labels()))
                .toList();
        Map<String, Comparator<SimulatedImage>> fields = new LinkedHashMap<>();
        fields.put("id", Comparator.comparingLong(SimulatedImage::id));
        fields.put("name", Comparator.comparing(i -> i.name() == null ? "" : i.name()));
        fields.put("created", Comparator.comparing(SimulatedImage::created));
        List<SimulatedImage> sorted =
                ListQuery.sort(req, matching, fields, Comparator.comparingLong(SimulatedImage::id));
        return new ApiResponse(200, ListQuery.page(req, sorted, "images", json::image));
    }

    private static ApiResponse datacentersGone(ParsedRequest req) {
        ObjectNode details = Json.MAPPER.createObjectNode();
        details.put("announcement", "https://docs.hetzner.cloud/changelog#2026-06-02-datacenters-endpoint-deprecated");
        throw new ApiException(
                410,
                "deprecated_api_endpoint",
                "the datacenters endpoint was removed after 2026-10-01; use locations and server_types[].locations",
                details);
    }

    /** {@code GET /<resource>/{id}}: the item rendered under {@code key}, or 404. */
    static <T> ApiResponse byId(ParsedRequest req, Map<Long, T> items, String key, Function<T, ObjectNode> render) {
        String resource = key.replace('_', ' ');
        long id = req.idFromPath(1, resource);
        return single(key, render.apply(ApiException.found(items.get(id), resource, id)));
    }

    static ApiResponse single(String key, ObjectNode value) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.set(key, value);
        return new ApiResponse(200, out);
    }

    private static void requireIn(String param, String value, Set<String> allowed) {
        if (!allowed.contains(value)) {
            throw ApiException.invalidInput(param, "unknown " + param + " '" + value + "'; allowed: " + allowed);
        }
    }
}
