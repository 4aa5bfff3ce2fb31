package dev.talosburst.autoscaler.wiring;

import dev.talosburst.hcloudsim.HcloudSimulator;
import dev.talosburst.hcloudsim.SimulatorOptions;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * The in-process Hetzner Cloud simulator behind the embedded default run ({@code talosburst.hcloud.embedded-simulator=true}):
 * a seeded catalogue with Talos snapshots on 127.0.0.1; no real server is ever created.
 */
@Singleton
public class EmbeddedHetzner {

    private static final Logger LOG = Logger.getLogger(EmbeddedHetzner.class);

    private HcloudSimulator simulator;

    /** The running simulator, started on first use. */
    public synchronized HcloudSimulator simulator() {
        if (simulator == null) {
            simulator = HcloudSimulator.start(SimulatorOptions.builder().host("127.0.0.1").port(0).build());
            LOG.warnf("Hetzner Cloud is SIMULATED in-process at %s (talosburst.hcloud.embedded-simulator=true): "
                    + "no real servers are created", simulator.endpoint());
        }
        return simulator;
    }

    @PreDestroy
    synchronized void stop() {
        if (simulator != null) {
            simulator.close();
            simulator = null;
        }
    }
}
