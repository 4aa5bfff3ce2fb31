package dev.talosburst.hcloudsim.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talosburst.hcloudsim.HcloudSimulator;
import dev.talosburst.hcloudsim.RecordedExchange;
import dev.talosburst.hcloudsim.SimulatorOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OpenApiContractTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static OpenApiContract contract;

    @BeforeAll
    static void loadSpec() {
        Path spec = OpenApiContract.sharedSpec().orElse(null);
        Assumptions.assumeTrue(
                spec != null,
                "Hetzner OpenAPI spec missing, contract tests skipped: " + OpenApiContract.sharedSpecLocationHint());
        contract = OpenApiContract.load(spec);
    }

    @Test
    void requestsAndResponsesOfATypicalClientSessionConform() throws Exception {
        try (HcloudSimulator sim = HcloudSimulator.start(
                SimulatorOptions.builder().recordExchanges(true).build())) {
            HttpClient http = HttpClient.newHttpClient();
            // Shaped like hcloud-go: numeric IDs for type and image, the autoscaler's image query, action polling.
            String create = "{\"name\":\"pool-a-1\",\"server_type\":104,\"image\":300000003,\"location\":\"fsn1\","
                    + "\"labels\":{\"hcloud/node-group\":\"pool-a\"},\"user_data\":\"#talos\",\"start_after_create\":true,"
                    + "\"public_net\":{\"enable_ipv4\":true,\"enable_ipv6\":true}}";
            String created = call(http, sim, "POST", "/servers", create);
            long action = MAPPER.readTree(created).path("action").path("id").asLong();
            long server = MAPPER.readTree(created).path("server").path("id").asLong();
            call(http, sim, "GET", "/actions?id=" + action + "&page=1&sort=status&sort=id", null);
            call(http, sim, "GET", "/servers?label_selector=hcloud%2Fnode-group%3Dpool-a&page=1&per_page=50", null);
            call(http, sim, "GET", "/server_types?page=1&per_page=50", null);
            call(
                    http,
                    sim,
                    "GET",
                    "/images?type=snapshot&status=available&sort=created%3Adesc&architecture=x86"
                            + "&label_selector=os%3Dtalos&per_page=50&page=1",
                    null);
            call(http, sim, "GET", "/locations", null);
            call(http, sim, "PUT", "/servers/" + server, "{\"labels\":{\"hcloud/node-group\":\"pool-a\",\"x\":\"y\"}}");
            call(http, sim, "POST", "/servers", create); // 409
            call(http, sim, "GET", "/servers/999", null); // 404
            call(http, sim, "DELETE", "/servers/" + server, null);

            sim.faults().failNextRaw(null, null, 1, 502, "text/html", "<html>bad gateway</html>");
            call(http, sim, "GET", "/servers", null); // out of contract on purpose: skipped by assertAllValid
            call(http, sim, "GET", "/datacenters", null); // removed endpoint: skipped by assertAllValid

            List<RecordedExchange> exchanges = sim.inspect().exchanges();
            assertThat(exchanges).hasSize(12);
            for (RecordedExchange e : exchanges.subList(0, 10)) {
                assertThat(contract.validate(e)).as(e.toString()).isEmpty();
            }
            contract.assertAllValid(exchanges);
        }
    }

    @Test
    void detectsAResponseThatBreaksTheSchema() throws Exception {
        ObjectNode server = serverResponse();
        ((ObjectNode) server.get("server")).remove("name");
        assertThat(contract.validateResponse("GET", "/v1/servers/1", 200, json(), server.toString()))
                .anySatisfy(v -> assertThat(v.message()).contains("name"));

        ObjectNode wrongType = serverResponse();
        ((ObjectNode) wrongType.get("server")).put("id", "not-a-number");
        assertThat(contract.validateResponse("GET", "/v1/servers/1", 200, json(), wrongType.toString()))
                .isNotEmpty();
    }

    @Test
    void allowsThe2026ServerShapeAndRequiresTheNewServerTypeFields() throws Exception {
        ObjectNode server = serverResponse();
        assertThat(server.path("server").has("datacenter")).isFalse();
        assertThat(contract.validateResponse("GET", "/v1/servers/1", 200, json(), server.toString()))
                .isEmpty();

        ObjectNode withoutAvailability = serverResponse();
        ((ObjectNode) withoutAvailability
                        .path("server")
                        .path("server_type")
                        .path("locations")
                        .get(0))
                .remove("available");
        assertThat(contract.validateResponse("GET", "/v1/servers/1", 200, json(), withoutAvailability.toString()))
                .anySatisfy(v -> assertThat(v.message()).contains("available"));
    }

    @Test
    void detectsABadRequest() {
        assertThat(contract.validateRequest(
                        "POST", "/v1/servers", "", json(), "{\"name\":42,\"server_type\":\"cx22\",\"image\":1}"))
                .isNotEmpty();
        assertThat(contract.validateRequest(
                        "POST", "/v1/servers", "", json(), "{\"server_type\":\"cx22\",\"image\":1}"))
                .as("name is required")
                .isNotEmpty();
        assertThat(contract.validateRequest(
                        "POST",
                        "/v1/servers",
                        "",
                        json(),
                        "{\"name\":\"a\",\"server_type\":104,\"image\":\"300000003\",\"ssh_keys\":[7]}"))
                .isEmpty();
        assertThat(contract.validateRequest("GET", "/v1/servers", "status=exploded", Map.of(), null))
                .isNotEmpty();
    }

    @Test
    void assertValidNamesTheExchangeAndTheProblem() throws Exception {
        ObjectNode server = serverResponse();
        ((ObjectNode) server.get("server")).remove("status");
        RecordedExchange exchange = new RecordedExchange(
                Instant.now(), "GET", "/v1/servers/1", "", Map.of(), "", 200, json(), server.toString(), false);
        assertThatThrownBy(() -> contract.assertValid(exchange))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("GET /v1/servers/1")
                .hasMessageContaining("status");
    }

    @Test
    void assertAllValidReportsEveryBrokenExchange() throws Exception {
        ObjectNode server = serverResponse();
        ((ObjectNode) server.get("server")).remove("status");
        RecordedExchange broken = new RecordedExchange(
                Instant.now(), "GET", "/v1/servers/1", "", Map.of(), "", 200, json(), server.toString(), false);
        assertThatThrownBy(() -> contract.assertAllValid(List.of(broken, broken)))
                .hasMessageContaining("status")
                .hasMessageContaining("GET /v1/servers/1");
    }

    @Test
    void listsItsAllowances() {
        assertThat(OpenApiContract.ALLOWANCES)
                .anySatisfy(a -> assertThat(a).contains("datacenter"))
                .anySatisfy(a -> assertThat(a).contains("available"));
    }

    private static Map<String, List<String>> json() {
        return Map.of("content-type", List.of("application/json"));
    }

    private static ObjectNode serverResponse() throws Exception {
        try (HcloudSimulator sim = HcloudSimulator.start()) {
            String created = call(
                    HttpClient.newHttpClient(),
                    sim,
                    "POST",
                    "/servers",
                    "{\"name\":\"w\",\"server_type\":\"cx22\",\"image\":300000003}");
            ObjectNode body = (ObjectNode) MAPPER.readTree(created);
            ObjectNode out = MAPPER.createObjectNode();
            out.set("server", body.get("server"));
            return out;
        }
    }

    private static String call(HttpClient http, HcloudSimulator sim, String method, String path, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sim.endpoint() + path))
                .header("Authorization", "Bearer " + sim.token());
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
