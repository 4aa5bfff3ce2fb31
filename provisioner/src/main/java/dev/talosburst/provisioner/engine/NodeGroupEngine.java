package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.cloud.CloudApi;
import dev.talosburst.provisioner.cloud.ServerType;
import dev.talosburst.provisioner.directory.NodeDirectory;
import dev.talosburst.provisioner.lifecycle.EventSink;
import dev.talosburst.provisioner.lifecycle.Transition;
import dev.talosburst.provisioner.nodegroup.AutoscalingOptions;
import dev.talosburst.provisioner.nodegroup.InstanceView;
import dev.talosburst.provisioner.nodegroup.NodeGroupException;
import dev.talosburst.provisioner.nodegroup.NodeGroupException.Reason;
import dev.talosburst.provisioner.nodegroup.NodeGroupSummary;
import dev.talosburst.provisioner.nodegroup.NodeGroups;
import dev.talosburst.provisioner.nodegroup.NodeRef;
import dev.talosburst.provisioner.nodegroup.NodeTemplate;
import dev.talosburst.provisioner.nodegroup.PodRequests;
import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.pool.PoolProblem;
import dev.talosburst.provisioner.userdata.UserDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * The provisioning engine: turns cluster-autoscaler's node-group calls into Hetzner servers and back.
 *
 * <p>Every {@link NodeGroups} method answers from the in-memory {@link FleetView}; creations, deletions,
 * resyncs and reaping run in the background. Only the leader mutates Hetzner or Kubernetes; a follower keeps
 * its view warm and answers reads.
 */
