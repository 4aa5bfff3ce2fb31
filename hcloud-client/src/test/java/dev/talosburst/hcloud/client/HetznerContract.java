package dev.talosburst.hcloud.client;

import dev.talosburst.hcloudsim.RecordedExchange;
import dev.talosburst.hcloudsim.contract.OpenApiContract;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Checks recorded client/simulator exchanges against the community Hetzner OpenAPI spec
 * ({@code ${talos-burst.shared-dir}/contracts/hetzner-openapi/hcloud.json}, read in place, never copied), through the
 * simulator's {@link OpenApiContract}: the spec dates from 2026-02-20 and that checker applies its documented 2026
 * allowances ({@link OpenApiContract#ALLOWANCES}); this suite adds none of its own.
 */
final class HetznerContract {

    private HetznerContract() {}

    /** The spec, if present. */
    static Optional<Path> spec() {
        return OpenApiContract.sharedSpec();
    }

    /** The spec path; skips the calling test (JUnit assumption) naming the missing path when it is absent. */
    static Path requireSpec() {
        Optional<Path> spec = spec();
        Assumptions.assumeTrue(
                spec.isPresent(),
                () -> "Hetzner OpenAPI contract checks skipped: " + OpenApiContract.sharedSpecLocationHint());
        return spec.get();
    }

    /** Violations of one exchange, empty when it conforms. */
    static List<String> violations(RecordedExchange exchange) {
        return OpenApiContract.load(requireSpec()).validate(exchange).stream()
                .map(v -> exchange + ": " + v)
                .toList();
    }
}
