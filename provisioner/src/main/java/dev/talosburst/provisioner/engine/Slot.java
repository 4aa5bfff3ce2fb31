package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.cloud.Server;
import dev.talosburst.provisioner.cloud.ServerStatus;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent.HourlyPrice;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent.ServerFacts;
import dev.talosburst.provisioner.nodegroup.InstanceView;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One server of a pool, from the moment CA asked for it until it is deleted: the only owner of its state.
 *
 * <p>Its life follows Karpenter's node-claim lifecycle: <em>launch</em> ({@link #launchRequested}, {@link #launched}),
 * <em>registration</em> ({@link #registered}), <em>initialization</em> ({@link #ready}), <em>liveness</em>
 * ({@link #observed}, {@link #notReady}) and <em>deletion</em> ({@link #deletionRequested}, {@link #deleted}). Every
 * change is a named transition, called under the lock of the {@link FleetView} holding the slot; a transition that is
 * not legal from the current phase is a bug and throws {@link IllegalStateException}. What CA's RPCs read without the
 * lock (phase, server id, cancellation, status, failure) is volatile, and {@link #server()} is an immutable snapshot
 * republished on every change.
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

    private final String pool;
    private final String name;
    /* phase, server id and cancellation decide the pool's counts and indexes: the owning view is told of every change */
    private volatile Phase phase;
    private volatile Long serverId;
    private volatile boolean cancelRequested;
    /** Position in the view (insertion order), set when added. */
    private volatile long sequence;
    /** The view holding this slot; null when removed (volatile: IncreaseSize adds without the view lock). */
    private volatile FleetView owner;

    /* Who has a requested slot first, without the view lock: a create worker (or a follower's deferral), or a
     * DecreaseTargetSize withdrawing it. OPEN -> TAKEN (for good), OPEN -> WITHDRAWN -> DROPPED (a worker saw it
     * withdrawn and let it go); a withdrawal that is given back returns to OPEN. */
    private static final int GATE_OPEN = 0;
    private static final int GATE_TAKEN = 1;
    private static final int GATE_WITHDRAWN = 2;
    private static final int GATE_DROPPED = 3;
    private final java.util.concurrent.atomic.AtomicInteger gate = new java.util.concurrent.atomic.AtomicInteger();

    /* volatile: a resync and the reaper compare them without the lock (agreesWith, reaper candidates) */
    private volatile ServerStatus status;
    private volatile Instant statusSince;

    private String serverType;
    private String location;
    private String architecture;
    private Long imageId;
    private Map<String, String> labels = Map.of();
    private volatile HourlyPrice price;

    private volatile Instant createRequestedAt;
    private volatile Instant createdAt;
    private volatile Instant runningAt;
    private Instant registeredAt;
    private Instant readyAt;
    private Instant deletedAt;

    private volatile InstanceView.ErrorInfo failure;
    private volatile Instant failedAt;
    private volatile boolean nodeRegistered;
    private volatile boolean nodeReady;
    private int readyCount;
    private boolean deletedEmitted;
    private boolean createdEmitted;
    /** The create request of this slot: in flight, or due again after a failure. */
    private final HetznerRequest create = new HetznerRequest();
    /** The delete request of this slot's server: in flight, or due again after a failure. */
    private final HetznerRequest delete = new HetznerRequest();

    private Instant deleteRequestedAt;
    /** When this process learned the server id (guards resync against ids learned after its list started). */
    private volatile Instant serverKnownAt;

    private volatile String deleteReason;
    /** What event reconciliation reads of this slot, republished on every change (null until the server exists). */
    private volatile ServerView server;
    /** The last {@link #view()} and {@link #instanceId()} built: given again while what CA sees is unchanged. */
    private volatile InstanceView view;

    private volatile String instanceId;

    private Slot(String pool, String name, Phase phase) {
        this.pool = pool;
        this.name = name;
        this.phase = phase;
    }

    // ---------------------------------------------------------------- creation of slots

    /** CA asked for a server of the pool: a pending creation, not yet in any view. */
    static Slot requested(String pool, String name, String serverType, String location) {
        Slot slot = new Slot(pool, name, Phase.PENDING);
        slot.serverType = serverType;
        slot.location = location;
        return slot;
    }

    /**
     * A server of ours in a configured pool that Hetzner listed and this process did not create (recovery after a
     * restart); its server-created event is the creating process's, not ours.
     */
    static Slot adopted(String pool, Server server, String architecture, HourlyPrice price, Instant now) {
        Slot slot = found(pool, server, now);
        slot.architecture = architecture;
        slot.price = price;
        slot.createdEmitted = true;
        slot.observed(server.status(), now);
        return slot;
    }

    /** A server of ours nobody asked for (an unconfigured pool, an abandoned name), tracked only until it is reaped. */
    static Slot stray(Server server, Instant now) {
        Slot slot = found(server.labels().getOrDefault(Ownership.POOL, "unknown"), server, now);
        slot.status = server.status();
        slot.publish();
        return slot;
    }

    private static Slot found(String pool, Server server, Instant now) {
        Slot slot = new Slot(pool, server.name(), Phase.PROVISIONING);
        slot.serverId = server.id();
        slot.serverKnownAt = now;
        slot.createdAt = server.created();
        slot.serverType = server.serverType();
        slot.location = server.location();
        slot.imageId = server.imageId();
        slot.labels = Map.copyOf(server.labels());
        return slot;
    }

    // ---------------------------------------------------------------- launch

    /** Whether a create worker may send this slot's create now (not created, failed, cancelled or in flight). */
    boolean awaitsLaunch() {
        return (phase == Phase.PENDING || phase == Phase.CREATING) && !create.inFlight() && !cancelRequested;
    }

    /**
     * A create worker takes the slot: its create request is in flight from now on. False (nothing changed) when a
     * DecreaseTargetSize withdrew it first: the worker lets it go.
     */
    boolean launchRequested() {
        guarded();
        require(awaitsLaunch(), "launchRequested");
        if (!takeGate()) {
            return false;
        }
        create.take();
        return true;
    }

    /** True once the slot is the background's for good; false when withdrawn (marked as let go). */
    private boolean takeGate() {
        while (true) {
            int state = gate.get();
            if (state == GATE_TAKEN) {
                return true;
            }
            if (state == GATE_OPEN && gate.compareAndSet(GATE_OPEN, GATE_TAKEN)) {
                return true;
            }
            if (state == GATE_WITHDRAWN && gate.compareAndSet(GATE_WITHDRAWN, GATE_DROPPED)) {
                return false;
            }
            if (state == GATE_DROPPED) {
                return false;
            }
        }
    }

    /**
     * DecreaseTargetSize takes a requested slot that no create worker has taken yet; lock-free (its pool's command lock
     * keeps other commands away). True when it was first; the caller then removes the slot, or gives it back.
     */
    boolean withdraw() {
        return phase == Phase.PENDING && !cancelRequested && gate.compareAndSet(GATE_OPEN, GATE_WITHDRAWN);
    }

    /**
     * Gives a withdrawn slot back (its DecreaseTargetSize did not go through): true when a create worker let it go
     * meanwhile, so it must be queued again.
     */
    boolean giveBack() {
        if (gate.compareAndSet(GATE_WITHDRAWN, GATE_OPEN)) {
            return false;
        }
        if (!gate.compareAndSet(GATE_DROPPED, GATE_OPEN)) {
            throw new IllegalStateException("slot " + name + " given back but it was not withdrawn");
        }
        return true;
    }

    /**
     * The create request is about to be sent with these facts; true when it is the slot's first (its
     * server-create-requested event), false for a retry with the same name.
     */
    boolean launching(
            String serverType,
            String location,
            String architecture,
            long imageId,
            Map<String, String> labels,
            HourlyPrice price,
            Instant now) {
        guarded();
        require(create.inFlight() && (phase == Phase.PENDING || phase == Phase.CREATING), "launching");
        this.serverType = serverType;
        this.location = location;
        this.architecture = architecture;
        this.imageId = imageId;
        this.labels = Map.copyOf(labels);
        this.price = price;
        move(Phase.CREATING);
        boolean first = createRequestedAt == null;
        if (first) {
            createRequestedAt = now;
        }
        return first;
    }

    /** The in-flight create ended without a server or an error to report (the slot was cancelled meanwhile). */
    void launchAbandoned() {
        guarded();
        create.ended();
    }

    /** A create attempt failed transiently: it is retried with the same name at {@code retryAt}. */
    void createAttemptFailed(Instant retryAt) {
        guarded();
        require(!cancelRequested && (phase == Phase.PENDING || phase == Phase.CREATING), "createAttemptFailed");
        create.failed(retryAt);
        move(Phase.CREATING);
    }

    /** True (and the retry is taken) when a failed attempt's back-off is over and nothing is in flight. */
    boolean retryDue(Instant now) {
        guarded();
        if (phase != Phase.CREATING || !create.retryDue(now)) {
            return false;
        }
        create.retryTaken();
        return true;
    }

    /**
     * A follower's create worker put the slot back: retried as soon as this replica leads. A pending slot becomes a
     * creation due now (only those are looked for again; a pending one would otherwise wait for ever).
     */
    void launchDeferred(Instant now) {
        guarded();
        if (!takeGate()) {
            return; // withdrawn by a DecreaseTargetSize: removed, or queued again when given back
        }
        if (phase == Phase.PENDING && !cancelRequested) {
            move(Phase.CREATING);
        }
        if (phase == Phase.CREATING) {
            create.retryNow(now);
        }
    }

    /** Hetzner answered our create with this server: true when this is the first news of it (server-created event). */
    boolean launched(long id, Instant created, Instant now) {
        guarded();
        create.ended();
        return learnServer(id, created != null ? created : now, now);
    }

    /**
     * A list found the server behind this slot before our create's answer arrived (or after it was lost); true when this
     * is the first news of it (server-created event, also for a creation reported failed: the server costs money).
     */
    boolean discovered(long id, Instant created, Instant now) {
        guarded();
        return learnServer(id, created, now);
    }

    private boolean learnServer(long id, Instant created, Instant now) {
        require(serverId == null || serverId == id, "launched as server " + id + " (already " + serverId + ")");
        serverId(id);
        serverKnownAt = now;
        createdAt = created;
        if (phase == Phase.PENDING || phase == Phase.CREATING) {
            move(Phase.PROVISIONING);
        }
        boolean first = !createdEmitted;
        createdEmitted = true;
        publish();
        return first;
    }

    /** The creation failed for good: reported to CA (class and message) until it deletes the instance. */
    void failed(InstanceView.ErrorInfo error, Instant now) {
        guarded();
        require(phase != Phase.DELETING && phase != Phase.FAILED && !cancelRequested, "failed");
        create.ended();
        failure = error; // before the phase: a lock-free read never sees FAILED without its error
        move(Phase.FAILED);
        failedAt = now;
        publish();
    }

    /** CA deleted this slot while its create is in flight: it leaves the target now, the server is deleted when it exists. */
    void cancelRequested() {
        guarded();
        require(phase == Phase.PENDING || phase == Phase.CREATING, "cancelRequested");
        boolean counted = countedInTarget();
        boolean live = isLive();
        cancelRequested = true;
        changed(counted, live);
    }

    // ---------------------------------------------------------------- liveness

    /** Hetzner reported this status; true when this is the first time the server is seen running. */
    boolean observed(ServerStatus newStatus, Instant now) {
        guarded();
        require(serverId != null, "observed");
        record(newStatus, now);
        if (phase == Phase.DELETING || phase == Phase.FAILED) {
            publish();
            return false; // the status is kept for the record; the phase is the deletion's or the failure's
        }
        boolean firstRunning = newStatus == ServerStatus.RUNNING && runningAt == null;
        if (firstRunning) {
            runningAt = now;
        }
        settlePhase(newStatus);
        publish();
        return firstRunning;
    }

    private void record(ServerStatus newStatus, Instant now) {
        if (newStatus != status) {
            status = newStatus;
            statusSince = now;
        }
    }

    private void settlePhase(ServerStatus listed) {
        if (phase == Phase.PROVISIONING && listed == ServerStatus.RUNNING) {
            move(Phase.RUNNING);
        } else if (phase == Phase.RUNNING && listed != ServerStatus.RUNNING && listed != ServerStatus.DELETING) {
            move(Phase.PROVISIONING);
        }
    }

    /**
     * True when a list reporting this status would change nothing here ({@link #observed} a no-op); read without the
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

    // ---------------------------------------------------------------- registration and initialization

    /** The server's Node registered; true the first time (node-registered event). */
    boolean registered(Instant now) {
        guarded();
        if (nodeRegistered) {
            return false;
        }
        nodeRegistered = true;
        boolean first = registeredAt == null;
        if (first) {
            registeredAt = now;
        }
        publish();
        return first;
    }

    /** What a Node turning Ready changed: which events and metrics it makes. */
    record Readiness(boolean registeredNow, boolean firstReady, boolean runningNow, String occurrence) {}

    /** The server's Node is Ready; empty when it already was. */
    Optional<Readiness> ready(Instant now) {
        guarded();
        if (nodeReady) {
            return Optional.empty();
        }
        boolean registeredNow = !nodeRegistered;
        if (registeredNow) {
            nodeRegistered = true;
            registeredAt = registeredAt != null ? registeredAt : now;
        }
        nodeReady = true;
        readyCount++;
        boolean firstReady = readyAt == null;
        if (firstReady) {
            readyAt = now;
        }
        boolean runningNow = runningAt == null;
        if (runningNow) {
            runningAt = now; // a Ready kubelet proves the server runs, even before the next resync says so
        }
        publish();
        // the first Ready is once-only; later ones are told apart by when they happened (counters restart with the
        // process)
        return Optional.of(new Readiness(
                registeredNow, firstReady, runningNow, readyCount == 1 ? "" : Long.toString(now.toEpochMilli())));
    }

    /** The server's Node is no longer Ready; false when it was not Ready. */
    boolean notReady() {
        guarded();
        if (!nodeReady) {
            return false;
        }
        nodeReady = false;
        publish();
        return true;
    }

    /** The server's Node object was removed. */
    void nodeRemoved() {
        guarded();
        nodeRegistered = false;
        nodeReady = false;
        publish();
    }

    // ---------------------------------------------------------------- deletion

    /** Whether a deletion is already under way (requested here, or in flight). */
    boolean deletionUnderWay() {
        return phase == Phase.DELETING && (delete.inFlight() || deleteRequestedAt != null);
    }

    /** Its server is to be deleted, for this reason. */
    void deletionRequested(String reason, Instant now) {
        guarded();
        require(serverId != null && !deletionUnderWay(), "deletionRequested");
        move(Phase.DELETING);
        deleteRequestedAt = now;
        deleteReason = reason;
    }

    /** A delete worker takes the slot; false when a delete is already in flight. */
    boolean deleteSubmitted() {
        guarded();
        return delete.take();
    }

    /** The delete request could not be sent or failed; retried at {@code retryAt} (never when null: not submitted). */
    void deleteAttemptFailed(Instant retryAt) {
        guarded();
        delete.failed(retryAt);
    }

    /** True when a failed delete's back-off is over and nothing is in flight. */
    boolean deleteRetryDue(Instant now) {
        return phase == Phase.DELETING && delete.retryDue(now);
    }

    /** The server is gone (we deleted it, or it vanished); true the first time for a server (server-deleted event). */
    boolean deleted(Instant now) {
        guarded();
        delete.ended();
        boolean first = !deletedEmitted && serverId != null;
        deletedEmitted = true;
        if (deletedAt == null) {
            deletedAt = now;
        }
        publish();
        return first;
    }

    // ---------------------------------------------------------------- membership (FleetView)

    /** Added to a view at this position. */
    void attached(FleetView view, long position) {
        owner = view;
        sequence = position;
    }

    /** Removed from its view. */
    void detached() {
        owner = null;
    }

    FleetView owner() {
        return owner;
    }

    long sequence() {
        return sequence;
    }

    // ---------------------------------------------------------------- reads

    String pool() {
        return pool;
    }

    String name() {
        return name;
    }

    Phase phase() {
        return phase;
    }

    Long serverId() {
        return serverId;
    }

    boolean isCancelRequested() {
        return cancelRequested;
    }

    ServerStatus status() {
        return status;
    }

    Instant statusSince() {
        return statusSince;
    }

    HourlyPrice price() {
        return price;
    }

    Instant createRequestedAt() {
        return createRequestedAt;
    }

    Instant createdAt() {
        return createdAt;
    }

    Instant failedAt() {
        return failedAt;
    }

    Instant serverKnownAt() {
        return serverKnownAt;
    }

    boolean nodeRegistered() {
        return nodeRegistered;
    }

    boolean nodeReady() {
        return nodeReady;
    }

    boolean createInFlight() {
        return create.inFlight();
    }

    boolean deleteInFlight() {
        return delete.inFlight();
    }

    String deleteReason() {
        return deleteReason;
    }

    /** The server as event reconciliation sees it; null before it exists. Lock-free, consistent as of one change. */
    ServerView server() {
        return server;
    }

    /** The facts of the server for an event (under the lock, so consistent). */
    ServerFacts facts() {
        return new ServerFacts(
                name,
                serverType,
                location,
                architecture,
                imageId,
                labels,
                price,
                createRequestedAt,
                createdAt,
                runningAt,
                registeredAt,
                readyAt,
                deletedAt);
    }

    /** Counted in the pool's target size: a live server or a pending creation CA has not cancelled. */
    boolean countedInTarget() {
        return (isLive() || isPending()) && !cancelRequested;
    }

    /** The id CA sees: {@code hcloud://<id>} once the server exists, a placeholder before. */
    String instanceId() {
        Long id = serverId;
        String known = instanceId;
        if (known == null || known.startsWith(PLACEHOLDER_PREFIX) == (id != null)) {
            known = id != null ? PROVIDER_PREFIX + id : PLACEHOLDER_PREFIX + name;
            instanceId = known; // a server id is set once: the string is built at most twice
        }
        return known;
    }

    /** A server exists and is not being deleted. */
    boolean isLive() {
        Phase p = phase;
        return p == Phase.PROVISIONING || p == Phase.RUNNING;
    }

    /** Counted in the target but no server exists yet. */
    boolean isPending() {
        Phase p = phase;
        return p == Phase.PENDING || p == Phase.CREATING || p == Phase.FAILED;
    }

    /** Can be cancelled without deleting a server. */
    boolean isCancellable() {
        Phase p = phase;
        return p == Phase.PENDING || p == Phase.FAILED;
    }

    /** What CA sees of this instance; lock-free. */
    InstanceView view() {
        Phase now = phase; // read once: a transition meanwhile is seen entirely or not at all
        InstanceView.State state = switch (now) {
            case PENDING, CREATING, PROVISIONING ->
                cancelRequested ? InstanceView.State.DELETING : InstanceView.State.CREATING;
            case FAILED -> InstanceView.State.CREATING;
            case RUNNING -> InstanceView.State.RUNNING;
            case DELETING -> InstanceView.State.DELETING;
        };
        InstanceView.ErrorInfo error = now == Phase.FAILED ? failure : null;
        String id = instanceId();
        InstanceView last = view;
        // The same view while nothing CA sees changed: a pool's answer costs no garbage per instance, and is
        // compared with the last one by reference.
        if (last != null
                && last.state() == state
                && last.id() == id
                && last.error().orElse(null) == error) {
            return last;
        }
        InstanceView built = new InstanceView(id, state, Optional.ofNullable(error));
        view = built;
        return built;
    }

    // ---------------------------------------------------------------- internals

    private void move(Phase next) {
        if (next == phase) {
            return;
        }
        boolean counted = countedInTarget();
        boolean live = isLive();
        phase = next;
        changed(counted, live);
    }

    private void serverId(long id) {
        Long previous = serverId;
        serverId = id;
        if (owner != null) {
            owner.serverIdChanged(this, previous);
        }
    }

    private void changed(boolean wasCounted, boolean wasLive) {
        if (owner != null) {
            owner.slotChanged(this, wasCounted, wasLive);
        }
    }

    private void publish() {
        Long id = serverId;
        server = id == null
                ? null
                : new ServerView(
                        name,
                        id,
                        pool,
                        facts(),
                        status == null ? "unknown" : status.apiName(),
                        nodeRegistered,
                        nodeReady);
    }

    /** Transitions run under the owning view's lock (checked when assertions are on). */
    private void guarded() {
        FleetView lockedBy = owner;
        assert lockedBy == null || Thread.holdsLock(lockedBy) : "slot " + name + " changed without the view lock";
    }

    private void require(boolean legal, String transition) {
        if (!legal) {
            throw new IllegalStateException("slot " + name + " of pool " + pool + " in phase " + phase
                    + (create.inFlight() ? " (create in flight)" : "") + (cancelRequested ? " (cancelled)" : "")
                    + ": " + transition + " is not a legal transition");
        }
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
