package dev.talosburst.hcloudsim;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything one simulated Hetzner project holds: the catalogue, servers, actions and the request log.
 * All access synchronizes on this object; the HTTP pipeline holds the lock for a whole request so each
 * request sees and changes a consistent state.
 */
final class ProjectState {

    /** A validated server order, ready to be placed. */
    record ServerOrder(
            String name,
            SimulatedServerType type,
            SimulatedLocation location,
            SimulatedImage image,
            String userData,
            Map<String, String> labels,
            boolean startAfterCreate,
            boolean enableIpv4,
            boolean enableIpv6,
            List<SimulatedNetwork> networks,
            List<SimulatedFirewall> firewalls,
            SimulatedPlacementGroup placementGroup,
            boolean sshKeysGiven) {}

    /** What {@code POST /servers} answers. */
    record CreatedServer(SimServer server, SimAction action, List<SimAction> nextActions, String rootPassword) {}

    final Clock clock;
    final SimulatorOptions options;
    final FaultPlan faults = new FaultPlan();
    final TokenBucket bucket;

    final Map<Long, SimulatedLocation> locations = new LinkedHashMap<>();
    final Map<Long, SimulatedServerType> serverTypes = new LinkedHashMap<>();
    final Map<Long, SimulatedImage> images = new LinkedHashMap<>();
    final Map<Long, SimulatedFirewall> firewalls = new LinkedHashMap<>();
    final Map<Long, SimulatedNetwork> networks = new LinkedHashMap<>();
    final Map<Long, SimulatedPlacementGroup> placementGroups = new LinkedHashMap<>();
    final Map<Long, SshKey> sshKeys = new LinkedHashMap<>();
    private final Map<Long, SimServer> servers = new TreeMap<>();
    private final Map<Long, SimAction> actions = new TreeMap<>();
    private final Map<Long, Long> networkHostCounters = new HashMap<>();

    final List<RecordedRequest> requests = new ArrayList<>();
    final List<RecordedExchange> exchanges = new ArrayList<>();

    private long nextServerId = 10_000_001L;
    private long nextActionId = 50_000_001L;
    private long nextResourceId = 1_000_001L;
    private long nextPrimaryIpId = 70_000_001L;
    private long nextAddress;
    private final SecureRandom random = new SecureRandom();

    ProjectState(SimulatorOptions options) {
        this.options = options;
        this.clock = options.clock();
        this.bucket = new TokenBucket(clock, options.rateLimitCapacity(), options.rateLimitRefillPerSecond());
    }

    Instant now() {
        return clock.instant();
    }

    /** A fresh id for catalogue resources (firewalls, networks, placement groups, SSH keys, snapshots). */
    synchronized long nextResourceId() {
        long id = nextResourceId++;
        while (images.containsKey(id)
                || firewalls.containsKey(id)
                || networks.containsKey(id)
                || placementGroups.containsKey(id)
                || sshKeys.containsKey(id)) {
            id = nextResourceId++;
        }
        return id;
    }

    /** Applies every due status transition and forgets servers whose deletion has completed. */
    synchronized void refresh() {
        Instant now = now();
        servers.values().removeIf(s -> {
            s.advanceTo(now);
            return s.isGone(now);
        });
    }

    synchronized List<SimServer> servers() {
        refresh();
        return new ArrayList<>(servers.values());
    }

    synchronized SimServer server(long id) {
        refresh();
        return servers.get(id);
    }

    synchronized SimServer serverNamed(String name) {
        refresh();
        return servers.values().stream()
                .filter(s -> s.name.equals(name))
                .findFirst()
                .orElse(null);
    }

    synchronized SimAction action(long id) {
        return actions.get(id);
    }

    synchronized List<SimAction> actions() {
        return new ArrayList<>(actions.values());
    }

