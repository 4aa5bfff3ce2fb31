package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.nodegroup.InstanceView;
import dev.talosburst.provisioner.pool.NodePool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory view of every server and pending creation of this cluster, per pool. Rebuilt from one
 * Hetzner list on start, kept fresh by our own actions and a periodic resync. Writers synchronize on it.
 *
 * <p>It keeps the indexes CA's reads need — by name, by server id, by pool — and each pool's target and live counts,
 * updated by {@link Slot}'s setters as slots change. Reads of a count, a pool's instances or a lookup by id or name
 * never scan the fleet and never take the lock (unless a pool's instance list changed since it was last read).
 */
final class FleetView {
    private final Map<String, NodePool> pools;
    /** Every slot, oldest first (guarded by this). */
    private final Map<String, Slot> byName = new LinkedHashMap<>();
    /** Lock-free lookups for the RPCs: written under the lock, read without it. */
    private final Map<String, Slot> names = new ConcurrentHashMap<>();

    private final Map<Long, Slot> byServerId = new ConcurrentHashMap<>();
    private final Map<String, PoolIndex> byPool = new HashMap<>();
    /** Names CA gave up on (failed or cancelled creations): a server that shows up under one is reaped. */
    private final Set<String> abandonedNames = new HashSet<>();

    private volatile Instant lastSyncAt;
    /** Ids of servers deleted recently, so a list taken before their deletion cannot bring them back. */
    private final Map<Long, Instant> tombstones = new LinkedHashMap<>();
    /** Servers of ours from the last list that belong to no configured pool (the reaper's, until deleted). */
    private volatile List<dev.talosburst.provisioner.cloud.Server> unknownPoolServers = List.of();

    /** One pool's slots (oldest first) and counts; the counts and the cached instance list are readable without the lock. */
    private static final class PoolIndex {
        /** By insertion sequence (oldest first); iterated without the lock by CA's reads. */
        final java.util.concurrent.ConcurrentSkipListMap<Long, Slot> slots =
                new java.util.concurrent.ConcurrentSkipListMap<>();

        volatile int target;
        volatile int live;
    }

    private long nextSequence;

    FleetView(List<NodePool> pools) {
        Map<String, NodePool> map = new LinkedHashMap<>();
        for (NodePool pool : pools) {
            map.put(pool.id(), pool);
            byPool.put(pool.id(), new PoolIndex());
        }
        this.pools = java.util.Collections.unmodifiableMap(map);
    }

    /** Configured pools never change: no lock needed. */
    Optional<NodePool> pool(String id) {
        return Optional.ofNullable(pools.get(id));
    }

    Collection<NodePool> pools() {
        return pools.values();
    }

    /** Lock-free. */
    Optional<Slot> byName(String name) {
        return Optional.ofNullable(names.get(name));
    }

    /** Lock-free. */
    Optional<Slot> byServerId(long serverId) {
        return Optional.ofNullable(byServerId.get(serverId));
    }

    boolean nameTaken(String name) {
        return byName.containsKey(name) || abandonedNames.contains(name);
    }

    void add(Slot slot) {
        assert Thread.holdsLock(this) : "FleetView.add without the view lock";
        Slot previous = byName.put(slot.name(), slot);
        if (previous != null && previous != slot) {
            detach(previous);
        }
        names.put(slot.name(), slot);
        if (slot.serverId() != null) {
            byServerId.put(slot.serverId(), slot);
        }
        PoolIndex index = byPool.computeIfAbsent(slot.pool(), p -> new PoolIndex());
        slot.attached(this, nextSequence++);
        index.slots.put(slot.sequence(), slot);
        counts(index, slot, +1);
    }

    void remove(Slot slot) {
        if (byName.remove(slot.name(), slot)) {
            detach(slot);
        }
    }

    private void detach(Slot slot) {
        names.remove(slot.name(), slot);
        if (slot.serverId() != null) {
            byServerId.remove(slot.serverId(), slot);
        }
        PoolIndex index = byPool.get(slot.pool());
        if (index != null && index.slots.remove(slot.sequence(), slot)) {
            counts(index, slot, -1);
        }
        slot.detached();
    }

    private static void counts(PoolIndex index, Slot slot, int sign) {
        if (slot.countedInTarget()) {
            index.target += sign;
        }
        if (slot.isLive()) {
            index.live += sign;
        }
    }

    /** Called by a slot of this view whose phase or cancellation changed (under the lock). */
    void slotChanged(Slot slot, boolean wasCounted, boolean wasLive) {
        PoolIndex index = byPool.get(slot.pool());
        if (index == null || index.slots.get(slot.sequence()) != slot) {
            return;
        }
        index.target += (slot.countedInTarget() ? 1 : 0) - (wasCounted ? 1 : 0);
        index.live += (slot.isLive() ? 1 : 0) - (wasLive ? 1 : 0);
    }

    /** Called by a slot of this view whose server id changed (under the lock). */
    void serverIdChanged(Slot slot, Long previous) {
        if (previous != null) {
            byServerId.remove(previous, slot);
        }
        if (slot.serverId() != null) {
            byServerId.put(slot.serverId(), slot);
        }
    }

    /** Removes a slot whose creation CA gave up on; a server appearing under its name later is an orphan. */
    void abandon(Slot slot) {
        remove(slot);
        abandonedNames.add(slot.name());
    }

    void tombstone(long serverId, Instant at) {
        tombstones.put(serverId, at);
    }

    /** True when we deleted this server recently: ids are never reused, so it can only be a stale listing. */
    boolean isTombstoned(long serverId) {
        return tombstones.containsKey(serverId);
    }

    /** Forgets tombstones older than {@code before}. */
    void pruneTombstones(Instant before) {
        tombstones.values().removeIf(at -> at.isBefore(before));
    }

    /** Remembers a name CA gave up on while its slot stays (e.g. deleting the server a failed create left behind). */
    void markAbandoned(String name) {
        abandonedNames.add(name);
    }

    boolean isAbandoned(String name) {
        return abandonedNames.contains(name);
    }

    /** The pool's slots in the order they were added (oldest request first); under the lock. */
    List<Slot> slots(String pool) {
        PoolIndex index = byPool.get(pool);
        return index == null ? new ArrayList<>() : new ArrayList<>(index.slots.values());
    }

    /**
     * What CA sees of the pool's instances, oldest first; lock-free (cost: the pool's size, never the fleet's). A slot in
     * the middle of a transition is seen either before or after it.
     */
    List<InstanceView> instances(String pool) {
        PoolIndex index = byPool.get(pool);
        if (index == null) {
            return List.of();
        }
        List<InstanceView> result = new ArrayList<>(index.slots.size());
        for (Slot slot : index.slots.values()) {
            result.add(slot.view());
        }
        return result;
    }

    /** Slots with a Hetzner server; lock-free. */
    int serverCount() {
        return byServerId.size();
    }

    /** Slots with a Hetzner server, in no order; lock-free (a slot changing meanwhile may or may not be in it). */
    List<Slot> slotsWithServers() {
        return new ArrayList<>(byServerId.values());
    }

    /** Every slot, in no order; lock-free (a slot added or removed meanwhile may or may not be in it). */
    List<Slot> snapshot() {
        return new ArrayList<>(names.values());
    }

    /** Every slot, oldest first; under the lock. */
    List<Slot> allSlots() {
        return new ArrayList<>(byName.values());
    }

    /** Live servers (not deleting) plus pending creations not cancelled; lock-free. */
    int targetSize(String pool) {
        PoolIndex index = byPool.get(pool);
        return index == null ? 0 : index.target;
    }

    /** Servers that exist and are not being deleted; lock-free. */
    int liveCount(String pool) {
        PoolIndex index = byPool.get(pool);
        return index == null ? 0 : index.live;
    }

    void unknownPoolServers(List<dev.talosburst.provisioner.cloud.Server> servers) {
        unknownPoolServers = List.copyOf(servers);
    }

    List<dev.talosburst.provisioner.cloud.Server> unknownPoolServers() {
        return unknownPoolServers;
    }

    void clear() {
        lastSyncAt = null; // first: a lock-free reader must not take the half-cleared view for a synced one
        for (Slot slot : new ArrayList<>(byName.values())) {
            remove(slot);
        }
    }

    Instant lastSyncAt() {
        return lastSyncAt;
    }

    void synced(Instant at) {
        lastSyncAt = at;
    }

    boolean isSynced() {
        return lastSyncAt != null;
    }
}
