package dev.talosburst.hcloudsim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talosburst.hcloudsim.labels.LabelRules;
import dev.talosburst.hcloudsim.labels.LabelSelector;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** {@code /servers}: create, list, get, update, delete, power actions and per-server actions. */
final class ServersApi {

    /** Hetzner's limit on user data, in characters. */
    static final int MAX_USER_DATA = 32768;

    private static final Set<String> STATUSES = Set.of(
            "initializing", "starting", "running", "stopping", "off", "deleting", "migrating", "rebuilding", "unknown");
    private static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    private final ProjectState state;
    private final Representations json;
    private final CatalogueLookup lookup;

    ServersApi(ProjectState state, Representations json, CatalogueLookup lookup) {
        this.state = state;
        this.json = json;
        this.lookup = lookup;
    }

    List<Route> routes() {
        return List.of(
                Route.of("GET", "/v1/servers", this::list),
                Route.of("POST", "/v1/servers", this::create),
                Route.of("GET", "/v1/servers/([^/]+)", this::get),
                Route.of("PUT", "/v1/servers/([^/]+)", this::update),
                Route.of("DELETE", "/v1/servers/([^/]+)", this::delete),
                Route.of("GET", "/v1/servers/([^/]+)/actions", this::listActions),
                Route.of("GET", "/v1/servers/([^/]+)/actions/([^/]+)", this::getAction),
                Route.of("POST", "/v1/servers/([^/]+)/actions/poweron", req -> power(req, true)),
                Route.of("POST", "/v1/servers/([^/]+)/actions/poweroff", req -> power(req, false)));
    }

    private ApiResponse list(ParsedRequest req) {
        LabelSelector selector = ListQuery.selector(req);
        String name = req.param("name");
        List<String> statuses = req.params("status");
        for (String s : statuses) {
            if (!STATUSES.contains(s)) {
                throw ApiException.invalidInput("status", "unknown server status '" + s + "'; allowed: " + STATUSES);
            }
        }
        List<SimServer> matching = state.servers().stream()
                .filter(s -> name == null || s.name.equals(name))
                .filter(s -> statuses.isEmpty() || statuses.contains(s.status()))
                .filter(s -> selector.matches(s.labels))
                .toList();
        Map<String, Comparator<SimServer>> sortFields = new LinkedHashMap<>();
        sortFields.put("id", Comparator.comparingLong(s -> s.id));
        sortFields.put("name", Comparator.comparing(s -> s.name));
        sortFields.put("created", Comparator.comparing(s -> s.created));
        List<SimServer> sorted = ListQuery.sort(req, matching, sortFields, Comparator.comparingLong(s -> s.id));
        return new ApiResponse(200, ListQuery.page(req, sorted, "servers", json::server));
    }