    /** Places an order; the caller has checked names, references and faults. */
    synchronized CreatedServer create(ServerOrder order) {
        Instant now = now();
        long id = nextServerId++;
        SimServer.PublicIp ipv4 =
                order.enableIpv4() ? new SimServer.PublicIp(nextPrimaryIpId++, nextPublicIpv4()) : null;
        SimServer.PublicIp ipv6 = order.enableIpv6()
                ? new SimServer.PublicIp(
                        nextPrimaryIpId++, String.format("2001:db8:%x:%x::/64", (id >> 16) & 0xFFFF, id & 0xFFFF))
                : null;
        List<SimServer.PrivateIp> privateNet = new ArrayList<>();
        for (SimulatedNetwork n : order.networks()) {
            long host = networkHostCounters.merge(n.id(), 1L, Long::sum) + 1; // .1 is the gateway
            privateNet.add(new SimServer.PrivateIp(n.id(), Ipv4.host(n.ipRange(), host), mac(id, n.id())));
        }
        SimServer server = new SimServer(
                id,
                order.name(),
                now,
                order.type(),
                order.location(),
                order.image(),
                order.userData(),
                order.labels(),
                ipv4,
                ipv6,
                privateNet,
                order.firewalls().stream().map(SimulatedFirewall::id).toList(),
                order.placementGroup() == null ? null : order.placementGroup().id());
        Instant initialized = now.plus(options.initializing());
        Instant started = initialized.plus(options.starting());
        List<SimAction.Resource> resources = List.of(new SimAction.Resource(id, "server"));
        SimAction create = addAction("create_server", now, initialized, resources);
        List<SimAction> next = new ArrayList<>();
        if (order.startAfterCreate()) {
            server.schedule(
                    "initializing",
                    new SimServer.Transition(initialized, "starting"),
                    new SimServer.Transition(started, "running"));
            next.add(addAction("start_server", now, started, resources));
        } else {
            server.schedule("initializing", new SimServer.Transition(initialized, "off"));
        }
        servers.put(id, server);
        server.advanceTo(now);
        String rootPassword = order.sshKeysGiven() ? null : randomPassword();
        return new CreatedServer(server, create, next, rootPassword);
    }

    /** Starts deletion; deleting a server already being deleted returns the running delete action. */
    synchronized SimAction delete(SimServer server) {
        Instant now = now();
        if (server.isDeleting()) {
            return actions.values().stream()
                    .filter(a -> a.command().equals("delete_server") && a.concerns(server.id, "server"))
                    .reduce((a, b) -> b)
                    .orElseThrow();
        }
        Instant gone = now.plus(options.deleting());
        server.markDeleting(gone);
        return addAction("delete_server", now, gone, List.of(new SimAction.Resource(server.id, "server")));
    }

    /** Powers a server on ({@code off → starting → running}); a no-op action when it is already on. */
    synchronized SimAction powerOn(SimServer server) {
        Instant now = now();
        Instant running = now.plus(options.starting());
        if (server.status().equals("off") || server.status().equals("stopping")) {
            server.schedule("starting", new SimServer.Transition(running, "running"));
            return addAction("start_server", now, running, List.of(new SimAction.Resource(server.id, "server")));
        }
        return addAction("start_server", now, now, List.of(new SimAction.Resource(server.id, "server")));
    }

    /** Powers a server off ({@code running → stopping → off}). */
    synchronized SimAction powerOff(SimServer server) {
        Instant now = now();
        Instant off = now.plus(options.starting());
        if (!server.status().equals("off")) {
            server.schedule("stopping", new SimServer.Transition(off, "off"));
            return addAction("stop_server", now, off, List.of(new SimAction.Resource(server.id, "server")));
        }
        return addAction("stop_server", now, now, List.of(new SimAction.Resource(server.id, "server")));
    }

    synchronized SimAction addAction(
            String command, Instant started, Instant finishAt, List<SimAction.Resource> resources) {
        SimAction a = new SimAction(nextActionId++, command, started, finishAt, resources, null, null);
        actions.put(a.id(), a);
        return a;
    }

    /** Firewalls applied to a server: the ones it was created with, then those whose selectors match its labels. */
    synchronized List<Long> firewallIdsOf(SimServer server) {
        List<Long> ids = new ArrayList<>(server.firewallIds);
        for (SimulatedFirewall f : firewalls.values()) {
            if (!ids.contains(f.id())
                    && f.labelSelectors().stream()
                            .anyMatch(sel -> dev.talosburst.hcloudsim.labels.LabelSelector.parse(sel)
                                    .matches(server.labels))) {
                ids.add(f.id());
            }
        }
        return ids;
    }

    private String nextPublicIpv4() {
        // 198.18.0.0/15 is reserved for testing; skip network/broadcast-looking .0 and .255 hosts.
        while (true) {
            long n = nextAddress++;
            long address = (198L << 24) | (18L << 16) | (n + 2);
            long last = address & 0xFF;
            if (last != 0 && last != 255) {
                return Ipv4.format(address);
            }
        }
    }

    private static String mac(long serverId, long networkId) {
        long v = (serverId * 31 + networkId) & 0xFFFFFFL;
        return String.format("86:00:00:%02x:%02x:%02x", (v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF);
    }

    private String randomPassword() {
        String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
