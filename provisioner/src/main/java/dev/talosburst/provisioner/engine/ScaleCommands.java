package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.lifecycle.Transition;
import dev.talosburst.provisioner.nodegroup.NodeGroupException;
import dev.talosburst.provisioner.nodegroup.NodeGroupException.Reason;
import dev.talosburst.provisioner.nodegroup.NodeRef;
import dev.talosburst.provisioner.pool.NodePool;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Accepts CA's mutating commands (IncreaseSize, DeleteNodes, DecreaseTargetSize): validates them against the view and
 * changes it under its lock in O(what the command names); the Hetzner calls and the events happen after the lock.
 */
final class ScaleCommands {
    private static final Logger LOG = Logger.getLogger(ScaleCommands.class);

    private final FleetView view;
    private final FleetQueries queries;
    private final Leadership leadership;
    private final LifecycleRecorder recorder;
    private final ScaleDown scaleDown;
    private final CreateQueue createQueue;
    private final Clock clock;
    private final ServerNames names = new ServerNames();
    private final AtomicLong poolEventSequence = new AtomicLong();

    ScaleCommands(
            FleetView view,
            FleetQueries queries,
            Leadership leadership,
            LifecycleRecorder recorder,
            ScaleDown scaleDown,
            CreateQueue createQueue,
            Clock clock) {
        this.view = view;
        this.queries = queries;
        this.leadership = leadership;
        this.recorder = recorder;
        this.scaleDown = scaleDown;
        this.createQueue = createQueue;
        this.clock = clock;
    }

    /**
     * Raises the pool's target by {@code delta} new pending slots. Holds only the pool's command lock, never the view
     * lock that background work takes (see {@link FleetView}): CA's call never waits behind a preempted create worker.
     */
    void increaseSize(String groupId, int delta) {
        Instant now = clock.instant();
        List<Slot> created = new ArrayList<>(Math.max(0, Math.min(delta, 1_000)));
        LifecycleEvent requested;
        int newTarget;
        NodePool pool = queries.pool(groupId);
        if (delta <= 0) {
            throw new NodeGroupException(
                    Reason.INVALID_ARGUMENT,
                    "delta must be positive to increase node group '" + groupId + "', got " + delta
                            + "; use NodeGroupDecreaseTargetSize or NodeGroupDeleteNodes to shrink");
        }
        long generation = view.generation(); // before the checks: a rebuild after them is seen below
        leadership.requireActing();
        queries.requireSynced();
        synchronized (view.commandLock(groupId)) {
            int target = view.targetSize(groupId);
            if (delta > pool.maxSize() - target) { // not target + delta: a huge delta must not overflow
                throw aboveMaximum(pool, delta, target);
            }
            while (created.size() < delta) {
                Slot slot = Slot.requested(
                        groupId, names.next(groupId, view::nameTaken), pool.serverType(), pool.location());
                if (view.addRequested(slot)) { // false: a resync adopted a server of that name meanwhile
                    created.add(slot);
                }
            }
            if (view.generation() != generation || !leadership.isLeader()) {
                // the view was rebuilt, or this replica demoted, since the checks: the slots belong to no one
                created.forEach(view::remove);
                leadership.requireActing();
                throw new NodeGroupException(
                        Reason.NOT_READY,
                        "talos-burst rebuilt its view of the servers while increasing node group '" + groupId
                                + "'; nothing was changed, retry shortly");
            }
            int raised = view.targetSize(groupId);
            if (raised > pool.maxSize()) {
                // a resync adopted servers of the pool meanwhile (it takes the view lock, not this one)
                created.forEach(view::remove);
                throw aboveMaximum(pool, delta, raised - delta);
            }
            newTarget = target + delta;
            requested = recorder.poolEvent(
                    Transition.SCALE_UP_REQUESTED,
                    groupId,
                    now,
                    occurrence(now),
                    Map.of(
                            "delta",
                            Integer.toString(delta),
                            "previousTarget",
                            Integer.toString(target),
                            "newTarget",
                            Integer.toString(newTarget)));
        }
        // the event sink may write its journal (fsync): never on CA's calling thread. The hand-off thread publishes the
        // scale-up first and only then queues the creations, so scale-up-requested precedes their create-requested.
        recorder.handOff(requested, () -> {
            created.forEach(createQueue::add);
            LOG.infof("node group %s: target raised by %d to %d", groupId, delta, newTarget); // the console is I/O too
        });
    }

