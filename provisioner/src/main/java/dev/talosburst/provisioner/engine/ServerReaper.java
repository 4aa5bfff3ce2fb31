package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.cloud.Server;
import dev.talosburst.provisioner.cloud.ServerStatus;
import dev.talosburst.provisioner.directory.NodeDirectory;
import dev.talosburst.provisioner.pool.NodePool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Deletes servers that cost money without serving the cluster: never registered as a Node within the pool's
 * max provision time, stuck in initializing/off/unknown, belonging to a pool that is no longer configured,
 * or created under a name cluster-autoscaler already gave up on. Each with a reason; dry-run only reports.
 * When the node directory cannot observe registration (no cluster watched), an absent Node proves nothing:
 * nothing is deleted for not registering, and servers of unconfigured pools always get the grace period.
 */
final class ServerReaper {
    private static final Logger LOG = Logger.getLogger(ServerReaper.class);
    private static final Set<ServerStatus> STUCK =
            EnumSet.of(ServerStatus.INITIALIZING, ServerStatus.OFF, ServerStatus.UNKNOWN);

    /** One server the reaper deleted or, in dry-run, would delete. */
    public record Finding(String serverName, Long serverId, String pool, String reason, Instant at, boolean dryRun) {}

    private final FleetView view;
    private final NodeDirectory nodes;
    private final ScaleDown scaleDown;
    private final EngineSettings.ReaperSettings settings;
    private final ProvisioningMetrics metrics;
    private final Clock clock;
    private final Map<String, Finding> findings = new LinkedHashMap<>();
    /** When each server of an unconfigured pool was first seen. */
    private final Map<Long, Instant> unknownPoolSince = new java.util.HashMap<>();

