package dev.talosburst.hcloudsim.embedded;

import dev.talosburst.hcloud.client.LocalHetzner;
import dev.talosburst.hcloudsim.HcloudSimulator;
import dev.talosburst.hcloudsim.SimulatorOptions;
import java.net.URI;

/** The Hetzner simulator as the application's {@link LocalHetzner} (found with ServiceLoader; see this module's README). */
public final class EmbeddedSimulator implements LocalHetzner {

    private final HcloudSimulator simulator;

    private EmbeddedSimulator(HcloudSimulator simulator) {
        this.simulator = simulator;
    }

    @Override
    public URI endpoint() {
        return simulator.endpoint();
    }

    @Override
    public String token() {
        return simulator.token();
    }

    @Override
    public <T> T unwrap(Class<T> type) {
        return type.cast(simulator);
    }

    @Override
    public void close() {
        simulator.close();
    }

    /** Starts the simulator with its seeded catalogue (Talos snapshots included) on 127.0.0.1, on a free port. */
    public static final class Provider implements LocalHetzner.Provider {
        @Override
        public LocalHetzner start() {
            return new EmbeddedSimulator(HcloudSimulator.start(
                    SimulatorOptions.builder().host("127.0.0.1").port(0).build()));
        }
    }
}