    private static NodeGroupException aboveMaximum(NodePool pool, int delta, int target) {
        return new NodeGroupException(
                Reason.INVALID_ARGUMENT,
                "increasing node group '" + pool.id() + "' by " + delta
                        + " would raise its target from " + target + " to " + ((long) target + delta)
                        + ", above its maximum of " + pool.maxSize() + "; raise talosburst.pools." + pool.id()
                        + ".max or ask for at most " + Math.max(0, pool.maxSize() - target));
    }

    void deleteNodes(String groupId, List<NodeRef> refs) {
        Instant now = clock.instant();
        LifecycleEvent requested;
        NodePool pool = queries.pool(groupId);
        synchronized (view) {
            synchronized (view.commandLock(groupId)) { // no IncreaseSize half-way: its slots count towards the minimum
                requested = deleteNodesLocked(pool, refs, now);
            }
        }
        recorder.publish(List.of(requested)); // after the lock: a journal fsync must not hold every RPC
    }

    /** Under the view lock, then the pool's command lock. */
    private LifecycleEvent deleteNodesLocked(NodePool pool, List<NodeRef> refs, Instant now) {
        String groupId = pool.id();
        leadership.requireActing();
        queries.requireSynced();
        List<Slot> slots = resolveAll(groupId, refs);
        long real = slots.stream()
                .filter(s -> s.isLive() || s.phase() == Slot.Phase.CREATING)
                .count();
        int target = view.targetSize(groupId);
        long remaining = target
                - slots.stream().filter(s -> s.phase() != Slot.Phase.DELETING).count();
        if (real > 0 && remaining < pool.minSize()) {
            throw new NodeGroupException(
                    Reason.FAILED_PRECONDITION,
                    "deleting " + slots.size() + " node(s) would leave node group '"
                            + groupId + "' with " + remaining + " node(s), below its minimum of " + pool.minSize()
                            + "; lower talosburst.pools." + groupId + ".min first");
        }
        List<Slot> toDelete = new ArrayList<>();
        for (Slot slot : slots) {
            switch (slot.phase()) {
                case PENDING -> view.abandon(slot);
                case FAILED -> cancelFailed(slot, "cluster-autoscaler deleted the failed instance");
                case CREATING -> {
                    if (slot.createInFlight()) {
                        slot.cancelRequested(); // deleted as soon as the in-flight create answers
                    } else {
                        view.abandon(slot); // waiting for a retry: it is never sent
                    }
                }
                case PROVISIONING, RUNNING -> toDelete.add(slot);
                case DELETING -> {}
            }
        }
        // marked deleting before the lock is released, so a concurrent DeleteNodes sees the smaller group
        for (Slot slot : toDelete) {
            scaleDown.delete(slot, "scale-down requested by cluster-autoscaler", null);
        }
        return recorder.poolEvent(
                Transition.SCALE_DOWN_REQUESTED,
                groupId,
                now,
                occurrence(now),
                Map.of(
                        "count",
                        Integer.toString(slots.size()),
                        "newTarget",
                        Integer.toString(view.targetSize(groupId)),
                        "servers",
                        String.join(",", slots.stream().map(Slot::name).toList())));
    }

    private List<Slot> resolveAll(String groupId, List<NodeRef> refs) {
        List<Slot> slots = new ArrayList<>();
        for (NodeRef ref : refs) {
            Slot slot = resolve(ref)
                    .orElseThrow(() -> new NodeGroupException(
                            Reason.INVALID_ARGUMENT,
                            "node '" + display(ref)
                                    + "' is not a server of node group '" + groupId
                                    + "' (no server with that providerID or name); "
                                    + "only nodes talos-burst created can be deleted"));
            if (!slot.pool().equals(groupId)) {
                throw new NodeGroupException(
                        Reason.INVALID_ARGUMENT,
                        "node '" + display(ref) + "' belongs to node group '" + slot.pool() + "', not '" + groupId
                                + "'; call NodeGroupDeleteNodes on '" + slot.pool() + "'");
            }
            if (!slots.contains(slot)) {
                slots.add(slot);
            }
        }
        return slots;
    }

