package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.lifecycle.LifecycleEvent.ServerFacts;

/**
 * One server of this cluster as the engine last saw it in Hetzner (with what Kubernetes said of its Node):
 * what event reconciliation compares against what was published.
 *
 * @param pool the pool label, also for pools that are no longer configured
 * @param status Hetzner's status ({@code running}, {@code initializing}, ...)
 */
public record ServerView(
        String name,
        long serverId,
        String pool,
        ServerFacts facts,
        String status,
        boolean nodeRegistered,
        boolean nodeReady) {}
