package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.pool.NodePool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The in-memory view of every server and pending creation of this cluster, per pool. Rebuilt from one
 * Hetzner list on start, kept fresh by our own actions and a periodic resync. Callers synchronize on it.
 */
final class FleetView {
    private final Map<String, NodePool> pools = new LinkedHashMap<>();
    private final Map<String, Slot> byName = new LinkedHashMap<>();
    /** Names CA gave up on (failed or cancelled creations): a server that shows up under one is reaped. */
    private final Set<String> abandonedNames = new HashSet<>();
    private Instant lastSyncAt;
    /** Ids of servers deleted recently, so a list taken before their deletion cannot bring them back. */
    private final Map<Long, Instant> tombstones = new LinkedHashMap<>();
    /** Servers of ours from the last list that belong to no configured pool (the reaper's, until deleted). */
    private List<dev.talosburst.provisioner.cloud.Server> unknownPoolServers = List.of();

    FleetView(List<NodePool> pools) {
        for (NodePool pool : pools) {
            this.pools.put(pool.id(), pool);
        }
    }

    Optional<NodePool> pool(String id) {
        return Optional.ofNullable(pools.get(id));
    }

    Collection<NodePool> pools() {
        return pools.values();
    }

    Optional<Slot> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    Optional<Slot> byServerId(long serverId) {
        return byName.values().stream().filter(s -> s.serverId != null && s.serverId == serverId).findFirst();
    }

    boolean nameTaken(String name) {
        return byName.containsKey(name) || abandonedNames.contains(name);
    }

    void add(Slot slot) {
        byName.put(slot.name, slot);
    }

    void remove(Slot slot) {
        byName.remove(slot.name, slot);
    }

    /** Removes a slot whose creation CA gave up on; a server appearing under its name later is an orphan. */
    void abandon(Slot slot) {
        byName.remove(slot.name, slot);
        abandonedNames.add(slot.name);
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

    /** The pool's slots in the order they were added (oldest request first). */
    List<Slot> slots(String pool) {
        List<Slot> result = new ArrayList<>();
        for (Slot slot : byName.values()) {
            if (slot.pool.equals(pool)) {
                result.add(slot);
            }
        }
        return result;
    }

    List<Slot> allSlots() {
        return new ArrayList<>(byName.values());
    }

    /** Live servers (not deleting) plus pending creations. */
    int targetSize(String pool) {
        int target = 0;
        for (Slot slot : byName.values()) {
            if (slot.pool.equals(pool) && (slot.isLive() || slot.isPending()) && !slot.cancelRequested) {
                target++;
            }
        }
        return target;
    }

    int liveCount(String pool) {
        return (int) byName.values().stream().filter(s -> s.pool.equals(pool) && s.isLive()).count();
    }

    void unknownPoolServers(List<dev.talosburst.provisioner.cloud.Server> servers) {
        unknownPoolServers = List.copyOf(servers);
    }

    List<dev.talosburst.provisioner.cloud.Server> unknownPoolServers() {
        return unknownPoolServers;
    }

    void clear() {
        byName.clear();
        lastSyncAt = null;
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
