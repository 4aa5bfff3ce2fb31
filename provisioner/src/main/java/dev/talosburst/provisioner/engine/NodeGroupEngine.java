package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.cloud.CloudApi;
import dev.talosburst.provisioner.directory.NodeDirectory;
import dev.talosburst.provisioner.lifecycle.EventSink;
import dev.talosburst.provisioner.nodegroup.AutoscalingOptions;
import dev.talosburst.provisioner.nodegroup.InstanceView;
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
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * The provisioning engine: turns cluster-autoscaler's node-group calls into Hetzner servers and back.
 *
 * <p>A thin facade over its parts: {@link FleetQueries} answers every read from the in-memory {@link FleetView} without
 * its lock, {@link ScaleCommands} accepts CA's mutating calls, {@link BackgroundLoop} runs creations, deletions, resyncs
 * and reaping, and {@link Leadership} decides whether this replica acts. Only the leader mutates Hetzner or Kubernetes;
 * a follower keeps its view warm and answers reads.
 */
public final class NodeGroupEngine implements NodeGroups, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NodeGroupEngine.class);

    private final FleetView view;
    private final LifecycleRecorder recorder;
    private final ServerReaper reaper;
    private final ExecutorService deleters;
    private final Leadership leadership = new Leadership();
    private final HetznerAccess access;
    private final StartupCheck startupCheck;
    private final FleetQueries queries;
    private final ScaleCommands commands;
    private final BackgroundLoop loop;

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
        this.access = new HetznerAccess(clock);
        this.view = new FleetView(pools);
        Ownership ownership = new Ownership(settings.clusterId());
        ProvisioningMetrics metrics = new ProvisioningMetrics(
                registry, pools.stream().map(NodePool::id).toList());
        Catalogue catalogue = new Catalogue(cloud, clock);
        this.startupCheck = new StartupCheck(pools, catalogue, userData, access, settings.clusterId());
        this.recorder = new LifecycleRecorder(events, settings.clusterId(), leadership::actingOrPromoting, metrics);
        this.deleters = Executors.newFixedThreadPool(2, BackgroundLoop.daemon("talosburst-delete"));
        ScaleDown scaleDown =
                new ScaleDown(view, cloud, nodes, recorder, clock, settings.createRetryBackoff(), deleters);
        NodeWatch nodeWatch =
                new NodeWatch(view, nodes, recorder, metrics, clock, leadership::isLeader, settings.clusterId());
        ScaleUp scaleUp = new ScaleUp(
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
        this.reaper = new ServerReaper(view, nodes, scaleDown, settings.reaper(), metrics, clock);
        CreateQueue createQueue = new CreateQueue();
        this.loop = new BackgroundLoop(
                settings,
                clock,
                view,
                cloud,
                nodes,
                access,
                leadership,
                new BackgroundLoop.Parts(
                        startupCheck,
                        catalogue,
                        new Resync(view, cloud, catalogue, ownership, recorder, metrics, clock),
                        new CreateWorkers(view, createQueue, scaleUp, leadership, clock, settings.createConcurrency()),
                        scaleDown,
                        reaper,
                        nodeWatch,
                        new InFlightPoll(view, cloud, ownership, metrics, clock, settings.inFlightPollInterval())));
        this.queries = new FleetQueries(view, catalogue, settings.clusterId(), loop::lastSyncError);
        this.commands = new ScaleCommands(view, queries, leadership, recorder, scaleDown, createQueue, clock);
        metrics.watch(view, leadership::isLeader);
    }

    // ---------------------------------------------------------------- lifecycle

    /** Starts as the only replica: builds the view from Hetzner, then acts. */
    public void start() {
        recorder.leading();
        leadership.requestPromotion(); // the first sync then both builds the view and makes us act: one list, not two
        loop.startNow();
        promote();
    }

    /** Starts without acting: keeps the view warm and answers reads; {@link #promote()} makes it act. */
    public void startAsFollower() {
        recorder.following();
        loop.startNow();
    }

    /**
     * Starts as the only replica without waiting for the first list of servers (100 requests at 5,000 servers): the pools
     * are checked against the catalogue on the calling thread, so a configuration Hetzner proves wrong still stops start-up
     * ({@link #hetznerStatus()}), and the view is built on the engine's thread right after. Until then the RPCs that report
     * servers or sizes answer NOT_READY, never an empty pool.
     */
    public void startInBackground() {
        recorder.leading();
        leadership.requestPromotion(); // the first sync builds the view and makes us act
        loop.startInBackground();
    }

    /** Becomes the acting replica: rebuilds the view from Hetzner first, so nothing is created twice. */
    public void promote() {
        if (leadership.isLeader()) {
            return;
        }
        recorder.leading(); // before the rebuild: the events it emits are decided on history re-read after this
        leadership.requestPromotion();
        loop.safeTick();
    }

    /** Stops acting (lost the lease); in-flight requests finish, nothing new starts. */
    public void demote() {
        leadership.demote();
        recorder.following();
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
     * no longer configured); empty before the first sync. The complete list: event reconciliation relies on it. Takes no
     * lock: each server is as of its last change.
     */
    public List<ServerView> servers() {
        return queries.servers();
    }

    /** What the reaper deleted or, in dry-run, would delete. */
    public Collection<ServerReaper.Finding> reaperFindings() {
        return reaper.findings();
    }

    /** Whether Hetzner answers, and if not why (for readiness and start-up). */
    public HetznerStatus hetznerStatus() {
        return access.status();
    }

    /** True once every pool was checked against the Hetzner catalogue and found fitting. */
    public boolean startupChecked() {
        return startupCheck.passed();
    }

    /**
     * Runs one round of background work now: resync when due (or requested), promotion, retries, reaping.
     * Called periodically; tests call it directly instead of waiting.
     */
    public void tick() {
        loop.tick();
    }

    @Override
    public void close() {
        loop.close();
        leadership.stop();
        recorder.close();
        deleters.shutdownNow();
    }

    // ---------------------------------------------------------------- NodeGroups

    @Override
    public List<NodeGroupSummary> all() {
        return queries.all();
    }

    @Override
    public Optional<NodeGroupSummary> forNode(NodeRef node) {
        return queries.forNode(node);
    }

    @Override
    public int targetSize(String groupId) {
        return queries.targetSize(groupId);
    }

    @Override
    public void increaseSize(String groupId, int delta) {
        commands.increaseSize(groupId, delta);
    }

    @Override
    public void deleteNodes(String groupId, List<NodeRef> refs) {
        commands.deleteNodes(groupId, refs);
    }

    @Override
    public void decreaseTargetSize(String groupId, int delta) {
        commands.decreaseTargetSize(groupId, delta);
    }

    @Override
    public List<InstanceView> instances(String groupId) {
        return queries.instances(groupId);
    }

    @Override
    public NodeTemplate template(String groupId) {
        return queries.template(groupId);
    }

    @Override
    public AutoscalingOptions options(String groupId, AutoscalingOptions defaults) {
        return queries.options(groupId, defaults);
    }

    @Override
    public double nodePrice(NodeRef node, Instant start, Instant end) {
        return queries.nodePrice(node, start, end);
    }

    @Override
    public double podPrice(PodRequests pod, Instant start, Instant end) {
        return queries.podPrice(pod, start, end);
    }

    @Override
    public void refresh() {
        queries.requireSynced();
        loop.refresh();
    }

    @Override
    public void cleanup() {
        LOG.debug("cluster-autoscaler called Cleanup");
    }
}
