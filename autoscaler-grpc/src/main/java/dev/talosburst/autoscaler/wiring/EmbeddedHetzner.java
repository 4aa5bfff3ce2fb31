package dev.talosburst.autoscaler.wiring;

import dev.talosburst.hcloud.client.LocalHetzner;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * The in-process Hetzner Cloud API behind the demo profile ({@code talosburst.hcloud.embedded-simulator=true}): the
 * simulator with a seeded catalogue and Talos snapshots on 127.0.0.1, found at run time ({@link LocalHetzner}); no real
 * server is ever created. ConfigurationCheck has refused the option already when this build has no simulator.
 */
@Singleton
public class EmbeddedHetzner {

    private static final Logger LOG = Logger.getLogger(EmbeddedHetzner.class);

    private LocalHetzner local;

    /** The running local Hetzner, started on first use. */
    public synchronized LocalHetzner local() {
        if (local == null) {
            local = LocalHetzner.start()
                    .orElseThrow(() -> new IllegalStateException(
                            dev.talosburst.autoscaler.config.ConfigurationCheck.NO_SIMULATOR));
            LOG.warnf(
                    "Hetzner Cloud is SIMULATED in-process at %s (talosburst.hcloud.embedded-simulator=true): "
                            + "no real servers are created",
                    local.endpoint());
        }
        return local;
    }

    @PreDestroy
    synchronized void stop() {
        if (local != null) {
            local.close();
            local = null;
        }
    }
}
