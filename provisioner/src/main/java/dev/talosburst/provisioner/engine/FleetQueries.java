package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.cloud.Server;
import dev.talosburst.provisioner.cloud.ServerType;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent.ServerFacts;
import dev.talosburst.provisioner.nodegroup.AutoscalingOptions;
import dev.talosburst.provisioner.nodegroup.InstanceView;
import dev.talosburst.provisioner.nodegroup.NodeGroupException;
import dev.talosburst.provisioner.nodegroup.NodeGroupException.Reason;
import dev.talosburst.provisioner.nodegroup.NodeGroupSummary;
import dev.talosburst.provisioner.nodegroup.NodeRef;
import dev.talosburst.provisioner.nodegroup.NodeTemplate;
import dev.talosburst.provisioner.nodegroup.PodRequests;
import dev.talosburst.provisioner.pool.NodePool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * CA's reads (groups, target sizes, instances, templates, options, pricing) and the event reconciler's server list, all
 * answered from the view's indexes and counters without its lock: per-call work is what the answer holds.
 */
final class FleetQueries {
    private final FleetView view;
    private final Catalogue catalogue;
    private final String clusterId;
    private final Pricing pricing;
    private final Supplier<String> lastSyncError;
    /** Per pool, the last summary built (reads from any thread; a lost race only builds one twice). */
    private final java.util.Map<String, Summary> summaries = new java.util.concurrent.ConcurrentHashMap<>();

    FleetQueries(FleetView view, Catalogue catalogue, String clusterId, Supplier<String> lastSyncError) {
        this.view = view;
        this.catalogue = catalogue;
        this.clusterId = clusterId;
        this.lastSyncError = lastSyncError;
        this.pricing = new Pricing(view, catalogue, clusterId, this::groupOfServer);
    }

    /** The configured pool, or NOT_FOUND naming it. */
    NodePool pool(String groupId) {
        return view.pool(groupId).orElseThrow(() -> NodeGroupException.notFound(groupId));
    }

    /** NOT_READY until the view was built from Hetzner: before that every pool would look empty. */
    void requireSynced() {
        if (!view.isSynced()) {
            String error = lastSyncError.get();
            throw new NodeGroupException(
                    Reason.NOT_READY,
                    "talos-burst has not listed the servers in Hetzner yet"
                            + (error == null ? "" : " (last attempt: " + error + ")")
                            + "; retry shortly");
        }
    }

    List<NodeGroupSummary> all() {
        // configured pools never change, target sizes are counters kept by the view
        List<NodeGroupSummary> groups = new ArrayList<>();
        for (NodePool pool : view.pools()) {
            groups.add(summary(pool));
        }
        return groups;
    }

    private NodeGroupSummary summary(NodePool pool) {
        int target = view.targetSize(pool.id());
        Summary last = summaries.get(pool.id());
        if (last != null && last.target() == target) {
            return last.summary(); // the same instance while the target is: answers built from it compare cheaply
        }
        NodeGroupSummary summary = new NodeGroupSummary(
                pool.id(),
                pool.minSize(),
                pool.maxSize(),
                pool.id() + " (" + pool.serverType() + " in " + pool.location() + ", target " + target + ")");
        summaries.put(pool.id(), new Summary(target, summary));
        return summary;
    }

    /** A pool's summary and the target size it shows. */
    private record Summary(int target, NodeGroupSummary summary) {}

    Optional<NodeGroupSummary> forNode(NodeRef node) {
        requireSynced(); // before the first list every node would look foreign
        return groupOfServer(node);
    }

    /** The group of the server behind a node, as far as the view knows (pricing also asks before the first list). */
    private Optional<NodeGroupSummary> groupOfServer(NodeRef node) {
        // index lookups (by server id or name), never a scan
        Optional<Slot> slot = Optional.empty();
        Long serverId = Slot.serverIdOf(node.providerId());
        String placeholder = Slot.placeholderName(node.providerId());
        if (serverId != null) {
            slot = view.byServerId(serverId);
        } else if (placeholder != null) {
            slot = view.byName(placeholder);
        } else if (node.providerId().isEmpty()) {
            slot = view.byName(node.name());
        }
        // a foreign providerID (robot://, talos://, another cloud) is never ours
        return slot.flatMap(s -> view.pool(s.pool())).map(this::summary);
    }

    int targetSize(String groupId) {
        pool(groupId);
        requireSynced(); // never "0" for a pool whose servers are not listed yet
        return view.targetSize(groupId);
    }

    List<InstanceView> instances(String groupId) {
        pool(groupId);
        requireSynced(); // never an empty pool whose servers are not listed yet
        return view.instances(groupId);
    }

    NodeTemplate template(String groupId) {
        NodePool pool = pool(groupId);
        ServerType type = catalogue
                .serverType(pool.serverType())
                .orElseThrow(() -> new NodeGroupException(
                        Reason.FAILED_PRECONDITION,
                        catalogue.serverTypesLoaded()
                                ? "Hetzner has no server type '" + pool.serverType() + "'; fix talosburst.pools."
                                        + groupId + ".server-type"
                                : "server types are not loaded from Hetzner yet; retry shortly"));
        return NodeTemplates.template(pool, type, clusterId);
    }

    AutoscalingOptions options(String groupId, AutoscalingOptions defaults) {
        NodePool pool = pool(groupId);
        AutoscalingOptions base = defaults != null ? defaults : AutoscalingOptions.caDefaults();
        if (pool.autoscaling().maxNodeProvisionTime() == null) {
            // CA should give up on an unregistered node when our reaper does, not earlier or later
            base = new AutoscalingOptions(
                    base.scaleDownUtilizationThreshold(),
                    base.scaleDownGpuUtilizationThreshold(),
                    base.scaleDownUnneededTime(),
                    base.scaleDownUnreadyTime(),
                    pool.maxProvisionTime(),
                    base.zeroOrMaxNodeScaling(),
                    base.ignoreDaemonSetsUtilization());
        }
        return base.withOverrides(pool.autoscaling());
    }

    double nodePrice(NodeRef node, Instant start, Instant end) {
        return pricing.nodePrice(node, start, end);
    }

    double podPrice(PodRequests pod, Instant start, Instant end) {
        return pricing.podPrice(pod, start, end);
    }

    /**
     * Every server of this cluster the view knows, oldest first, plus the servers of unconfigured pools from the last
     * list; empty before the first sync. Without the view lock: each slot's snapshot is consistent as of its last change.
     */
    List<ServerView> servers() {
        List<ServerView> servers = new ArrayList<>();
        if (!view.isSynced()) {
            return servers;
        }
        List<Slot> slots = view.slotsWithServers();
        slots.sort(Comparator.comparingLong(Slot::sequence));
        Set<String> names = new HashSet<>();
        for (Slot slot : slots) {
            ServerView server = slot.server();
            if (server != null && names.add(server.name())) {
                servers.add(server);
            }
        }
        for (Server server : view.unknownPoolServers()) {
            if (names.add(server.name())) {
                servers.add(unknownPool(server));
            }
        }
        return servers;
    }

    private static ServerView unknownPool(Server server) {
        return new ServerView(
                server.name(),
                server.id(),
                server.labels().get(Ownership.POOL),
                new ServerFacts(
                        server.name(),
                        server.serverType(),
                        server.location(),
                        null,
                        server.imageId(),
                        server.labels(),
                        null,
                        null,
                        server.created(),
                        null,
                        null,
                        null,
                        null),
                server.status().apiName(),
                false,
                false);
    }
}
