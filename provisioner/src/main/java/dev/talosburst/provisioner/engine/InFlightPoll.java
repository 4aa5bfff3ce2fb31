package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.cloud.CloudApi;
import dev.talosburst.provisioner.cloud.Server;
import dev.talosburst.provisioner.cloud.ServerQuery;
import dev.talosburst.provisioner.cloud.ServerStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Follows the servers being created (they exist, are not running yet) between full lists, cheaply: one list of this
 * cluster's initializing/starting servers (⌈in flight/50⌉ requests), then one GET for each server that left that list (it
 * is running now, or something else a GET tells). The rest of the fleet is trusted from our own actions until the next
 * full list. So CA sees a server {@code instanceRunning} within one poll interval of Hetzner saying so.
 */
final class InFlightPoll {
    private static final Logger LOG = Logger.getLogger(InFlightPoll.class);
    private static final List<ServerStatus> IN_FLIGHT = List.of(ServerStatus.INITIALIZING, ServerStatus.STARTING);

    private final FleetView view;
    private final CloudApi cloud;
    private final Ownership ownership;
    private final ProvisioningMetrics metrics;
    private final Clock clock;
    private final Duration interval;
    private Instant lastPoll;

    InFlightPoll(
            FleetView view,
            CloudApi cloud,
            Ownership ownership,
            ProvisioningMetrics metrics,
            Clock clock,
            Duration interval) {
        this.view = view;
        this.cloud = cloud;
        this.ownership = ownership;
        this.metrics = metrics;
        this.clock = clock;
        this.interval = interval;
    }

    /** A server of ours that exists, is not being deleted and was last seen initializing or starting (or not yet seen). */
    private static boolean inFlight(Slot slot) {
        return slot.phase() == Slot.Phase.PROVISIONING
                && slot.serverId() != null
                && !slot.deleteInFlight()
                && (slot.status() == null || IN_FLIGHT.contains(slot.status()));
    }

    /**
     * Polls when due and something is in flight.
     *
     * @return true when so many servers left the in-flight list at once that one full list is cheaper than a GET each
     */
    boolean pollIfDue(Instant now) {
        if (lastPoll != null && Duration.between(lastPoll, now).compareTo(interval) < 0) {
            return false;
        }
        List<Slot> tracked = new ArrayList<>();
        // the phase is readable without the lock: only servers still provisioning are looked at under it
        List<Slot> provisioning = view.slotsWithServers().stream()
                .filter(slot -> slot.phase() == Slot.Phase.PROVISIONING)
                .toList();
        if (!provisioning.isEmpty()) {
            synchronized (view) {
                for (Slot slot : provisioning) {
                    if (slot.owner() == view && inFlight(slot)) {
                        tracked.add(slot);
                    }
                }
            }
        }
        if (tracked.isEmpty()) {
            return false;
        }
        lastPoll = now;
        List<Server> listed = cloud.servers(new ServerQuery(ownership.clusterSelector(), null, IN_FLIGHT, List.of()));
        Map<Long, Server> byId = new HashMap<>();
        listed.forEach(s -> byId.put(s.id(), s));
        List<Slot> left = new ArrayList<>();
        Instant seen = clock.instant();
        synchronized (view) {
            for (Slot slot : tracked) {
                Server server = byId.get(slot.serverId());
                if (server != null) {
                    observe(slot, server.status(), seen);
                } else {
                    left.add(slot);
                }
            }
        }
        if (left.size() > (view.serverCount() + 49) / 50) {
            return true; // e.g. servers adopted while booting: one full list instead of a GET for each
        }
        for (Slot slot : left) {
            Long id = slot.serverId();
            if (id == null) {
                continue;
            }
            Optional<Server> server;
            try {
                server = cloud.server(id);
            } catch (RuntimeException e) {
                LOG.debugf(
                        "could not look at server %s (id %d): %s; the next poll or full list will",
                        slot.name(), id, e.getMessage());
                continue;
            }
            // not found: the next full list decides (only Hetzner's list proves it vanished, with a confirming GET)
            server.ifPresent(s -> {
                synchronized (view) {
                    if (view.byServerId(id).orElse(null) == slot && s.status() != ServerStatus.DELETING) {
                        observe(slot, s.status(), clock.instant());
                    }
                }
            });
        }
        return false;
    }

    private void observe(Slot slot, ServerStatus status, Instant now) {
        if (slot.phase() == Slot.Phase.DELETING || slot.phase() == Slot.Phase.FAILED) {
            return;
        }
        if (slot.observed(status, now)) {
            metrics.phaseReached(slot.pool(), "server_running", slot.createRequestedAt(), now);
        }
    }
}
