package dev.talosburst.events.reconcile;

import dev.talosburst.events.model.NodeEventData;
import dev.talosburst.provisioner.lifecycle.EventSink;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent.ServerFacts;
import dev.talosburst.provisioner.lifecycle.Transition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Publishes the lifecycle transitions that happened while talos-burst was not running (or that a crash
 * swallowed), by comparing what exists now with what was recorded per server.
 *
 * <p>For each existing server: {@code server-created}, then {@code node-registered} and {@code node-ready}
 * when the Node is so, unless already recorded. For each recorded server of this cluster that no longer
 * exists and has no {@code server-deleted}: {@code server-deleted} (and {@code node-removed} if its Node had
 * registered). The deletion time of such a vanished server is unknown; it is estimated as the reconcile time
 * (an upper bound: the server certainly existed no later than that), marked with
 * {@code details.deletedAtEstimated=true} and {@code details.lastSeenAt} (the last recorded event, a lower
 * bound). Events get the same identity as the engine would have given them, so a re-publish is dropped by
 * consumers. {@code server-create-requested} and {@code node-not-ready} are not reconstructed.
 *
 * <p>A server with a recorded {@code server-created} that no longer exists is closed whatever else its history
 * holds: a {@code server-create-failed} recorded before the engine discovered the server after all must not
 * leave it billed forever. A server with only {@code server-create-failed} (never created) gets nothing.
 *
 * <p>The caller must pass the complete, successfully listed set of this cluster's servers: a server missing
 * from a partial listing would be reported deleted. While the engine runs, pass a {@link Supplier} of that
 * listing ({@link #reconcile(Supplier)}): the history must be read before the servers are listed.
 */
public final class LifecycleReconciler {

    private static final Logger LOG = Logger.getLogger(LifecycleReconciler.class);

    private final String clusterId;
    private final EventSink sink;
    private final ServerEventHistory history;
    private final Clock clock;
    private final Duration historyTimeout;

    /** What one reconcile published, by transition. */
    public record Result(List<LifecycleEvent> published) {

        public Result {
            published = List.copyOf(published);
        }

        /** Number of events of {@code t} published. */
        public long count(Transition t) {
            return published.stream().filter(e -> e.transition() == t).count();
        }
    }

    /**
     * @param clusterId only recorded servers of this cluster are considered
     * @param sink where missing events go (normally the same sink the engine uses, so order per server holds)
     * @param history what has been recorded (normally the {@code KafkaEventSink})
     * @param historyTimeout how long to wait for the history (the state topic being read back)
     */
    public LifecycleReconciler(
            String clusterId, EventSink sink, ServerEventHistory history, Clock clock, Duration historyTimeout) {
        this.clusterId = clusterId;
        this.sink = sink;
        this.history = history;
        this.clock = clock;
        this.historyTimeout = historyTimeout;
    }

    /**
     * Emits every missing transition; returns what was emitted. Reads the recorded history first and only then
     * asks {@code existing} for the complete listing of this cluster's servers.
     *
     * <p>Why this order: a server created between the two reads is then listed but not yet in the history read,
     * which at worst re-publishes its {@code server-created} under the engine's identity (suppressed by the
     * sink, dropped by consumers). The other order would see it recorded but not listed and publish a false
     * {@code server-deleted}, which ends its billing early and makes the real one a suppressed duplicate.
     *
     * @param existing lists the servers that exist now; called once, after the history has been read; must
     *                 not return null
     */
    public Result reconcile(Supplier<List<ObservedServer>> existing) throws TimeoutException, InterruptedException {
        Objects.requireNonNull(existing, "existing");
        Map<String, RecordedServer> recorded = history.recordedServers(clusterId, historyTimeout);
        List<ObservedServer> listed = Objects.requireNonNull(
                existing.get(),
                "the server listing supplied to the reconciler was null: supply the complete list of this cluster's servers");
        // Taken after the listing: a vanished server's estimated deletion time is then never before the listing
        // that found it missing (an upper bound, as documented).
        return publishMissing(recorded, listed, clock.instant());
    }

    /**
     * Emits every missing transition against a listing taken <em>before</em> the call; returns what was emitted.
     * Use only when nothing can be created concurrently (e.g. before the engine starts): a server created after
     * {@code existing} was taken but recorded before the history is read here is reported deleted although it
     * exists. Otherwise use {@link #reconcile(Supplier)}.
     */
    public Result reconcile(List<ObservedServer> existing) throws TimeoutException, InterruptedException {
        Objects.requireNonNull(existing, "existing");
        Map<String, RecordedServer> recorded = history.recordedServers(clusterId, historyTimeout);
        return publishMissing(recorded, existing, clock.instant());
    }

    private Result publishMissing(Map<String, RecordedServer> recorded, List<ObservedServer> existing, Instant now) {
        List<LifecycleEvent> out = new ArrayList<>();
        Map<String, ObservedServer> byName = new HashMap<>();
        for (ObservedServer o : existing) {
            byName.put(o.name(), o);
            RecordedServer r = recorded.get(o.name());
            ServerFacts facts = withRecordedPrice(o.facts(), r);
            if (!has(r, Transition.SERVER_CREATED)) {
                out.add(event(
                        Transition.SERVER_CREATED,
                        o.pool(),
                        o.name(),
                        o.serverId(),
                        facts,
                        or(facts.createdAt(), now),
                        null,
                        Map.of()));
            }
            if (o.nodeRegistered() && !has(r, Transition.NODE_REGISTERED)) {
                out.add(event(
                        Transition.NODE_REGISTERED,
                        o.pool(),
                        o.name(),
                        o.serverId(),
                        facts,
                        or(facts.registeredAt(), now),
                        null,
                        Map.of()));
            }
            if (o.nodeReady() && !has(r, Transition.NODE_READY)) {
                out.add(event(
                        Transition.NODE_READY,
                        o.pool(),
                        o.name(),
                        o.serverId(),
                        facts,
                        or(facts.readyAt(), now),
                        null,
                        Map.of()));
            }
        }
        for (RecordedServer r : recorded.values()) {
            if (byName.containsKey(r.name()) || !clusterId.equals(r.clusterId()) || r.has(Transition.SERVER_DELETED)) {
                continue;
            }
            NodeEventData.Server s = r.server();
            // Not "no server-create-failed": a create whose answers were lost is given up (create-failed) although
            // Hetzner created it; the engine later finds it and records server-created, and billing runs from there.
            boolean created = r.has(Transition.SERVER_CREATED)
                    || (s != null && s.phases() != null && s.phases().createdAt() != null);
            if (!created) {
                continue; // never created (or creation never confirmed): nothing was billed, nothing to close
            }
            ServerFacts old = s.toFacts();
            Instant deletedAt = old.deletedAt() != null ? old.deletedAt() : now;
            ServerFacts facts = new ServerFacts(
                    old.name(),
                    old.serverType(),
                    old.location(),
                    old.architecture(),
                    old.imageId(),
                    old.labels(),
                    old.price(),
                    old.createRequestedAt(),
                    old.createdAt(),
                    old.runningAt(),
                    old.registeredAt(),
                    old.readyAt(),
                    deletedAt);
            Map<String, String> details = new HashMap<>();
            if (old.deletedAt() == null) {
                details.put("deletedAtEstimated", "true");
                if (r.lastEventAt() != null) {
                    details.put("lastSeenAt", r.lastEventAt().toString());
                }
            }
            String reason = "server no longer exists in Hetzner; found missing by reconciliation at " + now;
            out.add(event(
                    Transition.SERVER_DELETED, r.pool(), r.name(), r.serverId(), facts, deletedAt, reason, details));
            if (r.has(Transition.NODE_REGISTERED) && !r.has(Transition.NODE_REMOVED)) {
                out.add(event(
                        Transition.NODE_REMOVED, r.pool(), r.name(), r.serverId(), facts, deletedAt, reason, details));
            }
        }
        for (LifecycleEvent e : out) {
            sink.emit(e);
        }
        if (!out.isEmpty()) {
            LOG.infof("reconciliation published %d missing lifecycle events", out.size());
        }
        return new Result(out);
    }

    private LifecycleEvent event(
            Transition t,
            String pool,
            String name,
            Long serverId,
            ServerFacts facts,
            Instant at,
            String reason,
            Map<String, String> details) {
        return new LifecycleEvent(t, clusterId, pool, name, "", at, serverId, facts, reason, details);
    }

    private static ServerFacts withRecordedPrice(ServerFacts f, RecordedServer r) {
        if (r == null || r.server() == null || r.server().price() == null) {
            return f;
        }
        // Billing uses the price captured at creation, which the earlier events carry.
        return new ServerFacts(
                f.name(),
                f.serverType(),
                f.location(),
                f.architecture(),
                f.imageId(),
                f.labels(),
                r.server().toFacts().price(),
                f.createRequestedAt(),
                f.createdAt(),
                f.runningAt(),
                f.registeredAt(),
                f.readyAt(),
                f.deletedAt());
    }

    private static boolean has(RecordedServer r, Transition t) {
        return r != null && r.has(t);
    }

    private static Instant or(Instant a, Instant b) {
        return a != null ? a : b;
    }
}
