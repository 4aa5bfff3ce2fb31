package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.directory.KubeNode;
import dev.talosburst.provisioner.directory.NodeDirectory;
import dev.talosburst.provisioner.lifecycle.Transition;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * Follows the Nodes of our servers: registration, readiness, disappearance; sets {@code spec.providerID}
 * from empty to {@code hcloud://<id>} so CA can match instances without a cloud-controller-manager; and
 * removes Node objects of ours whose server no longer exists.
 */
final class NodeWatch implements NodeDirectory.NodeListener {
    private static final Logger LOG = Logger.getLogger(NodeWatch.class);

    private final FleetView view;
    private final NodeDirectory nodes;
    private final LifecycleRecorder recorder;
    private final ProvisioningMetrics metrics;
    private final Clock clock;
    private final BooleanSupplier leader;
    private final String clusterId;

    NodeWatch(
            FleetView view,
            NodeDirectory nodes,
            LifecycleRecorder recorder,
            ProvisioningMetrics metrics,
            Clock clock,
            BooleanSupplier leader,
            String clusterId) {
        this.clusterId = clusterId;
        this.view = view;
        this.nodes = nodes;
        this.recorder = recorder;
        this.metrics = metrics;
        this.clock = clock;
        this.leader = leader;
    }

    private Optional<Slot> slotOf(KubeNode node) {
        Long id = Slot.serverIdOf(node.providerId());
        if (id != null) {
            Optional<Slot> byId = view.byServerId(id);
            if (byId.isPresent()) {
                return byId;
            }
        }
        return view.byName(node.name());
    }

    @Override
    public void registered(KubeNode node) {
        Instant now = clock.instant();
        Slot slot;
        LifecycleRecorder.Batch batch = recorder.batch(); // published after the lock: the sink may fsync
        try {
            synchronized (view) {
                slot = slotOf(node).orElse(null);
                if (slot == null) {
                    return;
                }
                if (slot.registered(now)) {
                    batch.server(Transition.NODE_REGISTERED, slot, now);
                    metrics.phaseReached(slot.pool(), "node_registered", slot.createRequestedAt(), now);
                }
            }
        } finally {
            batch.publish();
        }
        serverKnown(slot);
        if (node.ready()) {
            ready(node);
        }
    }

    @Override
    public void ready(KubeNode node) {
        Instant now = clock.instant();
        LifecycleRecorder.Batch batch = recorder.batch(); // published after the lock: the sink may fsync
        try {
            synchronized (view) {
                Slot slot = slotOf(node).orElse(null);
                Slot.Readiness readiness = slot == null ? null : slot.ready(now).orElse(null);
                if (readiness == null) {
                    return;
                }
                if (readiness.registeredNow()) {
                    batch.server(Transition.NODE_REGISTERED, slot, now);
                }
                if (readiness.firstReady()) {
                    metrics.phaseReached(slot.pool(), "node_ready", slot.createRequestedAt(), now);
                }
                if (readiness.runningNow()) {
                    metrics.phaseReached(slot.pool(), "server_running", slot.createRequestedAt(), now);
                }
                batch.server(Transition.NODE_READY, slot, now, readiness.occurrence(), null, Map.of());
            }
        } finally {
            batch.publish();
        }
    }

    @Override
    public void notReady(KubeNode node) {
        Instant now = clock.instant();
        LifecycleRecorder.Batch batch = recorder.batch(); // published after the lock: the sink may fsync
        try {
            synchronized (view) {
                Slot slot = slotOf(node).orElse(null);
                if (slot == null || !slot.notReady()) {
                    return;
                }
                batch.server(Transition.NODE_NOT_READY, slot, now, Long.toString(now.toEpochMilli()), null, Map.of());
            }
        } finally {
            batch.publish();
        }
    }

    @Override
    public void removed(KubeNode node) {
        synchronized (view) {
            slotOf(node).ifPresent(Slot::nodeRemoved);
        }
    }

    /** The slot's server id is known: make sure its registered Node carries the providerID. */
    void serverKnown(Slot slot) {
        String providerId;
        synchronized (view) {
            if (slot.serverId() == null) {
                return;
            }
            providerId = slot.instanceId();
        }
        Optional<KubeNode> node = nodes.byName(slot.name());
        if (node.isEmpty()) {
            return;
        }
        String current = node.get().providerId();
        if (current.isEmpty()) {
            if (leader.getAsBoolean()) {
                try {
                    nodes.setProviderId(slot.name(), providerId);
                    LOG.infof("set providerID of Node %s to %s", slot.name(), providerId);
                } catch (RuntimeException e) {
                    LOG.warnf("setting providerID of Node %s failed: %s; will retry", slot.name(), e.getMessage());
                }
            }
        } else if (!current.equals(providerId)) {
            metrics.providerIdMismatch(slot.pool());
            LOG.warnf(
                    "Node %s carries providerID %s but its server is %s; leaving it untouched",
                    slot.name(), current, providerId);
        }
    }

    /** Re-checks providerIDs and removes Nodes of ours whose server no longer exists (after a full resync). */
    void sweep() {
        List<KubeNode> orphans = new ArrayList<>();
        List<Slot> needProviderId = new ArrayList<>();
        // without the view lock (O(nodes) must not hold CA's mutating RPCs): the lookups are the view's lock-free
        // indexes
        for (KubeNode node : nodes.all()) {
            String pool = node.labels().get(Ownership.NODE_POOL_LABEL);
            Optional<Slot> slot = slotOf(node);
            if (slot.isPresent()) {
                if (node.providerId().isEmpty() && slot.get().serverId() != null) {
                    needProviderId.add(slot.get());
                }
                continue;
            }
            // ours = registered with our cluster and pool labels (set only through our Talos config) and named like our
            // servers
            if (pool != null
                    && clusterId.equals(node.labels().get(Ownership.NODE_CLUSTER_LABEL))
                    && node.name().startsWith(pool + "-")
                    && view.pool(pool).isPresent()) {
                orphans.add(node);
            }
        }
        needProviderId.forEach(this::serverKnown);
        if (!leader.getAsBoolean()) {
            return;
        }
        for (KubeNode node : orphans) {
            try {
                nodes.removeNode(node.name());
                LOG.infof(
                        "removed Node %s: it belongs to pool %s but no server of that name exists",
                        node.name(), node.labels().get(Ownership.NODE_POOL_LABEL));
            } catch (RuntimeException e) {
                LOG.warnf("removing orphan Node %s failed: %s", node.name(), e.getMessage());
            }
        }
    }
}