public final class NodeGroupEngine implements NodeGroups, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NodeGroupEngine.class);

    private final EngineSettings settings;
    private final Clock clock;
    private final FleetView view;
    private final Catalogue catalogue;
    private final LifecycleRecorder recorder;
    private final NodeDirectory nodes;
    private final CloudApi cloud;
    private final CreateQueue createQueue = new CreateQueue();
    private final ServerNames names = new ServerNames();
    private final ScaleUp scaleUp;
    private final ScaleDown scaleDown;
    private final Resync resync;
    private final ServerReaper reaper;
    private final Pricing pricing;
    private final NodeWatch nodeWatch;
    private final InFlightPoll inFlight;
    private final ScheduledExecutorService ticker;
    private final ExecutorService creators;
    private final ExecutorService deleters;
    private final ReentrantLock tickLock = new ReentrantLock();
    private final AtomicBoolean refreshRequested = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicLong poolEventSequence =
            new java.util.concurrent.atomic.AtomicLong();
    private final Leadership leadership = new Leadership();
    private volatile boolean running;
    private volatile String lastSyncError;
    private final List<NodePool> pools;
    private final UserDataSource userData;
    private final HetznerAccess access;
    private volatile boolean startupChecked;

    public NodeGroupEngine(
            EngineSettings settings,
            List<NodePool> pools,
            CloudApi cloud,
            UserDataSource userData,
            EventSink events,
            NodeDirectory nodes,
            Clock clock) {
        this(settings, pools, cloud, userData, events, nodes, clock, new SimpleMeterRegistry());
    }

    public NodeGroupEngine(
            EngineSettings settings,
            List<NodePool> pools,
            CloudApi cloud,
            UserDataSource userData,
            EventSink events,
            NodeDirectory nodes,
            Clock clock,
            MeterRegistry registry) {
        List<PoolProblem> problems = PoolValidation.check(pools, userData, settings.clusterId());
        if (!problems.isEmpty()) {
            throw new PoolValidation.InvalidPoolsException(problems);
        }
        this.settings = settings;
        this.clock = clock;
        this.nodes = nodes;
        this.cloud = cloud;
        this.pools = List.copyOf(pools);
        this.userData = userData;
        this.access = new HetznerAccess(clock);
        this.view = new FleetView(pools);
        Ownership ownership = new Ownership(settings.clusterId());
        ProvisioningMetrics metrics = new ProvisioningMetrics(
                registry, pools.stream().map(NodePool::id).toList());
        this.catalogue = new Catalogue(cloud, clock);
        this.recorder = new LifecycleRecorder(events, settings.clusterId(), leadership::actingOrPromoting, metrics);
        this.ticker = Executors.newSingleThreadScheduledExecutor(daemon("talosburst-engine-tick"));
        this.creators = Executors.newFixedThreadPool(settings.createConcurrency(), daemon("talosburst-create"));
        this.deleters = Executors.newFixedThreadPool(2, daemon("talosburst-delete"));
        this.scaleDown = new ScaleDown(view, cloud, nodes, recorder, clock, settings.createRetryBackoff(), deleters);
        this.nodeWatch =
                new NodeWatch(view, nodes, recorder, metrics, clock, leadership::isLeader, settings.clusterId());
        this.scaleUp = new ScaleUp(
                view,
                cloud,
                catalogue,
                userData,
                recorder,
                new OutOfResourcesMemory(clock, settings.outOfResourcesBackoff()),
                ownership,
                settings,
                metrics,
                clock,
                scaleDown,
                nodeWatch::serverKnown);
        this.resync = new Resync(view, cloud, catalogue, ownership, recorder, metrics, clock);
        this.inFlight = new InFlightPoll(view, cloud, ownership, metrics, clock, settings.inFlightPollInterval());
        this.reaper = new ServerReaper(view, nodes, scaleDown, settings.reaper(), metrics, clock);
        this.pricing = new Pricing(view, catalogue, settings.clusterId(), this::groupOfServer);
        metrics.watch(view, leadership::isLeader);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    // ---------------------------------------------------------------- lifecycle

    /** Starts as the only replica: builds the view from Hetzner, then acts. */
    public void start() {
        leadership.requestPromotion(); // the first sync then both builds the view and makes us act: one list, not two
        startAsFollower();
        promote();
    }

    /** Starts without acting: keeps the view warm and answers reads; {@link #promote()} makes it act. */
    public void startAsFollower() {
        if (!begin()) {
            return;
        }
        try {
            tick();
        } catch (RuntimeException e) {
            // HetznerAccess has said why (once); the ticker retries with back-off
        }
        long period = Math.max(50, settings.tickInterval().toMillis());
        ticker.scheduleWithFixedDelay(this::safeTick, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts as the only replica without waiting for the first list of servers (100 requests at 5,000 servers): the pools
     * are checked against the catalogue on the calling thread, so a configuration Hetzner proves wrong still stops start-up
     * ({@link #hetznerStatus()}), and the view is built on the engine's thread right after. Until then the RPCs that report
     * servers or sizes answer NOT_READY, never an empty pool.
     */
    public void startInBackground() {
        leadership.requestPromotion(); // the first sync builds the view and makes us act
        if (!begin()) {
            return;
        }
        tickLock.lock();
        try {
            runStartupCheck(clock.instant());
        } catch (RuntimeException e) {
            // HetznerAccess has said why (once); the ticker retries with back-off
        } finally {
            tickLock.unlock();
        }
        long period = Math.max(50, settings.tickInterval().toMillis());
        ticker.scheduleWithFixedDelay(this::safeTick, 0, period, TimeUnit.MILLISECONDS);
    }

    /** False when already running. */
    private boolean begin() {
        if (running) {
            return false;
        }
        running = true;
        LOG.info(reaper.rules());
        nodes.subscribe(nodeWatch);
        for (int i = 0; i < settings.createConcurrency(); i++) {
            creators.execute(this::createLoop);
        }
        return true;
    }

    /** Becomes the acting replica: rebuilds the view from Hetzner first, so nothing is created twice. */
    public void promote() {
        if (leadership.isLeader()) {
            return;
        }
        leadership.requestPromotion();
        safeTick();
    }

    /** Stops acting (lost the lease); in-flight requests finish, nothing new starts. */
    public void demote() {
        leadership.demote();
        LOG.info("no longer leader: not creating, deleting or reaping");
    }

    public boolean isLeader() {
        return leadership.isLeader();
    }

    /** True once the view has been built from Hetzner at least once. */
    public boolean isSynced() {
        return view.isSynced();
    }

    /** When the view was last rebuilt from Hetzner; null before the first sync. */
    public Instant lastSyncAt() {
        return view.lastSyncAt();
    }

    /**
     * Every server of this cluster that existed at the last resync or was created since (including servers of pools
     * no longer configured); empty before the first sync. The complete list: event reconciliation relies on it.
     */
    public List<ServerView> servers() {
        synchronized (view) {
            List<ServerView> servers = new ArrayList<>();
            if (!view.isSynced()) {
                return servers;
            }
            java.util.Set<String> names = new java.util.HashSet<>();
            for (Slot slot : view.allSlots()) {
                if (slot.serverId() != null) {
                    names.add(slot.name);
                    servers.add(new ServerView(
                            slot.name,
                            slot.serverId(),
                            slot.pool,
                            LifecycleRecorder.facts(slot),
                            slot.status == null ? "unknown" : slot.status.apiName(),
                            slot.nodeRegistered,
                            slot.nodeReady));
                }
            }
            for (dev.talosburst.provisioner.cloud.Server server : view.unknownPoolServers()) {
                if (names.add(server.name())) {
                    servers.add(new ServerView(
                            server.name(),
                            server.id(),
                            server.labels().get(Ownership.POOL),
                            new dev.talosburst.provisioner.lifecycle.LifecycleEvent.ServerFacts(
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
                            false));
                }
            }
            return servers;
        }
    }

    /** What the reaper deleted or, in dry-run, would delete. */
    public Collection<ServerReaper.Finding> reaperFindings() {
        return reaper.findings();
    }

    @Override
    public void close() {
        running = false;
        leadership.stop();
        recorder.close();
        ticker.shutdownNow();
        creators.shutdownNow();
        deleters.shutdownNow();
    }

    // ---------------------------------------------------------------- background work

    private void safeTick() {
        try {
            tick();
        } catch (RuntimeException e) {
            lastSyncError = e.getMessage(); // logged by HetznerAccess: once, then at most once a minute
        }
    }

    /** Whether Hetzner answers, and if not why (for readiness and start-up). */
    public HetznerStatus hetznerStatus() {
        return access.status();
    }

    /** True once every pool was checked against the Hetzner catalogue and found fitting. */
    public boolean startupChecked() {
        return startupChecked;
    }

    /**
     * Checks every pool against the catalogue (once, before the first list of servers): problems make the engine stop for
     * good ({@link HetznerStatus.State#CONFIGURATION_INVALID}); the Talos version each pool boots goes to the user-data
     * source, which then renders a node of every pool again in that version.
     */
    private boolean runStartupCheck(Instant now) {
        if (startupChecked) {
            return true;
        }
        if (!access.due(now)) {
            return false;
        }
        List<String> problems;
        try {
            PoolCatalogueCheck.Result result = PoolCatalogueCheck.check(pools, catalogue);
            problems = new ArrayList<>(result.problems());
            if (problems.isEmpty()) {
                for (String problem : userData.bootedVersions(result.bootedVersionLabels())) {
                    problems.add(problem);
                }
            }
            if (problems.isEmpty()) {
                for (NodePool pool : pools) {
                    for (String problem :
                            userData.check(pool, NodeTemplates.registrationLabels(pool, settings.clusterId()))) {
                        problems.add("talosburst.pools." + pool.id() + ": " + problem);
                    }
                }
            }
            access.succeeded();
        } catch (RuntimeException e) {
            access.failed(e, true);
            throw e;
        }
        if (!problems.isEmpty()) {
            access.rejected(problems);
            return false;
        }
        startupChecked = true;
        LOG.infof(
                "every node pool fits the Hetzner catalogue: %s",
                pools.stream().map(NodePool::id).toList());
        return true;
    }

    /**
     * Runs one round of background work now: resync when due (or requested), promotion, retries, reaping.
     * Called periodically; tests call it directly instead of waiting.
     */
    public void tick() {
        tickLock.lock();
        try {
            Instant now = clock.instant();
            if (!runStartupCheck(now)) {
                return;
            }
            boolean promoting = leadership.promotionPending();
            Instant last = lastSyncAt();
            boolean due = (last == null
                            || promoting
                            || refreshRequested.get()
                            || Duration.between(last, now).compareTo(fullListInterval()) >= 0)
                    && access.due(now);
            Resync.Strays strays = null;
            if (due) {
                if (promoting) {
                    synchronized (view) {
                        view.clear(); // a new leader trusts only Hetzner
                    }
                }
                refreshRequested.set(false);
                try {
                    catalogue.refreshServerTypesIfStale();
                    strays = resync.run(nodeWatch::serverKnown);
                    access.succeeded();
                } catch (RuntimeException e) {
                    access.failed(e, false);
                    throw e;
                }
                lastSyncError = null;
                if (promoting) {
                    leadership.completePromotion();
                }
            }
            if (!leadership.isLeader()) {
                return;
            }
            if (strays != null) {
                for (Slot slot : strays.vanished()) {
                    // a paged list can skip a server when another one is deleted between its pages: only Hetzner's
                    // own "not found" proves a server is gone (one GET per missing server, which is rare)
                    if (stillExists(slot)) {
                        continue;
                    }
                    boolean wasDeleting;
                    synchronized (view) {
                        wasDeleting = slot.phase() == Slot.Phase.DELETING;
                    }
                    scaleDown.completed(
                            slot,
                            wasDeleting
                                    ? slot.deleteReason
                                    : "the server disappeared from Hetzner (deleted outside talos-burst)");
                }
                reaper.sweep(strays);
                nodeWatch.sweep();
            }
            if (strays == null) {
                try {
                    // servers being created: running within a poll interval, without a full list
                    if (inFlight.pollIfDue(now)) {
                        refreshRequested.set(true); // the next tick lists everything once
                    }
                } catch (RuntimeException e) {
                    LOG.debugf(
                            "polling the servers being created failed: %s; the next tick tries again", e.getMessage());
                }
            }
            requeueRetries(now);
            scaleDown.retryDue();
        } finally {
            tickLock.unlock();
        }
    }

    /** The interval between full lists for the fleet as it is now (stretched with its size to keep within the budget). */
    Duration fullListInterval() {
        return settings.fullListInterval(view.serverCount());
    }

    private boolean stillExists(Slot slot) {
        Long id = slot.serverId();
        if (id == null) {
            return false;
        }
        try {
            Optional<dev.talosburst.provisioner.cloud.Server> server = cloud.server(id);
            if (server.isPresent() && server.get().status() != dev.talosburst.provisioner.cloud.ServerStatus.DELETING) {
                synchronized (view) {
                    if (slot.phase() != Slot.Phase.DELETING) {
                        slot.observeStatus(server.get().status(), clock.instant());
                    }
                }
                LOG.debugf("server %s (id %d) was missing from the list but exists; keeping it", slot.name, id);
                return true;
            }
            return false; // not found, or being deleted: gone (billing stops now)
        } catch (RuntimeException e) {
            LOG.warnf(
                    "could not confirm whether server %s (id %d) still exists (%s); will check again",
                    slot.name, id, e.getMessage());
            return true;
        }
    }

    private void requeueRetries(Instant now) {
        List<Slot> due = new ArrayList<>();
        // every tick: the phase is readable without the lock, so only slots being created are looked at under it
        List<Slot> creating = view.snapshot().stream()
                .filter(slot -> slot.phase() == Slot.Phase.CREATING)
                .sorted(Comparator.comparingLong((Slot slot) -> slot.sequence))
                .toList(); // oldest request first
        if (creating.isEmpty()) {
            return;
        }
        synchronized (view) {
            for (Slot slot : creating) {
                if (slot.owner() != view) {
                    continue;
                }
                if (slot.phase() == Slot.Phase.CREATING && !slot.createInFlight && slot.cancelRequested()) {
                    view.abandon(slot); // deleted by CA while it waited for a retry
                } else if (slot.phase() == Slot.Phase.CREATING
                        && !slot.createInFlight
                        && slot.nextAttemptAt != null
                        && !now.isBefore(slot.nextAttemptAt)) {
                    slot.nextAttemptAt = null;
                    due.add(slot);
                }
            }
        }
        due.forEach(createQueue::add);
    }

    private void createLoop() {
        while (running) {
            try {
                Slot slot = createQueue.poll(200, TimeUnit.MILLISECONDS);
                if (slot == null) {
                    continue;
                }
                if (!leadership.isLeader()) {
                    synchronized (view) {
                        if (slot.phase() == Slot.Phase.CREATING && !slot.createInFlight) {
                            slot.nextAttemptAt = clock.instant(); // picked up again once we lead
                        }
                    }
                    continue;
                }
                LogContext.run(slot.pool, slot.name, "create", () -> scaleUp.create(slot));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.errorf(e, "create worker error");
            }
        }
    }

    // ---------------------------------------------------------------- NodeGroups

    private NodePool pool(String groupId) {
        return view.pool(groupId).orElseThrow(() -> NodeGroupException.notFound(groupId));
    }

    private void requireActing() {
        leadership.requireActing();
    }

    private void requireSynced() {
        if (!view.isSynced()) {
            throw new NodeGroupException(
                    Reason.NOT_READY,
                    "talos-burst has not listed the servers in Hetzner yet"
                            + (lastSyncError == null ? "" : " (last attempt: " + lastSyncError + ")")
                            + "; retry shortly");
        }
    }

    @Override
    public List<NodeGroupSummary> all() {
        // lock-free: configured pools never change, target sizes are counters kept by the view
        List<NodeGroupSummary> groups = new ArrayList<>();
        for (NodePool pool : view.pools()) {
            groups.add(summary(pool));
        }
        return groups;
    }

    private NodeGroupSummary summary(NodePool pool) {
        return new NodeGroupSummary(
                pool.id(),
                pool.minSize(),
                pool.maxSize(),
                pool.id() + " (" + pool.serverType() + " in " + pool.location() + ", target "
                        + view.targetSize(pool.id()) + ")");
    }

    @Override
    public Optional<NodeGroupSummary> forNode(NodeRef node) {
        requireSynced(); // before the first list every node would look foreign
        return groupOfServer(node);
    }

    /** The group of the server behind a node, as far as the view knows (pricing also asks before the first list). */
    private Optional<NodeGroupSummary> groupOfServer(NodeRef node) {
        // lock-free: index lookups (by server id or name), never a scan
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
        return slot.flatMap(s -> view.pool(s.pool)).map(this::summary);
    }

    @Override
    public int targetSize(String groupId) {
        pool(groupId);
        requireSynced(); // never "0" for a pool whose servers are not listed yet
        return view.targetSize(groupId);
    }

    @Override
    public void increaseSize(String groupId, int delta) {
        Instant now = clock.instant();
        List<Slot> created = new ArrayList<>();
        dev.talosburst.provisioner.lifecycle.LifecycleEvent requested;
        int newTarget;
        synchronized (view) {
            NodePool pool = pool(groupId);
            if (delta <= 0) {
                throw new NodeGroupException(
                        Reason.INVALID_ARGUMENT,
                        "delta must be positive to increase node group '" + groupId + "', got " + delta
                                + "; use NodeGroupDecreaseTargetSize or NodeGroupDeleteNodes to shrink");
            }
            requireActing();
            requireSynced();
            int target = view.targetSize(groupId);
            if (target + delta > pool.maxSize()) {
                throw new NodeGroupException(
                        Reason.INVALID_ARGUMENT,
                        "increasing node group '" + groupId + "' by " + delta
                                + " would raise its target from " + target + " to " + (target + delta)
                                + ", above its maximum of "
                                + pool.maxSize() + "; raise talosburst.pools." + groupId + ".max or ask for at most "
                                + (pool.maxSize() - target));
            }
            for (int i = 0; i < delta; i++) {
                Slot slot = new Slot(groupId, names.next(groupId, view::nameTaken), Slot.Phase.PENDING);
                slot.serverType = pool.serverType();
                slot.location = pool.location();
                view.add(slot);
                created.add(slot);
            }
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
                            Integer.toString(target + delta)));
            newTarget = target + delta;
        }
        // the event sink may write its journal (fsync): never on CA's calling thread. The hand-off thread publishes the
        // scale-up first and only then queues the creations, so scale-up-requested precedes their create-requested.
        recorder.handOff(requested, () -> {
            created.forEach(createQueue::add);
            LOG.infof("node group %s: target raised by %d to %d", groupId, delta, newTarget); // the console is I/O too
        });
    }

    @Override
    public void deleteNodes(String groupId, List<NodeRef> refs) {
        Instant now = clock.instant();
        List<Slot> toDelete = new ArrayList<>();
        dev.talosburst.provisioner.lifecycle.LifecycleEvent requested;
        synchronized (view) {
            NodePool pool = pool(groupId);
            requireActing();
            requireSynced();
            List<Slot> slots = new ArrayList<>();
            for (NodeRef ref : refs) {
                Slot slot = resolve(ref)
                        .orElseThrow(() -> new NodeGroupException(
                                Reason.INVALID_ARGUMENT,
                                "node '" + display(ref)
                                        + "' is not a server of node group '" + groupId
                                        + "' (no server with that providerID or name); "
                                        + "only nodes talos-burst created can be deleted"));
                if (!slot.pool.equals(groupId)) {
                    throw new NodeGroupException(
                            Reason.INVALID_ARGUMENT,
                            "node '" + display(ref) + "' belongs to node group '" + slot.pool + "', not '" + groupId
                                    + "'; call NodeGroupDeleteNodes on '" + slot.pool + "'");
                }
                if (!slots.contains(slot)) {
                    slots.add(slot);
                }
            }
            long real = slots.stream()
                    .filter(s -> s.isLive() || s.phase() == Slot.Phase.CREATING)
                    .count();
            int target = view.targetSize(groupId);
            long remaining = target
                    - slots.stream()
                            .filter(s -> s.phase() != Slot.Phase.DELETING)
                            .count();
            if (real > 0 && remaining < pool.minSize()) {
                throw new NodeGroupException(
                        Reason.FAILED_PRECONDITION,
                        "deleting " + slots.size() + " node(s) would leave node group '"
                                + groupId + "' with " + remaining + " node(s), below its minimum of " + pool.minSize()
                                + "; lower talosburst.pools." + groupId + ".min first");
            }
            for (Slot slot : slots) {
                switch (slot.phase()) {
                    case PENDING -> view.abandon(slot);
                    case FAILED -> cancelFailed(slot, "cluster-autoscaler deleted the failed instance");
                    case CREATING -> {
                        if (slot.createInFlight) {
                            slot.requestCancel(); // deleted as soon as the in-flight create answers
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
            requested = recorder.poolEvent(
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
                            String.join(",", slots.stream().map(s -> s.name).toList())));
        }
        recorder.publish(List.of(requested)); // after the lock: a journal fsync must not hold every RPC
    }

    /** A failed creation goes away; when Hetzner created the server after all, that server is deleted (not left to the reaper). */
    private void cancelFailed(Slot slot, String reason) {
        if (slot.serverId() == null) {
            view.abandon(slot);
        } else {
            view.markAbandoned(slot.name);
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

    @Override
    public void decreaseTargetSize(String groupId, int delta) {
        synchronized (view) {
            pool(groupId);
            if (delta >= 0) {
                throw new NodeGroupException(
                        Reason.INVALID_ARGUMENT,
                        "delta must be negative to decrease the target of node group '" + groupId + "', got " + delta);
            }
            requireActing();
            // failed creations first, then the newest pending ones: the view lists slots oldest first, so reverse it
            // before the (stable) sort; the oldest requests are the nearest to being created and keep their place
            List<Slot> cancellable = new ArrayList<>(
                    view.slots(groupId).stream().filter(Slot::isCancellable).toList());
            java.util.Collections.reverse(cancellable);
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
        LOG.infof("node group %s: target decreased by %d", groupId, -delta);
    }

    @Override
    public List<InstanceView> instances(String groupId) {
        pool(groupId);
        requireSynced(); // never an empty pool whose servers are not listed yet
        return view.instances(groupId); // lock-free unless the pool changed since the last call
    }

    @Override
    public NodeTemplate template(String groupId) {
        NodePool pool = pool(groupId); // configured pools never change: no lock
        ServerType type = catalogue
                .serverType(pool.serverType())
                .orElseThrow(() -> new NodeGroupException(
                        Reason.FAILED_PRECONDITION,
                        catalogue.serverTypesLoaded()
                                ? "Hetzner has no server type '" + pool.serverType() + "'; fix talosburst.pools."
                                        + groupId + ".server-type"
                                : "server types are not loaded from Hetzner yet; retry shortly"));
        return NodeTemplates.template(pool, type, settings.clusterId());
    }

    @Override
    public AutoscalingOptions options(String groupId, AutoscalingOptions defaults) {
        NodePool pool = pool(groupId); // configured pools never change: no lock
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

    @Override
    public double nodePrice(NodeRef node, Instant start, Instant end) {
        return pricing.nodePrice(node, start, end);
    }

    @Override
    public double podPrice(PodRequests pod, Instant start, Instant end) {
        return pricing.podPrice(pod, start, end);
    }

    @Override
    public void refresh() {
        requireSynced();
        Instant last = lastSyncAt();
        if (last == null || Duration.between(last, clock.instant()).compareTo(fullListInterval()) >= 0) {
            refreshRequested.set(true);
            try {
                ticker.execute(this::safeTick);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down
            }
        }
    }

    @Override
    public void cleanup() {
        LOG.debug("cluster-autoscaler called Cleanup");
    }
}
