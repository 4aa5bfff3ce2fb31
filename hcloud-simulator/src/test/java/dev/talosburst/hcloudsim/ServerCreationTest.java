package dev.talosburst.hcloudsim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerCreationTest extends SimulatorTestSupport {

    private static final String SECRET = "machine:\n  token: very-secret-join-token\n";

    @Test
    void duplicateNameIsAUniquenessError() {
        assertThat(api.createServer("worker-1", null).status()).isEqualTo(201);

        ApiClient.Reply duplicate = api.createServer("worker-1", null);

        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.errorCode()).isEqualTo("uniqueness_error");
        assertThat(duplicate.json().path("error").path("message").asText()).isEqualTo("server name is already used");
        assertThat(sim.inspect().servers()).hasSize(1);
    }

    @Test
    void concurrentCreatesOfOneNameYieldExactlyOneServer() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit(() -> api.createServer("racer", null).status()));
            }
            List<Integer> statuses = new java.util.ArrayList<>();
            for (var f : results) {
                statuses.add(f.get());
            }
            assertThat(statuses).containsOnly(201, 409);
            assertThat(statuses.stream().filter(s -> s == 201).count()).isEqualTo(1);
            assertThat(sim.inspect().servers()).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void userDataUpTo32768CharactersIsAcceptedAndOneMoreIsRejected() {
        assertThat(api.createServer("exact", "\"user_data\":\"" + "a".repeat(32768) + "\"")
                        .status())
                .isEqualTo(201);

        ApiClient.Reply tooLong = api.createServer("too-long", "\"user_data\":\"" + "a".repeat(32769) + "\"");

        assertThat(tooLong.status()).isEqualTo(422);
        assertThat(tooLong.errorCode()).isEqualTo("invalid_input");
        JsonNode field =
                tooLong.json().path("error").path("details").path("fields").get(0);
        assertThat(field.path("name").asText()).isEqualTo("user_data");
        assertThat(field.path("messages").get(0).asText()).isEqualTo("Length must be between 0 and 32768.");
        assertThat(sim.inspect().serverNamed("too-long")).isEmpty();
    }

    @Test
    void userDataIsStoredButNeverReturned() {
        String escaped = SECRET.replace("\n", "\\n");
        ApiClient.Reply created = api.createServer("worker-1", "\"user_data\":\"" + escaped + "\"");
        long id = created.json().get("server").get("id").asLong();

        assertThat(sim.inspect().userData(id)).contains(SECRET);
        assertThat(created.json().toString())
                .doesNotContain("very-secret-join-token")
                .doesNotContain("user_data");
        assertThat(api.get("/servers/" + id).json().toString())
                .doesNotContain("very-secret-join-token")
                .doesNotContain("user_data");
        assertThat(api.get("/servers").json().toString()).doesNotContain("very-secret-join-token");
        assertThat(sim.inspect().server(id).orElseThrow().toString()).doesNotContain("very-secret-join-token");
    }

    @Test
    void serverTypeAndImageAcceptIdNumericStringOrName() {
        assertThat(api.post("/servers", "{\"name\":\"by-id\",\"server_type\":104,\"image\":300000003,\"location\":1}")
                        .status())
                .isEqualTo(201);
        assertThat(api.post(
                                "/servers",
                                "{\"name\":\"by-num-str\",\"server_type\":\"104\",\"image\":\"300000003\",\"location\":\"1\"}")
                        .status())
                .isEqualTo(201);
        ApiClient.Reply byName = api.post(
                "/servers",
                "{\"name\":\"by-name\",\"server_type\":\"cax11\",\"image\":\"ubuntu-24.04\",\"location\":\"hel1\"}");
        assertThat(byName.status()).isEqualTo(201);
        JsonNode server = byName.json().get("server");
        assertThat(server.path("image").path("architecture").asText())
                .as("the arm variant of the named image")
                .isEqualTo("arm");
        assertThat(server.path("server_type").path("name").asText()).isEqualTo("cax11");
        assertThat(server.path("location").path("name").asText()).isEqualTo("hel1");
        assertThat(server.has("datacenter"))
                .as("2026 API: no datacenter in servers")
                .isFalse();
    }

    @Test
    void unknownReferencesAreInvalidInputNamingTheField() {
        assertInvalid("{\"name\":\"a\",\"server_type\":\"cx99\",\"image\":300000003}", "server_type");
        assertInvalid("{\"name\":\"a\",\"server_type\":\"cx22\",\"image\":1}", "image");
        assertInvalid(
                "{\"name\":\"a\",\"server_type\":\"cx22\",\"image\":300000003,\"location\":\"mars1\"}", "location");
        assertInvalid("{\"name\":\"a\",\"server_type\":\"cx22\",\"image\":300000003,\"location\":\"ash\"}", "location");
        assertInvalid("{\"name\":\"a\",\"server_type\":\"cax11\",\"image\":300000003}", "image");
        assertInvalid("{\"server_type\":\"cx22\",\"image\":300000003}", "name");
        assertInvalid("{\"name\":\"a\",\"image\":300000003}", "server_type");
        assertInvalid(
                "{\"name\":\"a\",\"server_type\":\"cx22\",\"image\":300000003,\"datacenter\":\"fsn1-dc14\"}",
                "datacenter");
        assertInvalid("{\"name\":\"a\",\"server_type\":\"cx22\",\"image\":300000003,\"networks\":[5]}", "networks");
        assertInvalid(
                "{\"name\":\"a\",\"server_type\":\"cx22\",\"image\":300000003,\"firewalls\":[{\"firewall\":5}]}",
                "firewalls");
        assertInvalid(
                "{\"name\":\"a\",\"server_type\":\"cx22\",\"image\":300000003,\"placement_group\":5}",
                "placement_group");
        assertInvalid(
                "{\"name\":\"a\",\"server_type\":\"cx22\",\"image\":300000003,\"ssh_keys\":[\"nope\"]}", "ssh_keys");
        assertThat(sim.inspect().servers()).isEmpty();
    }

    @Test
    void namesMustBeRfc1123Hostnames() {
        for (String bad : List.of("under_score", "-lead", "trail-", "two..dots", "sp ace", "a".repeat(64), "")) {
            assertInvalid("{\"name\":\"" + bad + "\",\"server_type\":\"cx22\",\"image\":300000003}", "name");
        }
        for (String good : List.of("w1", "pool-a-7f3e", "node.example.com", "A1")) {
            assertThat(api.createServer(good, null).status()).as(good).isEqualTo(201);
        }
    }

    @Test
    void labelsFollowHetznerRules() {
        assertInvalid(
                "{\"name\":\"a\",\"server_type\":\"cx22\",\"image\":300000003,\"labels\":{\"bad key\":\"x\"}}",
                "labels");
        assertInvalid(
                "{\"name\":\"a\",\"server_type\":\"cx22\",\"image\":300000003,\"labels\":{\"k\":\"-x\"}}", "labels");
        assertInvalid(
                "{\"name\":\"a\",\"server_type\":\"cx22\",\"image\":300000003,\"labels\":{\"hetzner.cloud/x\":\"y\"}}",
                "labels");
        assertInvalid("{\"name\":\"a\",\"server_type\":\"cx22\",\"image\":300000003,\"labels\":{\"k\":1}}", "labels");
        ApiClient.Reply ok = api.createServer("a", "\"labels\":{\"talos-burst.dev/pool\":\"pool-a\",\"empty\":\"\"}");
        assertThat(ok.status()).isEqualTo(201);
        assertThat(sim.inspect().serverNamed("a").orElseThrow().labels())
                .containsEntry("talos-burst.dev/pool", "pool-a");
    }

    @Test
    void brokenJsonIsAJsonError() {
        ApiClient.Reply reply = api.post("/servers", "{\"name\":");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.errorCode()).isEqualTo("json_error");
    }

    @Test
    void publicNetHonoursIpv4AndIpv6Switches() {
        JsonNode both = api.createServer("both", null).json().get("server").get("public_net");
        assertThat(both.path("ipv4").path("ip").asText()).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
        assertThat(both.path("ipv6").path("ip").asText()).endsWith("::/64");

        JsonNode v6only = api.createServer("v6only", "\"public_net\":{\"enable_ipv4\":false,\"enable_ipv6\":true}")
                .json()
                .get("server")
                .get("public_net");
        assertThat(v6only.get("ipv4").isNull()).isTrue();
        assertThat(v6only.get("ipv6").isObject()).isTrue();

        assertInvalid(
                "{\"name\":\"none\",\"server_type\":\"cx22\",\"image\":300000003,"
                        + "\"public_net\":{\"enable_ipv4\":false,\"enable_ipv6\":false}}",
                "public_net");
        String otherIp = api.createServer("other", null)
                .json()
                .get("server")
                .get("public_net")
                .get("ipv4")
                .get("ip")
                .asText();
        assertThat(otherIp).isNotEqualTo(both.path("ipv4").path("ip").asText());
    }

    @Test
    void networksFirewallsAndPlacementGroupsAreAttached() {
        SimulatedNetwork net = sim.catalogue().addNetwork("burst", "10.0.0.0/16", "eu-central", Map.of());
        SimulatedNetwork us = sim.catalogue().addNetwork("us", "10.1.0.0/16", "us-east", Map.of());
        SimulatedFirewall fw = sim.catalogue()
                .addFirewall(
                        "talos-workers",
                        Map.of(),
                        List.of(SimulatedFirewallRule.inboundFromAnywhere("udp", "51820", "KubeSpan")));
        SimulatedPlacementGroup pg = sim.catalogue().addPlacementGroup("spread-a", Map.of());

        ApiClient.Reply created = api.createServer(
                "worker-1",
                "\"networks\":[" + net.id() + "],\"firewalls\":[{\"firewall\":" + fw.id() + "}],\"placement_group\":"
                        + pg.id() + ",\"public_net\":{\"enable_ipv4\":false,\"enable_ipv6\":false}");

        assertThat(created.status()).isEqualTo(201);
        JsonNode server = created.json().get("server");
        assertThat(server.path("private_net").get(0).path("network").asLong()).isEqualTo(net.id());
        assertThat(server.path("private_net").get(0).path("ip").asText()).isEqualTo("10.0.0.2");
        assertThat(server.path("public_net").path("firewalls").get(0).path("id").asLong())
                .isEqualTo(fw.id());
        assertThat(server.path("placement_group").path("id").asLong()).isEqualTo(pg.id());
        long id = server.get("id").asLong();
        assertThat(api.get("/networks/" + net.id())
                        .json()
                        .path("network")
                        .path("servers")
                        .get(0)
                        .asLong())
                .isEqualTo(id);
        assertThat(api.get("/placement_groups/" + pg.id())
                        .json()
                        .path("placement_group")
                        .path("servers")
                        .get(0)
                        .asLong())
                .isEqualTo(id);
        assertThat(api.get("/firewalls/" + fw.id())
                        .json()
                        .path("firewall")
                        .path("applied_to")
                        .get(0)
                        .path("server")
                        .path("id")
                        .asLong())
                .isEqualTo(id);
        assertInvalid(
                "{\"name\":\"x\",\"server_type\":\"cx22\",\"image\":300000003,\"networks\":[" + us.id() + "]}",
                "networks");
    }

    @Test
    void rootPasswordOnlyWithoutSshKeys() {
        sim.catalogue().addSshKey("ops", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ0 ops@example", Map.of());
        assertThat(api.createServer("with-key", "\"ssh_keys\":[\"ops\"]")
                        .json()
                        .get("root_password")
                        .isNull())
                .isTrue();
        assertThat(api.createServer("without-key", null)
                        .json()
                        .get("root_password")
                        .asText())
                .isNotBlank();
    }

    private void assertInvalid(String body, String field) {
        ApiClient.Reply reply = api.post("/servers", body);
        assertThat(reply.status()).as(body).isEqualTo(422);
        assertThat(reply.errorCode()).as(body).isEqualTo("invalid_input");
        assertThat(reply.json()
                        .path("error")
                        .path("details")
                        .path("fields")
                        .get(0)
                        .path("name")
                        .asText())
                .as(body)
                .isEqualTo(field);
    }
}