    ServerReaper(
            FleetView view,
            NodeDirectory nodes,
            ScaleDown scaleDown,
            EngineSettings.ReaperSettings settings,
            ProvisioningMetrics metrics,
            Clock clock) {
        this.view = view;
        this.nodes = nodes;
        this.scaleDown = scaleDown;
        this.settings = settings;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Looks at every server after a resync and reaps what must go. */
    void sweep(Resync.Strays strays) {
        Instant now = clock.instant();
        List<Map.Entry<Slot, String>> doomed = new ArrayList<>();
        List<Slot> abandoned = new ArrayList<>();
        synchronized (view) {
            // not a judgement call: cluster-autoscaler already deleted these, so they go even with the reaper off
            for (Server server : strays.abandoned()) {
                abandoned.add(orphanSlot(server));
            }
        }
        for (Slot slot : abandoned) {
            LOG.warnf(
                    "deleting server %s (id %d): it was created under a name whose creation cluster-autoscaler had already "
                            + "given up on (a lost create response)",
                    slot.name(), slot.serverId());
            scaleDown.delete(slot, "creation abandoned by cluster-autoscaler", null);
        }
        if (!settings.enabled()) {
            return;
        }
        // every server is looked at without the view lock; only the few candidates are confirmed under it (short holds)
        List<Slot> candidates = new ArrayList<>();
        for (Slot slot : view.slotsWithServers()) {
            NodePool pool = view.pool(slot.pool()).orElse(null);
            if (pool != null && reasonFor(slot, pool, now) != null) {
                candidates.add(slot);
            }
        }
        List<String> warnings = new ArrayList<>();
        synchronized (view) {
            for (Slot slot : candidates) {
                NodePool pool = view.pool(slot.pool()).orElse(null);
                if (pool == null || slot.serverId() == null || slot.owner() != view) {
                    continue;
                }
                String reason = reasonFor(slot, pool, now);
                if (reason != null) {
                    doomed.add(Map.entry(slot, reason));
                }
            }
            java.util.Set<Long> stillUnknown = new java.util.HashSet<>();
            for (Server server : strays.unknownPool()) {
                stillUnknown.add(server.id());
                // a registered Node may run pods: give a configuration mistake time to be rolled back; unobservable =
                // maybe registered
                boolean registered = !nodes.observesRegistration()
                        || nodes.byName(server.name()).isPresent();
                Instant firstSeen = unknownPoolSince.computeIfAbsent(server.id(), id -> {
                    // logged after the lock: the console is I/O
                    warnings.add(String.format(
                            "server %s (id %d) carries this cluster's labels but its pool '%s' is not configured; it is deleted %s",
                            server.name(),
                            id,
                            server.labels().get(Ownership.POOL),
                            registered
                                    ? "in " + human(settings.stuckAfter()) + " unless the pool comes back"
                                    : "now (no Node registered)"));
                    return now;
                });
                if (!registered || !now.isBefore(firstSeen.plus(settings.stuckAfter()))) {
                    doomed.add(
                            Map.entry(
                                    orphanSlot(server),
                                    "its pool '" + server.labels().get(Ownership.POOL)
                                            + "' is not configured (talosburst.pools) but the server carries this cluster's labels"));
                }
            }
            unknownPoolSince.keySet().retainAll(stillUnknown);
        }
        warnings.forEach(LOG::warn);
        for (Map.Entry<Slot, String> entry : doomed) {
            LogContext.run(
                    entry.getKey().pool(),
                    entry.getKey().name(),
                    "reap",
                    () -> reap(entry.getKey(), entry.getValue(), now));
        }
    }

    private String reasonFor(Slot slot, NodePool pool, Instant now) {
        if (slot.isLive()) {
            // without a watched cluster a missing Node proves nothing: never delete for "not registered" then
            boolean registered = !nodes.observesRegistration()
                    || slot.nodeRegistered()
                    || nodes.byName(slot.name()).isPresent();
            Instant since = slot.createdAt() != null ? slot.createdAt() : slot.serverKnownAt();
            if (!registered && since != null && !now.isBefore(since.plus(pool.maxProvisionTime()))) {
                return "it did not register as a Kubernetes Node within " + human(pool.maxProvisionTime())
                        + " (talosburst.pools." + pool.id() + ".max-provision-time)";
            }
            ServerStatus status = slot.status();
            Instant statusSince = slot.statusSince();
            if (status != null
                    && STUCK.contains(status)
                    && statusSince != null
                    && !now.isBefore(statusSince.plus(settings.stuckAfter()))) {
                return "it has been stuck in status '" + status.apiName() + "' for "
                        + human(Duration.between(statusSince, now));
            }
        }
        Instant failedAt = slot.failedAt();
        if (slot.phase() == Slot.Phase.FAILED
                && failedAt != null
                && !now.isBefore(failedAt.plus(pool.maxProvisionTime()))) {
            return "its creation was reported failed, yet the server exists";
        }
        return null;
    }

    private Slot orphanSlot(Server server) {
        Slot slot = view.byName(server.name()).orElse(null);
        if (slot == null) {
            slot = Slot.stray(server, clock.instant());
            view.add(slot);
        }
        return slot;
    }

    private void reap(Slot slot, String reason, Instant now) {
        String key = slot.name();
        boolean dryRun = settings.dryRun();
        boolean firstReport = !findings.containsKey(key);
        findings.put(key, new Finding(slot.name(), slot.serverId(), slot.pool(), reason, now, dryRun));
        if (dryRun) {
            if (firstReport) {
                metrics.reaped(slot.pool(), reasonTag(reason), true);
                LOG.warnf(
                        "reaper (dry-run): would delete server %s (id %d) of pool %s because %s",
                        slot.name(), slot.serverId(), slot.pool(), reason);
            }
            synchronized (view) {
                if (view.pool(slot.pool()).isEmpty() || view.isAbandoned(slot.name())) {
                    view.remove(slot); // strays are re-found by the next resync; don't let them count
                }
            }
            return;
        }
        metrics.reaped(slot.pool(), reasonTag(reason), false);
        LOG.warnf(
                "reaper: deleting server %s (id %d) of pool %s because %s",
                slot.name(), slot.serverId(), slot.pool(), reason);
        scaleDown.delete(slot, "reaped: " + reason, reason);
    }

    private static String reasonTag(String reason) {
        if (reason.startsWith("it did not register")) {
            return "not_registered";
        } else if (reason.startsWith("it has been stuck")) {
            return "stuck";
        } else if (reason.startsWith("its pool")) {
            return "unknown_pool";
        } else if (reason.startsWith("it was created under")) {
            return "abandoned";
        }
        return "failed_create";
    }

    /** The rules in force, for the start-up log: what is deleted, and what is not in this mode. */
    String rules() {
        String abandoned = "servers created under a name whose creation cluster-autoscaler had given up on";
        if (!settings.enabled()) {
            return "reaper off (talosburst.reaper.enabled=false): only " + abandoned + " are deleted";
        }
        String always = "servers stuck in initializing/off/unknown for " + human(settings.stuckAfter())
                + ", servers whose creation was reported failed, servers of unconfigured pools (after "
                + human(settings.stuckAfter())
                + " when their Node may run pods) and " + abandoned;
        String verb = settings.dryRun() ? "reaper in dry-run, would delete: " : "reaper deletes: ";
        if (nodes.observesRegistration()) {
            return verb + "servers whose Node did not register within their pool's max-provision-time, " + always;
        }
        return verb + always
                + ". It does NOT delete servers for never registering as a Node: no cluster is watched, so "
                + "registration cannot be observed (cluster-autoscaler still calls DeleteNodes for nodes it sees never registering)";
    }

    /** Everything reaped (or, in dry-run, reported) so far, newest report per server. */
    Collection<Finding> findings() {
        return List.copyOf(findings.values());
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        return s % 60 == 0 ? (s / 60) + "m" : s + "s";
    }
}
