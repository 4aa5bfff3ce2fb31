package dev.talosburst.hcloudsim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talosburst.hcloudsim.labels.LabelSelector;
import java.time.Instant;
import java.util.Map;

/**
 * Renders simulator state as the 2026 Hetzner API does: servers carry {@code location} and no
 * {@code datacenter}; server-type locations carry {@code available}/{@code recommended}; user data never appears.
 * Callers hold the {@link ProjectState} lock.
 */
final class Representations {

    private final ProjectState state;

    Representations(ProjectState state) {
        this.state = state;
    }

    ObjectNode server(SimServer s) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", s.id);
        n.put("name", s.name);
        n.put("status", s.status());
        n.put("created", Json.time(s.created));
        ObjectNode publicNet = n.putObject("public_net");
        if (s.ipv4 == null) {
            publicNet.putNull("ipv4");
        } else {
            ObjectNode v4 = publicNet.putObject("ipv4");
            v4.put("id", s.ipv4.id());
            v4.put("ip", s.ipv4.ip());
            v4.put("blocked", false);
            v4.put("dns_ptr", "static." + reverse(s.ipv4.ip()) + ".clients.your-server.de");
        }
        if (s.ipv6 == null) {
            publicNet.putNull("ipv6");
        } else {
            ObjectNode v6 = publicNet.putObject("ipv6");
            v6.put("id", s.ipv6.id());
            v6.put("ip", s.ipv6.ip());
            v6.put("blocked", false);
            v6.putArray("dns_ptr");
        }
        publicNet.putArray("floating_ips");
        ArrayNode fws = publicNet.putArray("firewalls");
        for (Long id : state.firewallIdsOf(s)) {
            fws.addObject().put("id", id).put("status", "applied");
        }
        ArrayNode privateNet = n.putArray("private_net");
        for (SimServer.PrivateIp p : s.privateNet) {
            ObjectNode pn = privateNet.addObject();
            pn.put("network", p.networkId());
            pn.put("ip", p.ip());
            pn.putArray("alias_ips");
            pn.put("mac_address", p.macAddress());
        }
        n.set("server_type", serverType(s.type));
        n.set("location", location(s.location));
        if (s.image == null) {
            n.putNull("image");
        } else {
            n.set("image", image(s.image));
        }
        n.putNull("iso");
        n.put("rescue_enabled", false);
        n.put("locked", false);
        n.putNull("backup_window");
        n.put("outgoing_traffic", 0);
        n.put("ingoing_traffic", 0);
        n.put(
                "included_traffic",
                s.type.priceIn(s.location.name())
                        .map(LocationPrice::includedTrafficBytes)
                        .orElse(0L));
        n.putObject("protection").put("delete", false).put("rebuild", false);
        n.set("labels", labels(s.labels));
        n.putArray("volumes");
        n.putArray("load_balancers");
        n.put("primary_disk_size", s.type.diskGb());
        SimulatedPlacementGroup pg = s.placementGroupId == null ? null : state.placementGroups.get(s.placementGroupId);
        if (pg == null) {
            n.putNull("placement_group");
        } else {
            n.set("placement_group", placementGroup(pg));
        }
        return n;
    }

    ObjectNode serverType(SimulatedServerType t) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", t.id());
        n.put("name", t.name());
        n.put("description", t.description());
        n.put("category", t.category());
        n.put("cores", t.cores());
        number(n, "memory", t.memoryGb());
        n.put("disk", t.diskGb());
        n.put("deprecated", false);
        n.putNull("deprecation");
        ArrayNode prices = n.putArray("prices");
        for (LocationPrice p : t.prices()) {
            ObjectNode pn = prices.addObject();
            pn.put("location", p.location());
            price(pn.putObject("price_hourly"), p.hourlyNet());
            price(pn.putObject("price_monthly"), p.monthlyNet());
            pn.put("included_traffic", p.includedTrafficBytes());
            price(pn.putObject("price_per_tb_traffic"), p.perTbTrafficNet());
        }
        n.put("storage_type", t.storageType());
        n.put("cpu_type", t.cpuType());
        n.put("architecture", t.architecture());
        ArrayNode locations = n.putArray("locations");
        for (LocationPrice p : t.prices()) {
            SimulatedLocation l = locationNamed(p.location());
            if (l == null) {
                continue;
            }
            boolean available = !state.faults.isStockedOut(t.name(), l.name());
            ObjectNode ln = locations.addObject();
            ln.put("id", l.id());
            ln.put("name", l.name());
            ln.putNull("deprecation");
            ln.put("available", available);
            ln.put("recommended", available);
        }
        return n;
    }

    ObjectNode location(SimulatedLocation l) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", l.id());
        n.put("name", l.name());
        n.put("description", l.description());
        n.put("country", l.country());
        n.put("city", l.city());
        n.put("latitude", l.latitude());
        n.put("longitude", l.longitude());
        n.put("network_zone", l.networkZone());
        return n;
    }

    ObjectNode image(SimulatedImage i) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", i.id());
        n.put("type", i.type());
        n.put("status", i.status());
        n.put("name", i.name());
        n.put("description", i.description());
        if (i.imageSizeGb() == null) {
            n.putNull("image_size");
        } else {
            number(n, "image_size", i.imageSizeGb());
        }
        number(n, "disk_size", i.diskSizeGb());
        n.put("created", Json.time(i.created()));
        n.putNull("created_from");
        n.putNull("bound_to");
        n.put("os_flavor", i.osFlavor());
        n.put("os_version", i.osVersion());
        n.put("rapid_deploy", i.type().equals("system"));
        n.putObject("protection").put("delete", false);
        n.put("deprecated", i.deprecated() == null ? null : Json.time(i.deprecated()));
        n.putNull("deleted");
        n.set("labels", labels(i.labels()));
        n.put("architecture", i.architecture());
        return n;
    }

    ObjectNode action(SimAction a) {
        Instant now = state.now();
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", a.id());
        n.put("command", a.command());
        String status = a.status(now);
        n.put("status", status);
        n.put("progress", a.progress(now));
        n.put("started", Json.time(a.started()));
        n.put("finished", status.equals("running") ? null : Json.time(a.finishAt()));
        ArrayNode resources = n.putArray("resources");
        for (SimAction.Resource r : a.resources()) {
            resources.addObject().put("id", r.id()).put("type", r.type());
        }
        if (status.equals("error")) {
            n.putObject("error").put("code", a.errorCode()).put("message", a.errorMessage());
        } else {
            n.putNull("error");
        }
        return n;
    }

    ObjectNode firewall(SimulatedFirewall f) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", f.id());
        n.put("name", f.name());
        n.set("labels", labels(f.labels()));
        n.put("created", Json.time(f.created()));
        ArrayNode rules = n.putArray("rules");
        for (SimulatedFirewallRule r : f.rules()) {
            ObjectNode rn = rules.addObject();
            rn.put("direction", r.direction());
            rn.put("protocol", r.protocol());
            rn.put("port", r.port());
            ArrayNode src = rn.putArray("source_ips");
            r.sourceIps().forEach(src::add);
            ArrayNode dst = rn.putArray("destination_ips");
            r.destinationIps().forEach(dst::add);
            rn.put("description", r.description());
        }
        ArrayNode appliedTo = n.putArray("applied_to");
        for (SimServer s : state.servers()) {
            if (s.firewallIds.contains(f.id())) {
                appliedTo.addObject().put("type", "server").putObject("server").put("id", s.id);
            }
        }
        for (String selector : f.labelSelectors()) {
            ObjectNode an = appliedTo.addObject();
            an.put("type", "label_selector");
            an.putObject("label_selector").put("selector", selector);
            ArrayNode resources = an.putArray("applied_to_resources");
            LabelSelector parsed = LabelSelector.parse(selector);
            for (SimServer s : state.servers()) {
                if (parsed.matches(s.labels)) {
                    resources
                            .addObject()
                            .put("type", "server")
                            .putObject("server")
                            .put("id", s.id);
                }
            }
        }
        return n;
    }

    ObjectNode network(SimulatedNetwork net) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", net.id());
        n.put("name", net.name());
        n.put("ip_range", net.ipRange());
        ObjectNode subnet = n.putArray("subnets").addObject();
        subnet.put("type", "cloud");
        subnet.put("ip_range", net.ipRange());
        subnet.put("network_zone", net.networkZone());
        subnet.put("gateway", Ipv4.host(net.ipRange(), 1));
        n.putArray("routes");
        ArrayNode servers = n.putArray("servers");
        for (SimServer s : state.servers()) {
            if (s.networkIds().contains(net.id())) {
                servers.add(s.id);
            }
        }
        n.putArray("load_balancers");
        n.putObject("protection").put("delete", false);
        n.set("labels", labels(net.labels()));
        n.put("created", Json.time(net.created()));
        n.put("expose_routes_to_vswitch", false);
        return n;
    }

    ObjectNode placementGroup(SimulatedPlacementGroup pg) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", pg.id());
        n.put("name", pg.name());
        n.set("labels", labels(pg.labels()));
        n.put("type", "spread");
        n.put("created", Json.time(pg.created()));
        ArrayNode servers = n.putArray("servers");
        for (SimServer s : state.servers()) {
            if (Long.valueOf(pg.id()).equals(s.placementGroupId)) {
                servers.add(s.id);
            }
        }
        return n;
    }

    ObjectNode sshKey(SshKey k) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", k.id());
        n.put("name", k.name());
        n.put("fingerprint", k.fingerprint());
        n.put("public_key", k.publicKey());
        n.set("labels", labels(k.labels()));
        n.put("created", Json.time(k.created()));
        return n;
    }

    SimulatedLocation locationNamed(String name) {
        return state.locations.values().stream()
                .filter(l -> l.name().equals(name))
                .findFirst()
                .orElse(null);
    }

    private static ObjectNode labels(Map<String, String> labels) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        labels.forEach(n::put);
        return n;
    }

    private static void price(ObjectNode n, java.math.BigDecimal net) {
        n.put("net", LocationPrice.net(net));
        n.put("gross", LocationPrice.gross(net));
    }

    private static void number(ObjectNode n, String field, double value) {
        if (value == Math.rint(value) && !Double.isInfinite(value)) {
            n.put(field, (long) value);
        } else {
            n.put(field, value);
        }
    }

    private static String reverse(String ipv4) {
        String[] p = ipv4.split("\\.");
        return p[3] + "." + p[2] + "." + p[1] + "." + p[0];
    }
}
