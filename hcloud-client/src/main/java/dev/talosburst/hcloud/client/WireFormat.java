package dev.talosburst.hcloud.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talosburst.provisioner.cloud.Action;
import dev.talosburst.provisioner.cloud.Firewall;
import dev.talosburst.provisioner.cloud.FirewallRule;
import dev.talosburst.provisioner.cloud.Image;
import dev.talosburst.provisioner.cloud.Location;
import dev.talosburst.provisioner.cloud.Network;
import dev.talosburst.provisioner.cloud.PlacementGroup;
import dev.talosburst.provisioner.cloud.Server;
import dev.talosburst.provisioner.cloud.ServerSpec;
import dev.talosburst.provisioner.cloud.ServerStatus;
import dev.talosburst.provisioner.cloud.ServerType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Hetzner's JSON wire format (research/hetzner.md §2) to and from the domain records. Read leniently: unknown fields are
 * ignored and fields removed in 2026 ({@code datacenter}) or added in 2026 ({@code locations[].available}) are both handled.
 */
final class WireFormat {

    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");

    private final ObjectMapper json;

    WireFormat(ObjectMapper json) {
        this.json = json;
    }

    // ---- requests

    /** The body of {@code POST /servers}. {@code server_type} and {@code image} go out as numbers when they are ids. */
    byte[] createServerBody(ServerSpec spec) {
        ObjectNode body = json.createObjectNode();
        body.put("name", spec.name());
        putIdOrName(body, "server_type", spec.serverType());
        putIdOrName(body, "image", spec.image());
        if (spec.location() != null) {
            body.put("location", spec.location());
        }
        if (spec.userData() != null) {
            body.put("user_data", spec.userData());
        }
        ObjectNode labels = body.putObject("labels");
        spec.labels().forEach(labels::put);
        body.put("start_after_create", spec.startAfterCreate());
        if (!spec.firewallIds().isEmpty()) {
            ArrayNode firewalls = body.putArray("firewalls");
            spec.firewallIds().forEach(id -> firewalls.addObject().put("firewall", id));
        }
        if (!spec.networkIds().isEmpty()) {
            ArrayNode networks = body.putArray("networks");
            spec.networkIds().forEach(networks::add);
        }
        if (spec.placementGroupId() != null) {
            body.put("placement_group", spec.placementGroupId());
        }
        ObjectNode publicNet = body.putObject("public_net");
        publicNet.put("enable_ipv4", spec.enableIpv4());
        publicNet.put("enable_ipv6", spec.enableIpv6());
        return bytes(body);
    }

    static boolean isId(String idOrName) {
        return idOrName != null && DIGITS.matcher(idOrName).matches();
    }

    // ---- responses

    Server server(JsonNode s) {
        JsonNode publicNet = s.path("public_net");
        String location = text(s.path("location").path("name"));
        if (location == null) {
            // Responses from before 2026-07-01 may carry only the deprecated datacenter.
            location = text(s.path("datacenter").path("location").path("name"));
        }
        JsonNode image = s.path("image");
        return new Server(
                s.path("id").asLong(),
                text(s.path("name")),
                ServerStatus.fromApi(text(s.path("status"))),
                instant(s.path("created")),
                text(s.path("server_type").path("name")),
                location,
                image.isObject() && image.hasNonNull("id") ? image.get("id").asLong() : null,
                labels(s.path("labels")),
                text(publicNet.path("ipv4").path("ip")),
                text(publicNet.path("ipv6").path("ip")));
    }

    Action action(JsonNode a) {
        List<Long> serverIds = new ArrayList<>();
        for (JsonNode resource : a.path("resources")) {
            if ("server".equals(text(resource.path("type")))) {
                serverIds.add(resource.path("id").asLong());
            }
        }
        JsonNode error = a.path("error");
        return new Action(
                a.path("id").asLong(),
                text(a.path("command")),
                text(a.path("status")),
                a.path("progress").asInt(),
                instant(a.path("started")),
                instant(a.path("finished")),
                serverIds,
                error.isObject() ? text(error.path("code")) : null,
                error.isObject() ? text(error.path("message")) : null);
    }

