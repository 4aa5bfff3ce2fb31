package dev.talosburst.events.reconcile;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.talosburst.events.model.NodeEventData;
import dev.talosburst.provisioner.lifecycle.Transition;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What has been recorded (published, or accepted and waiting to be published) about one server: the
 * once-per-server transitions seen and the latest facts. This is also the value of the compacted state
 * topic, keyed by server name, where it only ever reflects events Kafka acknowledged.
 *
 * @param transitions every transition recorded for the server
 * @param server the latest facts (phase times merged, price as captured at creation)
 * @param lastEventAt the time of the latest transition recorded
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record RecordedServer(
        String name,
        String clusterId,
        String pool,
        Long serverId,
        Set<Transition> transitions,
        NodeEventData.Server server,
        Instant lastEventAt) {

    public RecordedServer {
        Objects.requireNonNull(name, "name");
        transitions = transitions == null || transitions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(transitions));
    }

    /**
     * True when nothing more can happen to this server: it is deleted and its Node is removed (or it never
     * registered one).
     */
    public boolean finished() {
        return has(Transition.SERVER_DELETED) && (has(Transition.NODE_REMOVED) || !has(Transition.NODE_REGISTERED));
    }

    /** True when {@code t} has been recorded. */
    public boolean has(Transition t) {
        return transitions.contains(t);
    }

    /** The record of server {@code name} after one more event of it. */
    public static RecordedServer after(RecordedServer previous, String name, Transition t, NodeEventData data) {
        RecordedServer base = previous != null
                ? previous
                : new RecordedServer(name, data.clusterId(), data.pool(), null, Set.of(), null, null);
        EnumSet<Transition> all =
                base.transitions.isEmpty() ? EnumSet.noneOf(Transition.class) : EnumSet.copyOf(base.transitions);
        all.add(t);
        NodeEventData.Server s = data.server();
        return new RecordedServer(
                base.name,
                data.clusterId() != null ? data.clusterId() : base.clusterId,
                data.pool() != null ? data.pool() : base.pool,
                s != null && s.id() != null ? s.id() : base.serverId,
                all,
                mergeServer(base.server, s),
                base.lastEventAt == null || data.occurredAt().isAfter(base.lastEventAt)
                        ? data.occurredAt()
                        : base.lastEventAt);
    }

    /** Union of two records of the same server (e.g. published state and events still pending). */
    public RecordedServer union(RecordedServer other) {
        if (other == null) {
            return this;
        }
        EnumSet<Transition> all = EnumSet.noneOf(Transition.class);
        all.addAll(transitions);
        all.addAll(other.transitions);
        return new RecordedServer(
                name,
                clusterId != null ? clusterId : other.clusterId,
                pool != null ? pool : other.pool,
                serverId != null ? serverId : other.serverId,
                all,
                mergeServer(server, other.server),
                lastEventAt == null
                        ? other.lastEventAt
                        : other.lastEventAt == null || lastEventAt.isAfter(other.lastEventAt)
                                ? lastEventAt
                                : other.lastEventAt);
    }

    private static NodeEventData.Server mergeServer(NodeEventData.Server old, NodeEventData.Server now) {
        if (old == null) {
            return now;
        }
        if (now == null) {
            return old;
        }
        NodeEventData.Phases a =
                old.phases() == null ? new NodeEventData.Phases(null, null, null, null, null, null) : old.phases();
        NodeEventData.Phases b =
                now.phases() == null ? new NodeEventData.Phases(null, null, null, null, null, null) : now.phases();
        return new NodeEventData.Server(
                or(now.id(), old.id()),
                or(now.providerId(), old.providerId()),
                or(now.name(), old.name()),
                or(now.type(), old.type()),
                or(now.location(), old.location()),
                or(now.architecture(), old.architecture()),
                or(now.imageId(), old.imageId()),
                now.labels() != null && !now.labels().isEmpty() ? now.labels() : old.labels(),
                or(old.price(), now.price()), // the price captured first (at creation) stays
                new NodeEventData.Phases(
                        or(b.createRequestedAt(), a.createRequestedAt()),
                        or(b.createdAt(), a.createdAt()),
                        or(b.runningAt(), a.runningAt()),
                        or(b.registeredAt(), a.registeredAt()),
                        or(b.readyAt(), a.readyAt()),
                        or(b.deletedAt(), a.deletedAt())));
    }

    private static <T> T or(T first, T second) {
        return first != null ? first : second;
    }
}
