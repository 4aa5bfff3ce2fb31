package dev.talosburst.hcloudsim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talosburst.hcloudsim.labels.InvalidLabelSelectorException;
import dev.talosburst.hcloudsim.labels.LabelSelector;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Firewalls (list, get, create), networks, placement groups and SSH keys (list, get). */
final class NetworkingApi {

    private static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "icmp", "esp", "gre");

    private final ProjectState state;
    private final Representations json;

    NetworkingApi(ProjectState state, Representations json) {
        this.state = state;
        this.json = json;
    }

    List<Route> routes() {
        return List.of(
                Route.of(
                        "GET",
                        "/v1/firewalls",
                        req -> list(
                                req,
                                state.firewalls.values(),
                                "firewalls",
                                SimulatedFirewall::id,
                                SimulatedFirewall::name,
                                SimulatedFirewall::labels,
                                SimulatedFirewall::created,
                                json::firewall)),
                Route.of("POST", "/v1/firewalls", this::createFirewall),
                Route.of(
                        "GET",
                        "/v1/firewalls/([^/]+)",
                        req -> CatalogueApi.byId(req, state.firewalls, "firewall", json::firewall)),
                Route.of(
                        "GET",
                        "/v1/networks",
                        req -> list(
                                req,
                                state.networks.values(),
                                "networks",
                                SimulatedNetwork::id,
                                SimulatedNetwork::name,
                                SimulatedNetwork::labels,
                                SimulatedNetwork::created,
                                json::network)),
                Route.of(
                        "GET",
                        "/v1/networks/([^/]+)",
                        req -> CatalogueApi.byId(req, state.networks, "network", json::network)),
                Route.of("GET", "/v1/placement_groups", this::listPlacementGroups),
                Route.of(
                        "GET",
                        "/v1/placement_groups/([^/]+)",
                        req -> CatalogueApi.byId(req, state.placementGroups, "placement_group", json::placementGroup)),
                Route.of("GET", "/v1/ssh_keys", this::listSshKeys),
                Route.of(
                        "GET",
                        "/v1/ssh_keys/([^/]+)",
                        req -> CatalogueApi.byId(req, state.sshKeys, "ssh_key", json::sshKey)));
    }

    private ApiResponse listPlacementGroups(ParsedRequest req) {
        List<String> types = req.params("type");
        for (String t : types) {
            if (!t.equals("spread")) {
                throw ApiException.invalidInput("type", "unknown placement group type '" + t + "'; allowed: [spread]");
            }
        }
        return list(
                req,
                state.placementGroups.values(),
                "placement_groups",
                SimulatedPlacementGroup::id,
                SimulatedPlacementGroup::name,
                SimulatedPlacementGroup::labels,
                SimulatedPlacementGroup::created,
                json::placementGroup);
    }

    private ApiResponse listSshKeys(ParsedRequest req) {
        String fingerprint = req.param("fingerprint");
        List<SshKey> keys = state.sshKeys.values().stream()
                .filter(k -> fingerprint == null || k.fingerprint().equals(fingerprint))
                .toList();
        return list(req, keys, "ssh_keys", SshKey::id, SshKey::name, SshKey::labels, SshKey::created, json::sshKey);
    }

    private ApiResponse createFirewall(ParsedRequest req) {
        JsonNode body = req.json();
        String name = ServersApi.requiredString(body, "name");
        if (name.isEmpty() || name.length() > 128) {
            throw ApiException.invalidInput("name", "Length must be between 1 and 128.");
        }
        if (state.firewalls.values().stream().anyMatch(f -> f.name().equals(name))) {
            throw new ApiException(
                    409, "uniqueness_error", "firewall name is already used", Json.MAPPER.createObjectNode());
        }
        Map<String, String> labels = ServersApi.labels(body.get("labels"));
        List<SimulatedFirewallRule> rules = rules(body.get("rules"));
        List<String> selectors = new ArrayList<>();
        List<Long> serverIds = new ArrayList<>();
        JsonNode applyTo = body.get("apply_to");
        if (applyTo != null && !applyTo.isNull()) {
            for (JsonNode a : applyTo) {
                String type = a.path("type").asText();
                if (type.equals("label_selector")) {
                    String selector = a.path("label_selector").path("selector").asText();
                    try {
                        LabelSelector.parse(selector);
                    } catch (InvalidLabelSelectorException e) {
                        throw ApiException.invalidInput("apply_to", e.getMessage());
                    }
                    selectors.add(selector);
                } else if (type.equals("server")) {
                    long id = a.path("server").path("id").asLong(-1);
                    if (state.server(id) == null) {
                        throw ApiException.invalidInput("apply_to", "server " + id + " not found");
                    }
                    serverIds.add(id);
                } else {
                    throw ApiException.invalidInput(
                            "apply_to", "type must be server or label_selector, got '" + type + "'");
                }
            }
        }
        if (!serverIds.isEmpty()) {
            // Servers keep the firewalls they were created with; applying to existing servers is not simulated.
            throw ApiException.invalidInput(
                    "apply_to",
                    "applying a new firewall to existing servers is not simulated;" + " use a label_selector");
        }
        Instant now = state.now();
        SimulatedFirewall firewall = new SimulatedFirewall(state.nextResourceId(), name, labels, now, rules, selectors);
        state.firewalls.put(firewall.id(), firewall);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.set("firewall", json.firewall(firewall));
        var actions = out.putArray("actions");
        if (!selectors.isEmpty()) {
            actions.add(json.action(state.addAction(
                    "apply_firewall", now, now, List.of(new SimAction.Resource(firewall.id(), "firewall")))));
        }
        return new ApiResponse(201, out);
    }

    private static List<SimulatedFirewallRule> rules(JsonNode node) {
        List<SimulatedFirewallRule> rules = new ArrayList<>();
        if (node == null || node.isNull()) {
            return rules;
        }
        if (!node.isArray()) {
            throw ApiException.invalidInput("rules", "must be an array of rules");
        }
        for (JsonNode r : node) {
            String direction = r.path("direction").asText();
            String protocol = r.path("protocol").asText();
            if (!direction.equals("in") && !direction.equals("out")) {
                throw ApiException.invalidInput("rules", "direction must be in or out, got '" + direction + "'");
            }
            if (!PROTOCOLS.contains(protocol)) {
                throw ApiException.invalidInput(
                        "rules", "protocol must be one of " + PROTOCOLS + ", got '" + protocol + "'");
            }
            String port = r.hasNonNull("port") ? r.get("port").asText() : null;
            boolean needsPort = protocol.equals("tcp") || protocol.equals("udp");
            if (needsPort && (port == null || !port.matches("any|\\d{1,5}(-\\d{1,5})?"))) {
                throw ApiException.invalidInput("rules", "tcp/udp rules need a port like 51820, 80-85 or any");
            }
            if (!needsPort && port != null) {
                throw ApiException.invalidInput("rules", protocol + " rules must not have a port");
            }
            List<String> sources = strings(r.get("source_ips"));
            List<String> destinations = strings(r.get("destination_ips"));
            if (direction.equals("in") && sources.isEmpty()) {
                throw ApiException.invalidInput("rules", "inbound rules need source_ips");
            }
            if (direction.equals("out") && destinations.isEmpty()) {
                throw ApiException.invalidInput("rules", "outbound rules need destination_ips");
            }
            rules.add(new SimulatedFirewallRule(
                    direction,
                    protocol,
                    port,
                    sources,
                    destinations,
                    r.hasNonNull("description") ? r.get("description").asText() : null));
        }
        return rules;
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    private <T> ApiResponse list(
            ParsedRequest req,
            Collection<T> items,
            String key,
            Function<T, Long> id,
            Function<T, String> name,
            Function<T, Map<String, String>> labels,
            Function<T, Instant> created,
            Function<T, ObjectNode> render) {
        String wanted = req.param("name");
        LabelSelector selector = ListQuery.selector(req);
        List<T> matching = items.stream()
                .filter(i -> wanted == null || name.apply(i).equals(wanted))
                .filter(i -> selector.matches(labels.apply(i)))
                .toList();
        Map<String, Comparator<T>> fields = new LinkedHashMap<>();
        fields.put("id", Comparator.comparing(id));
        fields.put("name", Comparator.comparing(name));
        fields.put("created", Comparator.comparing(created));
        List<T> sorted = ListQuery.sort(req, matching, fields, Comparator.comparing(id));
        return new ApiResponse(200, ListQuery.page(req, sorted, key, render::apply));
    }
}
