package dev.talosburst.hcloudsim;

import dev.talosburst.hcloudsim.contract.OpenApiContract;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Starts a simulator on a {@link SettableClock} before each test and, after it, checks every exchange the test
 * caused against the Hetzner OpenAPI contract (when the shared spec is available).
 */
abstract class SimulatorTestSupport {

    static final Instant START = Instant.parse("2026-11-26T10:00:00Z");

    protected SettableClock clock;
    protected HcloudSimulator sim;
    protected ApiClient api;

    /** Options for this test class; override to change durations, rate limits, seeding. */
    protected SimulatorOptions.Builder options(SimulatorOptions.Builder defaults) {
        return defaults;
    }

    @BeforeEach
    void startSimulator() {
        clock = new SettableClock(START);
        sim = HcloudSimulator.start(options(SimulatorOptions.builder()
                        .clock(clock)
                        .initializing(Duration.ofSeconds(2))
                        .starting(Duration.ofSeconds(3))
                        .deleting(Duration.ofSeconds(2))
                        .recordExchanges(true))
                .build());
        api = new ApiClient(sim);
    }

    @AfterEach
    void checkContractAndStop() {
        try {
            Optional<java.nio.file.Path> spec = OpenApiContract.sharedSpec();
            if (spec.isEmpty()) {
                System.err.println(
                        "contract check of simulator responses skipped: " + OpenApiContract.sharedSpecLocationHint());
                return;
            }
            OpenApiContract contract = OpenApiContract.load(spec.get());
            List<String> problems = new ArrayList<>();
            for (RecordedExchange e : sim.inspect().exchanges()) {
                if (!e.responseHeaders().getOrDefault("content-type", List.of()).contains("application/json")) {
                    continue; // a raw-body fault imitating a proxy: outside the API contract on purpose
                }
                // Requests are the test's own (some deliberately invalid); responses are what the simulator promises.
                contract
                        .validateResponse(e.method(), e.path(), e.status(), e.responseHeaders(), e.responseBody())
                        .stream()
                        // Deliberately unknown paths or methods have no contract to check their error responses
                        // against.
                        .filter(v -> !v.key().equals("validation.request.path.missing")
                                && !v.key().equals("validation.request.operation.notAllowed"))
                        .forEach(v -> problems.add(e + ": " + v));
            }
            if (!problems.isEmpty()) {
                throw new AssertionError("simulator responses violate the Hetzner OpenAPI contract:\n  "
                        + String.join("\n  ", problems));
            }
        } finally {
            sim.close();
        }
    }
}
