package dev.talosburst.hcloudsim;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A simulated server and its scheduled status transitions; guarded by the {@link ProjectState} lock. */
final class SimServer {

    /** A public address: the primary IP id and its address (an IPv6 /64 for v6). */
    record PublicIp(long id, String ip) {}

    /** The server's attachment to a private network. */
    record PrivateIp(long networkId, String ip, String macAddress) {}

    /** A status the server reaches at an instant. */
    record Transition(Instant at, String status) {}

    final long id;
    final Instant created;
    final SimulatedServerType type;
    final SimulatedLocation location;
    final SimulatedImage image;
    final String userData;
    final PublicIp ipv4;
    final PublicIp ipv6;
    final List<PrivateIp> privateNet;
    final List<Long> firewallIds;
    final Long placementGroupId;
    String name;
    Map<String, String> labels;
    private String status;
    private final Deque<Transition> transitions = new ArrayDeque<>();
    private Instant goneAt;

    SimServer(
            long id,
            String name,
            Instant created,
            SimulatedServerType type,
            SimulatedLocation location,
            SimulatedImage image,
            String userData,
            Map<String, String> labels,
            PublicIp ipv4,
            PublicIp ipv6,
            List<PrivateIp> privateNet,
            List<Long> firewallIds,
            Long placementGroupId) {
        this.id = id;
        this.name = name;
        this.created = created;
        this.type = type;
        this.location = location;
        this.image = image;
        this.userData = userData;
        this.labels = new LinkedHashMap<>(labels);
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
        this.privateNet = List.copyOf(privateNet);
        this.firewallIds = List.copyOf(firewallIds);
        this.placementGroupId = placementGroupId;
        this.status = "initializing";
    }

    /** Applies every transition due at {@code now}. */
    void advanceTo(Instant now) {
        while (!transitions.isEmpty() && !transitions.peekFirst().at().isAfter(now)) {
            status = transitions.pollFirst().status();
        }
    }

    /** Replaces the pending transitions: {@code statusNow} at once, then each later one in order. */
    void schedule(String statusNow, Transition... later) {
        transitions.clear();
        status = statusNow;
        transitions.addAll(List.of(later));
    }

    /** Marks the server deleted: {@code deleting} until {@code goneAt}, then it no longer exists. */
    void markDeleting(Instant goneAt) {
        schedule("deleting");
        this.goneAt = goneAt;
    }

    boolean isDeleting() {
        return goneAt != null;
    }

    boolean isGone(Instant now) {
        return goneAt != null && !goneAt.isAfter(now);
    }

    String status() {
        return status;
    }

    ServerSnapshot snapshot() {
        return new ServerSnapshot(
                id,
                name,
                status,
                created,
                Map.copyOf(labels),
                type.name(),
                location.name(),
                image == null ? null : image.id(),
                userData,
                ipv4 == null ? null : ipv4.ip(),
                ipv6 == null ? null : ipv6.ip(),
                privateNet.stream().map(PrivateIp::networkId).toList(),
                firewallIds,
                placementGroupId);
    }

    List<Long> networkIds() {
        return privateNet.stream().map(PrivateIp::networkId).toList();
    }
}
