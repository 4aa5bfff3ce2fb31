package dev.talosburst.hcloud.client;

import static dev.talosburst.hcloud.client.SimulatedProject.ours;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.talosburst.hcloudsim.RecordedExchange;
import dev.talosburst.hcloudsim.SimulatedFirewallRule;
import dev.talosburst.provisioner.cloud.ImageQuery;
import dev.talosburst.provisioner.cloud.ServerQuery;
import dev.talosburst.provisioner.cloud.ServerStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint the client uses, successes and errors, checked against the Hetzner OpenAPI spec. Skipped, naming the
 * path, when {@code ${talos-burst.shared-dir}/contracts/hetzner-openapi/hcloud.json} is absent.
 */
class ContractConformanceTest {

    @Test
    void every_exchange_of_every_endpoint_conforms_to_the_spec() {
        HetznerContract.requireSpec();
        try (SimulatedProject project = new SimulatedProject()) {
            HcloudClient client = project.client(s -> s.withRetries(0, Duration.ofSeconds(1), Duration.ofSeconds(1))
                    // the simulator checks every exchange against the whole spec: a loaded machine needs more than 2 s
                    .withRequestTimeout(Duration.ofSeconds(30)));
            project.sim.catalogue().addNetwork("burst", "10.0.0.0/16", "eu-central", Map.of("cluster", "c1"));
            project.sim.catalogue().addPlacementGroup("spread-a", Map.of("cluster", "c1"));
            var created = client.createServer(project.spec("contract-1", ours("a")));
            client.createServer(project.spec("contract-1", ours("a")));
            client.server(created.server().id());
            client.server(created.server().id() + 999);
            client.servers(new ServerQuery(
                    "managed-by=talos-burst",
                    "contract-1",
                    List.of(ServerStatus.INITIALIZING, ServerStatus.RUNNING),
                    List.of("id:asc")));
            client.serverTypes();
            client.locations();
            long snapshot = client.images(ImageQuery.snapshots("os=talos", "x86"))
                    .get(0)
                    .id();
            assertThat(client.image(snapshot)).isPresent();
            assertThat(client.image(999_999_999L)).isEmpty();
            project.sim
                    .catalogue()
                    .addFirewall(
                            "kubespan",
                            Map.of("cluster", "c1"),
                            List.of(new SimulatedFirewallRule(
                                    "in", "udp", "51820", List.of("0.0.0.0/0", "::/0"), List.of(), "KubeSpan")));
            client.firewalls("kubespan", "cluster=c1");
            client.networks(null, "cluster=c1");
            client.placementGroups("spread-a", null);
            project.sim.faults().stockOut(project.serverType, project.location);
            catchThrowable(() -> client.createServer(project.spec("contract-2", ours("a"))));
            project.sim.faults().clear().failNext("GET", "/locations", 1, 503, "unavailable", "service unavailable");
            catchThrowable(client::locations);
            client.deleteServer(created.server().id());

            assertThat(project.sim.inspect().exchanges()).hasSizeGreaterThan(15);
            assertThat(project.contractViolations()).isEmpty();
        }
    }

    @Test
    void the_checker_does_report_a_response_that_breaks_the_spec() {
        HetznerContract.requireSpec();
        RecordedExchange broken = new RecordedExchange(
                Instant.EPOCH,
                "GET",
                "/v1/servers/1",
                "",
                Map.of(),
                "",
                200,
                Map.of("content-type", List.of("application/json")),
                "{\"server\":{\"id\":\"not-a-number\"}}",
                false);
        assertThat(HetznerContract.violations(broken)).isNotEmpty();
    }
}
