package dev.talosburst.autoscaler.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.autoscaler.testing.MetricCatalogue;
import dev.talosburst.autoscaler.testing.Promtool;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar's {@code /q/metrics} before any scale-up: clean for {@code promtool check metrics}, every metric of
 * the README catalogue present (with zero values for each pool's label sets), and nothing exported that the catalogue
 * does not describe.
 */
class MetricsCatalogueIT {
    private static final Path README = Path.of("..", "README.md");

    @Test
    void theCatalogueIsExportedFromStartUpAndPromtoolFindsNothingToComplainAbout() throws Exception {
        Map<String, MetricCatalogue.Entry> catalogue = MetricCatalogue.readme(README);
        assertThat(catalogue).as("the README's metric catalogue").hasSizeGreaterThan(20);
        try (MonitoredRun run = new MonitoredRun("metrics-catalogue")) {
            String scrape = run.scrapeAfterStartup();

            Map<String, String> exported = MetricCatalogue.talosburstTypes(scrape);
            Set<String> missing = new TreeSet<>();
            catalogue.values().stream()
                    .filter(MetricCatalogue.Entry::fromStartUp)
                    .map(MetricCatalogue.Entry::name)
                    .filter(n -> !exported.containsKey(n))
                    .forEach(missing::add);
            assertThat(missing)
                    .as("catalogued metrics missing from /q/metrics before any scale-up")
                    .isEmpty();
            Set<String> undocumented = new TreeSet<>(exported.keySet());
            undocumented.removeAll(catalogue.keySet());
            assertThat(undocumented)
                    .as("exported talosburst_* metrics missing from the README catalogue")
                    .isEmpty();
            exported.forEach((name, type) ->
                    assertThat(catalogue.get(name).type()).as("type of " + name).isEqualTo(type));

            // zero-valued series for each pool's known label sets, so rate() and alerts see 0 rather than nothing
            for (String pool : new String[] {MonitoredRun.POOL_A, MonitoredRun.POOL_B}) {
                assertThat(scrape)
                        .contains("talosburst_server_create_failures_total{class=\"OTHER\",pool=\"" + pool + "\",} 0.0")
                        .contains("talosburst_servers_reaped_total{dry_run=\"false\",pool=\"" + pool
                                + "\",reason=\"not_registered\",} 0.0")
                        .contains("talosburst_lifecycle_transitions_total{pool=\"" + pool
                                + "\",transition=\"server-created\",} 0.0")
                        .contains("talosburst_node_provisioning_seconds_count{phase=\"node_ready\",pool=\"" + pool
                                + "\",} 0.0")
                        .contains("talosburst_nodegroup_target_size{pool=\"" + pool + "\",} 0.0");
            }
            assertThat(scrape)
                    .contains("talosburst_events_published_total{type=\"server-deleted\",} 0.0")
                    .doesNotContain("hcloud_api_");

            Promtool.Result lint = Promtool.run(scrape, "check", "metrics");
            assertThat(lint.output()).as("promtool check metrics").isBlank();
            assertThat(lint.exitCode()).isZero();
        }
    }
}