    List<Action> actions(JsonNode array) {
        List<Action> result = new ArrayList<>();
        for (JsonNode a : array) {
            result.add(action(a));
        }
        return result;
    }

    ServerType serverType(JsonNode t) {
        List<ServerType.Price> prices = new ArrayList<>();
        for (JsonNode p : t.path("prices")) {
            prices.add(new ServerType.Price(
                    text(p.path("location")),
                    decimal(p.path("price_hourly").path("net")),
                    decimal(p.path("price_hourly").path("gross")),
                    decimal(p.path("price_monthly").path("net")),
                    decimal(p.path("price_monthly").path("gross"))));
        }
        List<ServerType.Availability> locations = new ArrayList<>();
        for (JsonNode l : t.path("locations")) {
            JsonNode deprecation = l.path("deprecation");
            // Before 2026-04-01 there was no "available": a listed location meant orderable.
            locations.add(new ServerType.Availability(
                    text(l.path("name")),
                    l.path("available").asBoolean(true),
                    l.path("recommended").asBoolean(false),
                    deprecation.isObject()));
        }
        return new ServerType(
                t.path("id").asLong(),
                text(t.path("name")),
                text(t.path("description")),
                t.path("cores").asInt(),
                t.path("memory").asDouble(),
                t.path("disk").asInt(),
                text(t.path("cpu_type")),
                text(t.path("architecture")),
                prices,
                locations);
    }

    Location location(JsonNode l) {
        return new Location(
                l.path("id").asLong(),
                text(l.path("name")),
                text(l.path("description")),
                text(l.path("country")),
                text(l.path("city")),
                text(l.path("network_zone")));
    }

    Image image(JsonNode i) {
        return new Image(
                i.path("id").asLong(),
                text(i.path("type")),
                text(i.path("status")),
                text(i.path("name")),
                text(i.path("description")),
                instant(i.path("created")),
                labels(i.path("labels")),
                text(i.path("architecture")));
    }

    Firewall firewall(JsonNode f) {
        List<FirewallRule> rules = new ArrayList<>();
        for (JsonNode r : f.path("rules")) {
            rules.add(new FirewallRule(
                    text(r.path("direction")),
                    text(r.path("protocol")),
                    text(r.path("port")),
                    strings(r.path("source_ips")),
                    strings(r.path("destination_ips")),
                    text(r.path("description"))));
        }
        return new Firewall(f.path("id").asLong(), text(f.path("name")), labels(f.path("labels")), rules);
    }

    Network network(JsonNode n) {
        return new Network(
                n.path("id").asLong(), text(n.path("name")), text(n.path("ip_range")), labels(n.path("labels")));
    }

    PlacementGroup placementGroup(JsonNode g) {
        List<Long> servers = new ArrayList<>();
        g.path("servers").forEach(id -> servers.add(id.asLong()));
        return new PlacementGroup(
                g.path("id").asLong(), text(g.path("name")), text(g.path("type")), servers, labels(g.path("labels")));
    }

    // ---- helpers

    private void putIdOrName(ObjectNode body, String field, String idOrName) {
        if (isId(idOrName)) {
            body.put(field, Long.parseLong(idOrName));
        } else {
            body.put(field, idOrName);
        }
    }

    private byte[] bytes(JsonNode node) {
        try {
            return json.writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise request body", e);
        }
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node.asText();
    }

    private static Instant instant(JsonNode node) {
        String value = text(node);
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            return Instant.parse(value);
        }
    }

    private static BigDecimal decimal(JsonNode node) {
        String value = text(node);
        return value == null || value.isEmpty() ? null : new BigDecimal(value.strip());
    }

    private static Map<String, String> labels(JsonNode node) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            node.fields()
                    .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        }
        return labels;
    }

    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(v -> values.add(v.asText()));
        }
        return values;
    }
}
