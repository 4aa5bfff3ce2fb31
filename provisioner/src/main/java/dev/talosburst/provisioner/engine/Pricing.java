package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.cloud.ServerType;
import dev.talosburst.provisioner.nodegroup.NodeGroupSummary;
import dev.talosburst.provisioner.nodegroup.NodeRef;
import dev.talosburst.provisioner.nodegroup.NodeTemplate;
import dev.talosburst.provisioner.nodegroup.PodRequests;
import dev.talosburst.provisioner.pool.NodePool;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Prices nodes and pods for cluster-autoscaler's {@code price} expander from Hetzner's hourly net price of a pool's
 * server type in its location. A node is priced by the pool it belongs to: a server of ours, or one of CA's template
 * nodes ({@code template-node-for-<group>-<n>}, no providerID), which is exactly what the expander compares groups by.
 */
final class Pricing {
    /** CA names the template node of a group {@code template-node-for-<group>-<random>} (ours without the suffix). */
    static final String TEMPLATE_NODE_PREFIX = "template-node-for-";

    private final FleetView view;
    private final Catalogue catalogue;
    private final String clusterId;
    private final Function<NodeRef, Optional<NodeGroupSummary>> groupOfServer;

    Pricing(
            FleetView view,
            Catalogue catalogue,
            String clusterId,
            Function<NodeRef, Optional<NodeGroupSummary>> groupOfServer) {
        this.view = view;
        this.catalogue = catalogue;
        this.clusterId = clusterId;
        this.groupOfServer = groupOfServer;
    }

    /** The node's price over the window; 0 for a node of no pool (a control plane, another installation's node). */
    double nodePrice(NodeRef node, Instant start, Instant end) {
        return poolOf(node)
                .flatMap(this::hourlyNet)
                .map(p -> p * hours(start, end))
                .orElse(0.0);
    }

    /**
     * The pod's share of a node over the window: of its node's pool when it names a node we can resolve (a server or a
     * template node), else of the pool where it is cheapest.
     */
    double podPrice(PodRequests pod, Instant start, Instant end) {
        List<NodePool> pools;
        Optional<NodePool> own = pod.nodeName().isEmpty() ? Optional.empty() : poolOf(NodeRef.of("", pod.nodeName()));
        pools = own.map(List::of)
                .orElseGet(() -> new ArrayList<>(view.pools())); // configured pools never change: no lock
        double best = Double.MAX_VALUE;
        for (NodePool pool : pools) {
            Optional<ServerType> type = catalogue.serverType(pool.serverType());
            Optional<Double> price = hourlyNet(pool);
            if (type.isEmpty() || price.isEmpty()) {
                continue;
            }
            NodeTemplate.Resources alloc =
                    NodeTemplates.template(pool, type.get(), clusterId).allocatable();
            double share = Math.max(
                    (double) pod.milliCpu() / alloc.milliCpu(), (double) pod.memoryBytes() / alloc.memoryBytes());
            best = Math.min(best, Math.min(1.0, share) * price.get());
        }
        return best == Double.MAX_VALUE ? 0 : best * hours(start, end);
    }

    /**
     * The pool a node belongs to: its server's; else, for a node that is not a known server of ours (CA's template
     * node), the pool named by our pool label, else by the template node's name. A node of another cluster id is never ours.
     */
    Optional<NodePool> poolOf(NodeRef node) {
        Optional<NodeGroupSummary> server = groupOfServer.apply(node);
        // lock-free: configured pools never change, and the server lookup is an index
        if (server.isPresent()) {
            return view.pool(server.get().id());
        }
        String cluster = node.labels().get(Ownership.NODE_CLUSTER_LABEL);
        if (cluster != null && !cluster.equals(clusterId)) {
            return Optional.empty();
        }
        String label = node.labels().get(Ownership.NODE_POOL_LABEL);
        if (label != null) {
            return view.pool(label);
        }
        return templateGroup(node.name()).flatMap(view::pool);
    }

    /** {@code template-node-for-<group>} or {@code template-node-for-<group>-<digits>} → the group, if configured. */
    private Optional<String> templateGroup(String name) {
        if (!name.startsWith(TEMPLATE_NODE_PREFIX)) {
            return Optional.empty();
        }
        String rest = name.substring(TEMPLATE_NODE_PREFIX.length());
        for (NodePool pool : view.pools()) {
            String id = pool.id();
            if (rest.equals(id) || (rest.startsWith(id + "-") && isDigits(rest.substring(id.length() + 1)))) {
                return Optional.of(id);
            }
        }
        return Optional.empty();
    }

    private static boolean isDigits(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }

    private Optional<Double> hourlyNet(NodePool pool) {
        return catalogue
                .serverType(pool.serverType())
                .flatMap(t -> t.priceIn(pool.location()))
                .map(p -> p.hourlyNet())
                .map(BigDecimal::doubleValue);
    }

    private static double hours(Instant start, Instant end) {
        if (start == null || end == null || !end.isAfter(start)) {
            return 0;
        }
        return Duration.between(start, end).toMillis() / 3_600_000.0;
    }
}