    void decreaseTargetSize(String groupId, int delta) {
        queries.pool(groupId);
        if (delta >= 0 || delta == Integer.MIN_VALUE) { // MIN_VALUE: -delta would overflow
            throw new NodeGroupException(
                    Reason.INVALID_ARGUMENT,
                    "delta must be negative to decrease the target of node group '" + groupId + "', got " + delta
                            + (delta < 0 ? " (too large)" : ""));
        }
        leadership.requireActing(); // refusals before the lock, and again under it
        boolean withdrawn;
        synchronized (view.commandLock(groupId)) {
            withdrawn = withdrawPending(groupId, -delta);
        }
        if (!withdrawn) {
            synchronized (view) {
                decreaseTargetSizeLocked(groupId, delta);
            }
        }
        LOG.infof("node group %s: target decreased by %d", groupId, -delta);
    }

    /**
     * The common case without the view lock: the newest {@code count} requested slots that no create worker has taken
     * yet are withdrawn and removed. False, with nothing changed, when the pool has failed creations (they go first,
     * under the lock) or too few such slots (the locked path decides, with those in flight).
     */
    private boolean withdrawPending(String groupId, int count) {
        List<Slot> slots = view.slots(groupId); // oldest first; no IncreaseSize or other command meanwhile
        if (slots.stream().anyMatch(s -> s.phase() == Slot.Phase.FAILED)) {
            return false;
        }
        List<Slot> withdrawn = new ArrayList<>(Math.min(count, slots.size()));
        for (int i = slots.size() - 1; i >= 0 && withdrawn.size() < count; i--) {
            Slot slot = slots.get(i);
            if (slot.owner() == view && slot.withdraw()) {
                withdrawn.add(slot);
            }
        }
        if (withdrawn.size() < count || !leadership.isLeader()) {
            for (Slot slot : withdrawn) {
                if (slot.giveBack()) {
                    createQueue.add(slot); // a create worker let it go meanwhile
                }
            }
            return false;
        }
        withdrawn.forEach(view::abandon);
        return true;
    }

    /** Under the view lock, then the pool's command lock: no IncreaseSize adds to the pool meanwhile. */
    private void decreaseTargetSizeLocked(String groupId, int delta) {
        synchronized (view.commandLock(groupId)) {
            leadership.requireActing();
            // failed creations first, then the newest pending ones: the view lists slots oldest first, so reverse it
            // before the (stable) sort; the oldest requests are the nearest to being created and keep their place
            List<Slot> cancellable = new ArrayList<>(
                    view.slots(groupId).stream().filter(Slot::isCancellable).toList());
            Collections.reverse(cancellable);
            cancellable.sort(Comparator.comparing((Slot s) -> s.phase() != Slot.Phase.FAILED));
            if (-delta > cancellable.size()) {
                int target = view.targetSize(groupId);
                throw new NodeGroupException(
                        Reason.FAILED_PRECONDITION,
                        "cannot decrease the target of node group '" + groupId
                                + "' from " + target + " by " + (-delta) + ": only " + cancellable.size()
                                + " pending creation(s) can be cancelled; the other servers exist already and are removed with NodeGroupDeleteNodes");
            }
            for (int i = 0; i < -delta; i++) {
                Slot slot = cancellable.get(i);
                if (slot.phase() == Slot.Phase.FAILED) {
                    cancelFailed(slot, "cluster-autoscaler decreased the target");
                } else {
                    view.abandon(slot);
                }
            }
        }
    }

    /** A failed creation goes away; when Hetzner created the server after all, that server is deleted (not left to the reaper). */
    private void cancelFailed(Slot slot, String reason) {
        if (slot.serverId() == null) {
            view.abandon(slot);
        } else {
            view.markAbandoned(slot.name());
            scaleDown.delete(slot, reason + "; the create was reported failed but the server exists", null);
        }
    }

    /** Distinguishes repeated pool-level events, also two in the same millisecond. */
    private String occurrence(Instant now) {
        return now.toEpochMilli() + "-" + poolEventSequence.incrementAndGet();
    }

    private Optional<Slot> resolve(NodeRef ref) {
        Long serverId = Slot.serverIdOf(ref.providerId());
        if (serverId != null) {
            return view.byServerId(serverId);
        }
        String placeholder = Slot.placeholderName(ref.providerId());
        if (placeholder == null) {
            placeholder = Slot.placeholderName(ref.name());
        }
        if (placeholder != null) {
            return view.byName(placeholder);
        }
        return ref.providerId().isEmpty() ? view.byName(ref.name()) : Optional.empty();
    }

    private static String display(NodeRef ref) {
        return ref.name().isEmpty()
                ? ref.providerId()
                : ref.name() + (ref.providerId().isEmpty() ? "" : " (" + ref.providerId() + ")");
    }
}
