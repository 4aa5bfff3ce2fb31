package dev.talosburst.events.publish;

import dev.talosburst.events.model.EventIds;
import dev.talosburst.events.model.NodeCloudEvent;
import dev.talosburst.events.publish.Backlog.Pending;
import dev.talosburst.provisioner.lifecycle.Transition;
import java.time.Duration;

/**
 * Which waiting events are not sent (their id is in Kafka already: one id, one content) or held back (an adoption
 * waiting for its server's creation), decided from what Kafka acknowledged ({@link StateStore}). Sender thread.
 */
final class SendRules {

    /** Longest wait of a {@code server-adopted} for its server's {@code server-created} ({@link #waitsForCreated}). */
    static final Duration ADOPTION_HOLD = Duration.ofMinutes(2);

    private final StateStore states;

    SendRules(StateStore states) {
        this.states = states;
    }

    /**
     * Sender thread: true when {@code event} is a once-only server transition (its id names cluster, server and
     * transition only) that Kafka already acknowledged, per the state read back or this run's acknowledgements.
     */
    boolean publishedBefore(NodeCloudEvent event) {
        if (!event.isServerEvent()) {
            return false;
        }
        String clusterId = clusterIdOf(event);
        return states.has(KafkaEventSink.stateKey(clusterId, event.subject()), event.transition())
                && event.id()
                        .equals(EventIds.forIdentity(clusterId + "/" + event.subject() + "/"
                                + event.transition().eventName()));
    }

    /**
     * Sender thread, under the lock: true for a {@code server-adopted} whose server's {@code server-created} Kafka does not
     * have yet, for at most {@link #ADOPTION_HOLD} since it was queued. After a crash that took Hetzner's answer to a
     * create, the restarted engine adopts the server before the reconciler publishes its missing {@code server-created};
     * holding the adoption lets that {@code server-created} pass it, so a server's life reads in order on the topic
     * (requested, created, adopted). Past the hold (no reconciliation, e.g. not the leader any more) it is sent anyway.
     */
    boolean waitsForCreated(Pending p, long now) {
        return p.event.transition() == Transition.SERVER_ADOPTED
                && now - p.acceptedMillis < ADOPTION_HOLD.toMillis()
                && !states.has(
                        KafkaEventSink.stateKey(clusterIdOf(p.event), p.event.subject()), Transition.SERVER_CREATED);
    }

    /**
     * The cluster id from {@code ce_source} ({@code /talos-burst/<percent-encoded id>}): {@link #publishedBefore} runs
     * under the lock for every event sent, where parsing the JSON data would stall {@code emit}.
     */
    static String clusterIdOf(NodeCloudEvent event) {
        String prefix = "/talos-burst/";
        if (event.source().startsWith(prefix)) {
            return java.net.URLDecoder.decode(
                    event.source().substring(prefix.length()), java.nio.charset.StandardCharsets.UTF_8);
        }
        return event.parsedData().clusterId();
    }
}
