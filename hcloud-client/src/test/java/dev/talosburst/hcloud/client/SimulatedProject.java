package dev.talosburst.hcloud.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.hcloudsim.HcloudSimulator;
import dev.talosburst.hcloudsim.RecordedExchange;
import dev.talosburst.hcloudsim.SettableClock;
import dev.talosburst.hcloudsim.SimulatorOptions;
import dev.talosburst.provisioner.cloud.ServerSpec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A Hetzner simulator on 127.0.0.1 plus clients pointed at it, all on one virtual clock: the clients' sleeper advances the
 * clock the simulator uses for statuses and its rate-limit bucket, so nothing really waits. On close, every recorded
 * exchange is checked against the OpenAPI contract (when the spec is present).
 */
final class SimulatedProject implements AutoCloseable {

    static final String POOL_LABEL = "talos-burst.dev/pool";
    static final String CLUSTER_LABEL = "talos-burst.dev/cluster";

    final SettableClock clock = new SettableClock(Instant.parse("2026-11-26T00:00:00Z"));
    final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final HcloudSimulator sim;
    /** Called before each virtual sleep (lets tests observe what was sent before the client had to wait). */
    volatile Consumer<Duration> beforeSleep = d -> {};

    final String serverType;
    final String location;
    /** A Talos snapshot id (numeric, so creates send {@code image} as a JSON number). */
    final String image;

    SimulatedProject() {
        this(b -> b);
    }

    SimulatedProject(UnaryOperator<SimulatorOptions.Builder> options) {
        sim = HcloudSimulator.start(
                options.apply(SimulatorOptions.builder().clock(clock).recordExchanges(true))
                        .build());
        var type = sim.catalogue().serverTypes().stream()
                .filter(t -> t.architecture().equals("x86") && !t.prices().isEmpty())
                .findFirst()
                .orElseThrow();
        serverType = type.name();
        location = type.prices().get(0).location();
        image = Long.toString(sim.catalogue()
                .addSnapshot(
                        "talos v1.11.5",
                        "x86",
                        clock.instant().minus(Duration.ofDays(1)),
                        Map.of("os", "talos", "version", "v1.11.5", "arch", "amd64"))
                .id());
    }

    Sleeper sleeper() {
        return d -> {
            beforeSleep.accept(d);
            sleeps.add(d);
            clock.advance(d);
        };
    }

    /** Settings for this simulator: 2 s request timeout, otherwise the production defaults unless tweaked. */
    HcloudSettings settings(UnaryOperator<HcloudSettings> tweak) {
        return tweak.apply(
                HcloudSettings.defaults(ApiToken.of(sim.token()), sim.endpoint().toString())
                        .withRequestTimeout(Duration.ofSeconds(2)));
    }

    HcloudClient client() {
        return client(s -> s);
    }

    HcloudClient client(UnaryOperator<HcloudSettings> tweak) {
        return new HcloudClient(settings(tweak), meters, clock, sleeper());
    }

    ServerSpec spec(String name, Map<String, String> labels) {
        return new ServerSpec(
                name,
                serverType,
                location,
                image,
                "version: v1alpha1\nmachine:\n  type: worker\n",
                labels,
                List.of(),
                List.of(),
                null,
                true,
                true,
                true);
    }

    static Map<String, String> ours(String pool) {
        return Map.of(CLUSTER_LABEL, "c1", POOL_LABEL, pool, "managed-by", "talos-burst");
    }

    Duration totalSlept() {
        synchronized (sleeps) {
            return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
        }
    }

    /** Contract violations of everything exchanged so far (empty when the spec is absent: see ContractConformanceTest). */
    List<String> contractViolations() {
        if (HetznerContract.spec().isEmpty()) {
            return List.of();
        }
        List<String> violations = new ArrayList<>();
        for (RecordedExchange exchange : sim.inspect().exchanges()) {
            violations.addAll(HetznerContract.violations(exchange));
        }
        return violations;
    }

    @Override
    public void close() {
        try {
            assertThat(contractViolations())
                    .as("requests and responses conform to the Hetzner OpenAPI contract")
                    .isEmpty();
        } finally {
            sim.close();
        }
    }
}
