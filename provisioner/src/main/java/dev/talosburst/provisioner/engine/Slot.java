package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.cloud.ServerStatus;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent.HourlyPrice;
import dev.talosburst.provisioner.nodegroup.InstanceView;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One server of a pool, from the moment CA asked for it until it is deleted: first a pending creation,
 * then a Hetzner server. Mutable; guarded by the engine's lock.
 */
final class Slot {

    /** Where the slot is in its life. */
    enum Phase {
        /** Waiting for a create worker. */
        PENDING,
        /** A create request is in flight (or waiting to be retried with the same name). */
        CREATING,
        /** The server exists and is not running yet. */
        PROVISIONING,
        /** The server is running. */
        RUNNING,
        /** Creation failed; reported to CA until it deletes the instance. */
        FAILED,
        /** A delete was requested. */
        DELETING
    }

    /** Prefix of placeholder instance ids for slots without a server yet. */
    static final String PLACEHOLDER_PREFIX = "talosburst://pending/";
    /** Prefix of real instance ids (= the Node's spec.providerID). */
    static final String PROVIDER_PREFIX = "hcloud://";

    final String pool;
    final String name;
    /** Phase, server id and cancellation decide the pool's counts and indexes: written only through their setters. */
    /* volatile: CA's reads see them without the lock (Slot#view) */
    private volatile Phase phase;

    private volatile Long serverId;
    private volatile boolean cancelRequested;
    /** Position in the view (insertion order), set when added. */
    long sequence;
    /** The view holding this slot (told of every change that moves a count, an index or what CA sees); null when removed. */
    private FleetView owner;
    /* volatile: a resync compares them without the lock (agreesWith) */
    volatile ServerStatus status;
    Instant statusSince;

    String serverType;
    String location;
    String architecture;
    Long imageId;
    Map<String, String> labels = Map.of();
    HourlyPrice price;

    Instant createRequestedAt;
    Instant createdAt;
    volatile Instant runningAt;
    Instant registeredAt;
    Instant readyAt;
    Instant deleteRequestedAt;
    Instant deletedAt;
    Instant nextAttemptAt;

    volatile InstanceView.ErrorInfo failure;
    Instant failedAt;
    boolean nodeRegistered;
    boolean nodeReady;
    int readyCount;
    int notReadyCount;
    boolean deletedEmitted;
    boolean createdEmitted;
    /** A create request for this slot is running right now. */
    boolean createInFlight;
    /** A delete request for this slot is running right now. */
    boolean deleteInFlight;

    Instant nextDeleteAttemptAt;
    /** When this process learned the server id (guards resync against ids learned after its list started). */
    Instant serverKnownAt;

    String deleteReason;

    Slot(String pool, String name, Phase phase) {
        this.pool = pool;
        this.name = name;
        this.phase = phase;
    }

    Phase phase() {
        return phase;
    }

    /** Moves the slot to another phase (under the view lock). */
    void phase(Phase next) {
        if (next == phase) {
            return;
        }
        boolean counted = countedInTarget();
        boolean live = isLive();
        phase = next;
        changed(counted, live);
    }

    Long serverId() {
        return serverId;
    }

    /** Records the Hetzner server id of this slot (under the view lock). */
    void serverId(Long id) {
        Long previous = serverId;
        serverId = id;
        if (owner != null) {
            owner.serverIdChanged(this, previous);
        }
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    /** CA deleted this slot while its create is in flight: it leaves the target now, the server is deleted when it exists. */
    void requestCancel() {
        boolean counted = countedInTarget();
        boolean live = isLive();
        cancelRequested = true;
        changed(counted, live);
    }

    /** Counted in the pool's target size: a live server or a pending creation CA has not cancelled. */
    boolean countedInTarget() {
        return (isLive() || isPending()) && !cancelRequested;
    }

    void owner(FleetView view) {
        owner = view;
    }

    FleetView owner() {
        return owner;
    }

    private void changed(boolean wasCounted, boolean wasLive) {
        if (owner != null) {
            owner.slotChanged(this, wasCounted, wasLive);
        }
    }

    /** The id CA sees: {@code hcloud://<id>} once the server exists, a placeholder before. */
    String instanceId() {
        return serverId != null ? PROVIDER_PREFIX + serverId : PLACEHOLDER_PREFIX + name;
    }

    /** A server exists and is not being deleted. */
    boolean isLive() {
        return phase == Phase.PROVISIONING || phase == Phase.RUNNING;
    }

    /** Counted in the target but no server exists yet. */
    boolean isPending() {
        return phase == Phase.PENDING || phase == Phase.CREATING || phase == Phase.FAILED;
    }

    /** Can be cancelled without deleting a server. */
    boolean isCancellable() {
        return phase == Phase.PENDING || phase == Phase.FAILED;
    }

    InstanceView view() {
        return switch (phase) {
            case PENDING, CREATING, PROVISIONING ->
                new InstanceView(
                        instanceId(),
                        cancelRequested ? InstanceView.State.DELETING : InstanceView.State.CREATING,
                        Optional.empty());
            case FAILED -> new InstanceView(instanceId(), InstanceView.State.CREATING, Optional.ofNullable(failure));
            case RUNNING -> new InstanceView(instanceId(), InstanceView.State.RUNNING, Optional.empty());
            case DELETING -> new InstanceView(instanceId(), InstanceView.State.DELETING, Optional.empty());
        };
    }

    /** Records a status Hetzner reported; true when this is the first time the server is seen running. */
    boolean observeStatus(ServerStatus newStatus, Instant now) {
        if (newStatus != status) {
            status = newStatus;
            statusSince = now;
        }
        boolean firstRunning = newStatus == ServerStatus.RUNNING && runningAt == null;
        if (firstRunning) {
            runningAt = now;
        }
        if (phase == Phase.PROVISIONING && newStatus == ServerStatus.RUNNING) {
            phase(Phase.RUNNING);
        } else if (phase == Phase.RUNNING && newStatus != ServerStatus.RUNNING && newStatus != ServerStatus.DELETING) {
            phase(Phase.PROVISIONING);
        }
        return firstRunning;
    }

    /**
     * True when a list reporting this status would change nothing here ({@link #observeStatus} a no-op); read without the
     * lock by a resync to skip the steady state, so a stale answer only costs a locked re-check.
     */
    boolean agreesWith(ServerStatus listed) {
        if (serverId == null || listed != status || (listed == ServerStatus.RUNNING && runningAt == null)) {
            return false;
        }
        Phase p = phase;
        return !(p == Phase.PROVISIONING && listed == ServerStatus.RUNNING)
                && !(p == Phase.RUNNING && listed != ServerStatus.RUNNING && listed != ServerStatus.DELETING);
    }

    /** Parses a server id out of an {@code hcloud://<id>} provider id; null when it is not one. */
    static Long serverIdOf(String providerId) {
        if (providerId == null || !providerId.startsWith(PROVIDER_PREFIX)) {
            return null;
        }
        String rest = providerId.substring(PROVIDER_PREFIX.length());
        if (rest.isEmpty() || rest.length() > 19 || !rest.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return Long.parseLong(rest);
    }

    /** The server name inside a placeholder id; null when it is not one. */
    static String placeholderName(String id) {
        return id != null && id.startsWith(PLACEHOLDER_PREFIX) ? id.substring(PLACEHOLDER_PREFIX.length()) : null;
    }
}