    private ApiResponse get(ParsedRequest req) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.set("server", json.server(existing(req)));
        return new ApiResponse(200, body);
    }

    private ApiResponse create(ParsedRequest req) {
        JsonNode body = req.json();
        if (body.has("datacenter") && !body.get("datacenter").isNull()) {
            throw ApiException.invalidInput(
                    "datacenter", "datacenter was removed from server creation on 2026-07-01; use location instead");
        }
        String name = validName(requiredString(body, "name"));
        Map<String, String> labels = labels(body.get("labels"));
        String userData = optionalString(body, "user_data");
        if (userData != null && userData.codePointCount(0, userData.length()) > MAX_USER_DATA) {
            throw ApiException.invalidInput("user_data", "Length must be between 0 and " + MAX_USER_DATA + ".");
        }
        SimulatedServerType type = lookup.serverType(idOrName(body, "server_type", true))
                .orElseThrow(() -> ApiException.invalidInput(
                        "server_type", "server type '" + idOrName(body, "server_type", true) + "' not found"));
        SimulatedImage image = lookup.imageFor(idOrName(body, "image", true), type);
        SimulatedLocation location = location(body, type);
        boolean startAfterCreate = optionalBoolean(body, "start_after_create", true);
        JsonNode publicNet = body.get("public_net");
        boolean enableIpv4 = true;
        boolean enableIpv6 = true;
        if (publicNet != null && !publicNet.isNull()) {
            if (!publicNet.isObject()) {
                throw ApiException.invalidInput("public_net", "must be an object");
            }
            enableIpv4 = optionalBoolean(publicNet, "enable_ipv4", true);
            enableIpv6 = optionalBoolean(publicNet, "enable_ipv6", true);
            for (String v : List.of("ipv4", "ipv6")) {
                if (publicNet.hasNonNull(v)) {
                    throw ApiException.invalidInput("public_net." + v, "primary IP " + publicNet.get(v) + " not found");
                }
            }
        }
        List<SimulatedNetwork> networks = networks(body.get("networks"), location);
        if (!enableIpv4 && !enableIpv6 && networks.isEmpty()) {
            throw ApiException.invalidInput(
                    "public_net", "a server without public IPv4 and IPv6 needs at least one network");
        }
        List<SimulatedFirewall> firewalls = firewalls(body.get("firewalls"));
        SimulatedPlacementGroup placementGroup = placementGroup(body.get("placement_group"));
        boolean sshKeysGiven = sshKeys(body.get("ssh_keys"));
        JsonNode volumes = body.get("volumes");
        if (volumes != null && volumes.isArray() && !volumes.isEmpty()) {
            throw ApiException.invalidInput("volumes", "volume " + volumes.get(0) + " not found");
        }
        requireUniqueName(name, null);
        Optional<Integer> quota = state.faults.serverQuota();
        if (quota.isPresent() && state.servers().size() >= quota.get()) {
            ObjectNode details = Json.MAPPER.createObjectNode();
            details.putArray("limits").addObject().put("name", "server_limit");
            throw new ApiException(403, "resource_limit_exceeded", "server limit exceeded", details);
        }
        if (state.faults.isStockedOut(type.name(), location.name())) {
            throw new ApiException(412, "resource_unavailable", "error during placement", null);
        }
        ProjectState.CreatedServer created = state.create(new ProjectState.ServerOrder(
                name,
                type,
                location,
                image,
                userData,
                labels,
                startAfterCreate,
                enableIpv4,
                enableIpv6,
                networks,
                firewalls,
                placementGroup,
                sshKeysGiven));
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.set("server", json.server(created.server()));
        out.set("action", json.action(created.action()));
        ArrayNode next = out.putArray("next_actions");
        created.nextActions().forEach(a -> next.add(json.action(a)));
        out.put("root_password", created.rootPassword());
        return new ApiResponse(201, out);
    }

    private ApiResponse update(ParsedRequest req) {
        SimServer server = existing(req);
        JsonNode body = req.json();
        String name = null;
        if (body.has("name")) {
            name = validName(requiredString(body, "name"));
            requireUniqueName(name, server);
        }
        Map<String, String> labels = body.has("labels") ? labels(body.get("labels")) : null;
        if (name != null) {
            server.name = name;
        }
        if (labels != null) {
            server.labels = new LinkedHashMap<>(labels);
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.set("server", json.server(server));
        return new ApiResponse(200, out);
    }

    private ApiResponse delete(ParsedRequest req) {
        SimServer server = existing(req);
        SimAction action = state.delete(server);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.set("action", json.action(action));
        return new ApiResponse(200, out);
    }

    private ApiResponse power(ParsedRequest req, boolean on) {
        SimServer server = existing(req);
        if (server.isDeleting()) {
            throw new ApiException(423, "locked", "server is being deleted", null);
        }
        SimAction action = on ? state.powerOn(server) : state.powerOff(server);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.set("action", json.action(action));
        return new ApiResponse(201, out);
    }

    private ApiResponse listActions(ParsedRequest req) {
        long id = req.idFromPath(1, "server");
        ApiException.found(state.server(id), "server", id);
        List<SimAction> actions =
                state.actions().stream().filter(a -> a.concerns(id, "server")).toList();
        return new ApiResponse(
                200, ListQuery.page(req, ActionsApi.sorted(req, actions, state), "actions", json::action));
    }

    private ApiResponse getAction(ParsedRequest req) {
        long serverId = req.idFromPath(1, "server");
        long actionId = req.idFromPath(2, "action");
        SimAction action = state.action(actionId);
        if (action == null || !action.concerns(serverId, "server")) {
            throw ApiException.notFound("action with ID '" + actionId + "'");
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.set("action", json.action(action));
        return new ApiResponse(200, out);
    }

    private SimServer existing(ParsedRequest req) {
        long id = req.idFromPath(1, "server");
        return ApiException.found(state.server(id), "server", id);
    }

    private void requireUniqueName(String name, SimServer self) {
        SimServer other = state.serverNamed(name);
        if (other != null && other != self) {
            throw new ApiException(
                    409, "uniqueness_error", "server name is already used", Json.MAPPER.createObjectNode());
        }
    }

    private SimulatedLocation location(JsonNode body, SimulatedServerType type) {
        String wanted = idOrName(body, "location", false);
        if (wanted == null) {
            // Like the real API: without a location, pick one where the type is sold.
            return type.prices().stream()
                    .map(p -> json.locationNamed(p.location()))
                    .filter(l -> l != null && !state.faults.isStockedOut(type.name(), l.name()))
                    .findFirst()
                    .orElseThrow(() -> new ApiException(412, "resource_unavailable", "error during placement", null));
        }
        SimulatedLocation location = lookup.location(wanted)
                .orElseThrow(() -> ApiException.invalidInput("location", "location '" + wanted + "' not found"));
        if (type.priceIn(location.name()).isEmpty()) {
            throw ApiException.invalidInput(
                    "location",
                    "server type " + type.name() + " is not available in location " + location.name()
                            + "; it is sold in "
                            + type.prices().stream()
                                    .map(LocationPrice::location)
                                    .toList());
        }
        return location;
    }

    private List<SimulatedNetwork> networks(JsonNode node, SimulatedLocation location) {
        List<SimulatedNetwork> result = new ArrayList<>();
        if (node == null || node.isNull()) {
            return result;
        }
        if (!node.isArray()) {
            throw ApiException.invalidInput("networks", "must be an array of network IDs");
        }
        for (JsonNode n : node) {
            long id = longValue(n, "networks");
            SimulatedNetwork network = state.networks.get(id);
            if (network == null) {
                throw ApiException.invalidInput("networks", "network " + id + " not found");
            }
            if (!network.networkZone().equals(location.networkZone())) {
                throw ApiException.invalidInput(
                        "networks",
                        "network " + id + " is in network zone " + network.networkZone() + " but location "
                                + location.name() + " is in " + location.networkZone());
            }
            result.add(network);
        }
        return result;
    }

    private List<SimulatedFirewall> firewalls(JsonNode node) {
        List<SimulatedFirewall> result = new ArrayList<>();
        if (node == null || node.isNull()) {
            return result;
        }
        if (!node.isArray()) {
            throw ApiException.invalidInput("firewalls", "must be an array of {\"firewall\": <id>}");
        }
        for (JsonNode f : node) {
            if (!f.isObject() || !f.has("firewall")) {
                throw ApiException.invalidInput("firewalls", "each entry must be {\"firewall\": <id>}");
            }
            long id = longValue(f.get("firewall"), "firewalls");
            SimulatedFirewall firewall = state.firewalls.get(id);
            if (firewall == null) {
                throw ApiException.invalidInput("firewalls", "firewall " + id + " not found");
            }
            result.add(firewall);
        }
        return result;
    }

    private SimulatedPlacementGroup placementGroup(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        long id = longValue(node, "placement_group");
        SimulatedPlacementGroup pg = state.placementGroups.get(id);
        if (pg == null) {
            throw ApiException.invalidInput("placement_group", "placement group " + id + " not found");
        }
        return pg;
    }

    private boolean sshKeys(JsonNode node) {
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isArray()) {
            throw ApiException.invalidInput("ssh_keys", "must be an array of SSH key IDs or names");
        }
        for (JsonNode k : node) {
            String ref = k.isNumber() ? k.asText() : k.isTextual() ? k.asText() : null;
            if (ref == null || lookup.sshKey(ref).isEmpty()) {
                throw ApiException.invalidInput("ssh_keys", "SSH key " + k + " not found");
            }
        }
        return !node.isEmpty();
    }

    static String validName(String name) {
        if (!isHostname(name)) {
            throw ApiException.invalidInput(
                    "name",
                    "'" + name + "' is not a valid hostname (RFC 1123: letters, digits,"
                            + " dashes and dots; labels of 1-63 characters that start and end with a letter or digit)");
        }
        return name;
    }

    static boolean isHostname(String name) {
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (!HOST_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    static Map<String, String> labels(JsonNode node) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return labels;
        }
        if (!node.isObject()) {
            throw ApiException.invalidInput("labels", "labels must be an object of string keys to string values");
        }
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw ApiException.invalidInput("labels", "value of label '" + e.getKey() + "' must be a string");
            }
            labels.put(e.getKey(), e.getValue().asText());
        }
        LabelRules.problemWith(labels).ifPresent(p -> {
            throw ApiException.invalidInput("labels", p);
        });
        return labels;
    }

    static String requiredString(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            throw ApiException.invalidInput(field, "Missing data for required field.");
        }
        if (!n.isTextual()) {
            throw ApiException.invalidInput(field, "Not a valid string.");
        }
        return n.asText();
    }

    static String optionalString(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw ApiException.invalidInput(field, "Not a valid string.");
        }
        return n.asText();
    }

    static boolean optionalBoolean(JsonNode body, String field, boolean defaultValue) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return defaultValue;
        }
        if (!n.isBoolean()) {
            throw ApiException.invalidInput(field, "Not a valid boolean.");
        }
        return n.asBoolean();
    }

    /** An "ID or name" field: a JSON number, or a string (numeric strings are IDs), as hcloud-go sends them. */
    static String idOrName(JsonNode body, String field, boolean required) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw ApiException.invalidInput(field, "Missing data for required field.");
            }
            return null;
        }
        if (n.isIntegralNumber()) {
            return n.asText();
        }
        if (n.isTextual() && !n.asText().isEmpty()) {
            return n.asText();
        }
        throw ApiException.invalidInput(field, "must be an ID (number) or a name (string)");
    }

    private static long longValue(JsonNode n, String field) {
        if (n.isIntegralNumber()) {
            return n.asLong();
        }
        if (n.isTextual() && n.asText().matches("\\d{1,18}")) {
            return Long.parseLong(n.asText());
        }
        throw ApiException.invalidInput(field, "expected an ID, got " + n);
    }
}
