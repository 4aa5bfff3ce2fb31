package dev.talosburst.events.reconcile;

import dev.talosburst.provisioner.lifecycle.LifecycleEvent.ServerFacts;
import java.util.Objects;

/**
 * A server of this cluster as it exists right now: seen in Hetzner (label-selected list) and matched to its
 * Kubernetes Node, if any.
 *
 * @param name server name (= Node name), the event subject
 * @param serverId Hetzner server id
 * @param pool the pool (node group) it belongs to
 * @param facts its facts; {@code createdAt} is Hetzner's {@code created}; the price may be null (the one
 *              captured at creation is taken from earlier events when known)
 * @param status Hetzner status, e.g. {@code running}, {@code initializing}, {@code off}
 * @param nodeRegistered a Kubernetes Node exists for it
 * @param nodeReady that Node is Ready
 */
public record ObservedServer(
        String name,
        long serverId,
        String pool,
        ServerFacts facts,
        String status,
        boolean nodeRegistered,
        boolean nodeReady) {

    public ObservedServer {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(facts, "facts");
        if (nodeReady && !nodeRegistered) {
            throw new IllegalArgumentException("server " + name + ": a Node cannot be Ready without being registered");
        }
    }
}
