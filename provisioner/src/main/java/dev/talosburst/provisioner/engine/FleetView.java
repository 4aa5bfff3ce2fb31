package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.nodegroup.InstanceView;
import dev.talosburst.provisioner.pool.NodePool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-memory view of every server and pending creation of this cluster, per pool. Rebuilt from one
 * Hetzner list on start, kept fresh by our own actions and a periodic resync. Writers synchronize on it, except
 * IncreaseSize, which adds its new pending slots under its pool's {@linkplain #commandLock command lock} only, and
 * DecreaseTargetSize, which removes there the pending slots it {@linkplain Slot#withdraw withdrew}.
 *
 * <p>It keeps the indexes CA's reads need — by name, by server id, by pool — and each pool's target and live counts,
 * updated by {@link Slot}'s setters as slots change. Reads of a count, a pool's instances or a lookup by id or name
 * never scan the fleet and never take the lock.
 *
 * <p>Why IncreaseSize does not take the view lock: background work (create workers, resync, reaper, node watch)
 * holds it for microseconds, but on a busy machine a holder can be preempted mid-section, and CA's call would then
 * wait for a whole scheduling slice (5.4 ms measured at 5,000 servers). A new pending slot touches no other slot, and
 * a withdrawn one is touched by nothing else, so only the structures below need to be safe for concurrent use; a
 * rebuild of the view meanwhile is detected by its {@link #generation()}.
 */
final class FleetView {
    private final Map<String, NodePool> pools;
    /** Every slot by name: written under the lock (or a command lock, for new pending slots), read without it. */
    private final Map<String, Slot> names = new ConcurrentHashMap<>();

    private final Map<Long, Slot> byServerId = new ConcurrentHashMap<>();
    private final Map<String, PoolIndex> byPool = new ConcurrentHashMap<>();
    /** Names CA gave up on (failed or cancelled creations): a server that shows up under one is reaped. */
    private final Set<String> abandonedNames = ConcurrentHashMap.newKeySet();
    /** Counts the rebuilds ({@link #clear()}): an IncreaseSize that raced one takes its slots back. */
    private final AtomicLong generation = new AtomicLong();

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

        final AtomicInteger target = new AtomicInteger();
        final AtomicInteger live = new AtomicInteger();
        /** Held by CA's commands on this pool, never by background work. */
        final Object commands = new Object();
    }

    private final AtomicLong nextSequence = new AtomicLong();

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
        return names.containsKey(name) || abandonedNames.contains(name);
    }

    /**
     * The lock CA's commands on {@code pool} hold to decide and apply a change of its target. Background work never
     * takes it (except {@link #clear()} at a promotion); whoever also needs the view lock takes the view lock first.
     */
    Object commandLock(String pool) {
        PoolIndex index = byPool.get(pool);
        if (index == null) {
            throw new IllegalArgumentException("no pool " + pool);
        }
        return index.commands;
    }

    /** Changes with every rebuild of the view; lock-free. */
    long generation() {
        return generation.get();
    }

    /** Adds a slot the view lock holder found or re-tracks; replaces a slot of the same name. */
    void add(Slot slot) {
        assert Thread.holdsLock(this) : "FleetView.add without the view lock";
        slot.attached(this, nextSequence.getAndIncrement()); // before it is visible: lock-free readers see it whole
        Slot previous = names.put(slot.name(), slot);
        if (previous != null && previous != slot) {
            detach(previous);
        }
        index(slot);
    }

    /**
     * Adds a new pending slot of IncreaseSize under its pool's command lock, without the view lock; false (nothing added)
     * when its name was taken meanwhile.
     */
    boolean addRequested(Slot slot) {
        assert Thread.holdsLock(commandLock(slot.pool())) : "FleetView.addRequested without the command lock";
        assert slot.phase() == Slot.Phase.PENDING && slot.serverId() == null : "only new pending slots";
        slot.attached(this, nextSequence.getAndIncrement());
        if (abandonedNames.contains(slot.name()) || names.putIfAbsent(slot.name(), slot) != null) {
            slot.detached();
            return false;
        }
        index(slot);
        return true;
    }

    private void index(Slot slot) {
        if (slot.serverId() != null) {
            byServerId.put(slot.serverId(), slot);
        }
        PoolIndex index = byPool.computeIfAbsent(slot.pool(), p -> new PoolIndex());
        index.slots.put(slot.sequence(), slot);
        counts(index, slot, +1);
    }

    void remove(Slot slot) {
        if (names.remove(slot.name(), slot)) {
            detach(slot);
        }
    }

    private void detach(Slot slot) {
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
            index.target.addAndGet(sign);
        }
        if (slot.isLive()) {
            index.live.addAndGet(sign);
        }
    }

    /** Called by a slot of this view whose phase or cancellation changed (under the lock). */
    void slotChanged(Slot slot, boolean wasCounted, boolean wasLive) {
        PoolIndex index = byPool.get(slot.pool());
        if (index == null || index.slots.get(slot.sequence()) != slot) {
            return;
        }
        index.target.addAndGet((slot.countedInTarget() ? 1 : 0) - (wasCounted ? 1 : 0));
        index.live.addAndGet((slot.isLive() ? 1 : 0) - (wasLive ? 1 : 0));
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

    /**
     * Removes a slot whose creation CA gave up on; a server appearing under its name later is an orphan. Without the view
     * lock only for a slot the caller {@linkplain Slot#withdraw withdrew} (nothing else touches it).
     */
    void abandon(Slot slot) {
        abandonedNames.add(slot.name()); // first: the name is never free in between
        remove(slot);
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

    /** Live servers (not deleting) plus pending creations not cancelled; lock-free. */
    int targetSize(String pool) {
        PoolIndex index = byPool.get(pool);
        return index == null ? 0 : index.target.get();
    }

    /** Servers that exist and are not being deleted; lock-free. */
    int liveCount(String pool) {
        PoolIndex index = byPool.get(pool);
        return index == null ? 0 : index.live.get();
    }

    void unknownPoolServers(List<dev.talosburst.provisioner.cloud.Server> servers) {
        unknownPoolServers = List.copyOf(servers);
    }

    List<dev.talosburst.provisioner.cloud.Server> unknownPoolServers() {
        return unknownPoolServers;
    }

    /**
     * Forgets every slot (a new leader trusts only Hetzner); under the view lock, then every pool's command lock, so no
     * IncreaseSize is half-way through adding a slot. Only at a promotion, while IncreaseSize is refused anyway.
     */
    void clear() {
        assert Thread.holdsLock(this) : "FleetView.clear without the view lock";
        lastSyncAt = null; // first: a lock-free reader must not take the half-cleared view for a synced one
        generation.incrementAndGet(); // an IncreaseSize that checked leadership before this takes its slots back
        clearHoldingCommandLocks(new ArrayList<>(byPool.values()).iterator());
    }

    private void clearHoldingCommandLocks(java.util.Iterator<PoolIndex> pools) {
        if (pools.hasNext()) {
            synchronized (pools.next().commands) {
                clearHoldingCommandLocks(pools);
            }
            return;
        }
        for (Slot slot : new ArrayList<>(names.values())) {
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
