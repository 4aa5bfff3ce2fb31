package dev.talosburst.hcloudsim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CatalogueApiTest extends SimulatorTestSupport {

    @Test
    void serverTypesCarryPricesAsDecimalStringsWithVat() {
        JsonNode types = api.get("/server_types?per_page=50").json().get("server_types");
        assertThat(types.size()).isGreaterThanOrEqualTo(11);
        for (JsonNode type : types) {
            for (JsonNode price : type.get("prices")) {
                String net = price.path("price_hourly").path("net").asText();
                String gross = price.path("price_hourly").path("gross").asText();
                assertThat(net).matches("\\d+\\.\\d{10}");
                assertThat(new BigDecimal(gross))
                        .isEqualByComparingTo(new BigDecimal(net).multiply(new BigDecimal("1.19")));
            }
        }
        JsonNode cx22 =
                api.get("/server_types?name=cx22").json().get("server_types").get(0);
        assertThat(cx22.path("cores").asInt()).isEqualTo(2);
        assertThat(cx22.path("memory").asDouble()).isEqualTo(4.0);
        assertThat(cx22.path("disk").asInt()).isEqualTo(40);
        assertThat(cx22.path("cpu_type").asText()).isEqualTo("shared");
        assertThat(cx22.path("architecture").asText()).isEqualTo("x86");
        assertThat(cx22.path("prices").get(0).path("price_hourly").path("net").asText())
                .isEqualTo("0.0060000000");
        assertThat(cx22.path("locations").get(0).path("available").asBoolean()).isTrue();
        assertThat(cx22.path("locations").get(0).path("recommended").asBoolean())
                .isTrue();
        assertThat(api.get("/server_types/" + cx22.get("id").asLong())
                        .json()
                        .path("server_type")
                        .path("name")
                        .asText())
                .isEqualTo("cx22");
        assertThat(api.get("/server_types/99999").status()).isEqualTo(404);
    }

    @Test
    void armAndCostOptimizedTypesAreOnlySoldInEurope() {
        JsonNode types = api.get("/server_types?per_page=50").json().get("server_types");
        for (JsonNode type : types) {
            List<String> locations = new ArrayList<>();
            type.get("locations").forEach(l -> locations.add(l.get("name").asText()));
            if (type.get("architecture").asText().equals("arm")) {
                assertThat(locations).as(type.get("name").asText()).containsExactlyInAnyOrder("fsn1", "nbg1", "hel1");
            }
            if (type.get("name").asText().startsWith("cpx")
                    || type.get("name").asText().startsWith("ccx")) {
                assertThat(locations).as(type.get("name").asText()).contains("ash", "hil", "sin");
            }
        }
        assertThat(types.findValuesAsText("cpu_type")).contains("shared", "dedicated");
    }

    @Test
    void locationsHaveCoordinatesAndNetworkZones() {
        JsonNode locations = api.get("/locations").json().get("locations");
        assertThat(locations.findValuesAsText("name")).containsExactly("fsn1", "nbg1", "hel1", "ash", "hil", "sin");
        JsonNode ash = api.get("/locations?name=ash").json().get("locations").get(0);
        assertThat(ash.path("country").asText()).isEqualTo("US");
        assertThat(ash.path("network_zone").asText()).isEqualTo("us-east");
        assertThat(ash.path("longitude").asDouble()).isNegative();
        assertThat(api.get("/locations?sort=name:desc")
                        .json()
                        .get("locations")
                        .get(0)
                        .path("name")
                        .asText())
                .isEqualTo("sin");
        assertThat(api.get("/locations/3").json().path("location").path("name").asText())
                .isEqualTo("hel1");
    }

    @Test
    void newestTalosSnapshotPerArchitectureComesFirst() {
        // The query cluster-autoscaler's Hetzner provider uses to find its image.
        JsonNode amd64 = api.get("/images?type=snapshot&status=available&sort=created:desc&architecture=x86"
                        + "&label_selector=os%3Dtalos&per_page=50&page=1")
                .json()
                .get("images");
        assertThat(amd64).hasSize(2);
        assertThat(amd64.get(0).path("labels").path("version").asText()).isEqualTo("v1.11.6");
        assertThat(amd64.get(1).path("labels").path("version").asText()).isEqualTo("v1.11.5");
        assertThat(amd64.get(0).path("name").isNull())
                .as("snapshots have no name")
                .isTrue();

        JsonNode arm = api.get("/images?type=snapshot&architecture=arm&label_selector=os%3Dtalos%2Cversion%3Dv1.11.6")
                .json()
                .get("images");
        assertThat(arm).hasSize(1);
        assertThat(arm.get(0).path("labels").path("arch").asText()).isEqualTo("arm64");

        SimulatedImage newer = sim.catalogue()
                .addSnapshot(
                        "talos v1.12.0 amd64",
                        "x86",
                        Instant.parse("2026-11-20T00:00:00Z"),
                        Map.of("os", "talos", "version", "v1.12.0", "arch", "amd64"));
        assertThat(api.get("/images?type=snapshot&sort=created:desc&label_selector=os%3Dtalos%2Carch%3Damd64")
                        .json()
                        .get("images")
                        .get(0)
                        .path("id")
                        .asLong())
                .isEqualTo(newer.id());
    }

    @Test
    void imagesFilterByNameTypeAndDeprecation() {
        JsonNode ubuntu =
                api.get("/images?name=ubuntu-24.04&architecture=arm").json().get("images");
        assertThat(ubuntu).hasSize(1);
        assertThat(ubuntu.get(0).path("architecture").asText()).isEqualTo("arm");
        assertThat(api.get("/images?name=ubuntu-20.04").json().get("images"))
                .as("deprecated hidden by default")
                .isEmpty();
        assertThat(api.get("/images?name=ubuntu-20.04&include_deprecated=true")
                        .json()
                        .get("images"))
                .hasSize(1);
        assertThat(api.get("/images?type=system").json().get("images").findValuesAsText("type"))
                .containsOnly("system");
        assertThat(api.get("/images?type=weird").status()).isEqualTo(422);
        assertThat(api.get("/images/300000003")
                        .json()
                        .path("image")
                        .path("description")
                        .asText())
                .isEqualTo("talos v1.11.6 amd64");
    }

    @Test
    void datacentersEndpointIsGone() {
        ApiClient.Reply list = api.get("/datacenters");
        assertThat(list.status()).isEqualTo(410);
        assertThat(list.errorCode()).isEqualTo("deprecated_api_endpoint");
        assertThat(list.json()
                        .path("error")
                        .path("details")
                        .path("announcement")
                        .asText())
                .startsWith("https://");
        assertThat(api.get("/datacenters/1").status()).isEqualTo(410);
    }

    @Test
    void firewallsCanBeCreatedListedAndAppliedByLabelSelector() {
        ApiClient.Reply created = api.post(
                "/firewalls",
                "{\"name\":\"talos-workers\",\"labels\":{\"app\":\"talos\"},"
                        + "\"rules\":[{\"direction\":\"in\",\"protocol\":\"udp\",\"port\":\"51820\",\"source_ips\":[\"0.0.0.0/0\",\"::/0\"]}],"
                        + "\"apply_to\":[{\"type\":\"label_selector\",\"label_selector\":{\"selector\":\"pool=a\"}}]}");
        assertThat(created.status()).isEqualTo(201);
        long fw = created.json().path("firewall").path("id").asLong();
        assertThat(created.json().path("actions").get(0).path("command").asText())
                .isEqualTo("apply_firewall");

        assertThat(api.post("/firewalls", "{\"name\":\"talos-workers\"}").status())
                .isEqualTo(409);
        assertThat(api.post("/firewalls", "{\"name\":\"x\",\"rules\":[{\"direction\":\"in\",\"protocol\":\"udp\"}]}")
                        .status())
                .isEqualTo(422);
        assertThat(api.get("/firewalls?name=talos-workers").json().get("firewalls"))
                .hasSize(1);
        assertThat(api.get("/firewalls?label_selector=app%3Dtalos").json().get("firewalls"))
                .hasSize(1);
        assertThat(api.get("/firewalls?label_selector=app%3Dother").json().get("firewalls"))
                .isEmpty();

        JsonNode inPool = api.createServer("in-pool", "\"labels\":{\"pool\":\"a\"}")
                .json()
                .get("server");
        JsonNode outside = api.createServer("outside", "\"labels\":{\"pool\":\"b\"}")
                .json()
                .get("server");
        assertThat(inPool.path("public_net").path("firewalls").findValuesAsText("id"))
                .containsExactly(Long.toString(fw));
        assertThat(outside.path("public_net").path("firewalls")).isEmpty();
        JsonNode applied = api.get("/firewalls/" + fw)
                .json()
                .path("firewall")
                .path("applied_to")
                .get(0);
        assertThat(applied.path("type").asText()).isEqualTo("label_selector");
        assertThat(applied.path("applied_to_resources")
                        .get(0)
                        .path("server")
                        .path("id")
                        .asLong())
                .isEqualTo(inPool.get("id").asLong());
    }

    @Test
    void networksPlacementGroupsAndSshKeysAreListedAndFiltered() {
        sim.catalogue().addNetwork("burst", "10.0.0.0/16", "eu-central", Map.of("team", "infra"));
        sim.catalogue().addPlacementGroup("spread-a", Map.of("pool", "a"));
        assertThat(api.get("/ssh_keys").json().get("ssh_keys")).isEmpty();
        SshKey key = sim.catalogue().addSshKey("ops", "ssh-ed25519 AAAA ops", Map.of());

        assertThat(api.get("/networks?label_selector=team%3Dinfra").json().get("networks"))
                .hasSize(1);
        assertThat(api.get("/networks?name=nope").json().get("networks")).isEmpty();
        assertThat(api.get("/placement_groups?type=spread&name=spread-a").json().get("placement_groups"))
                .hasSize(1);
        assertThat(api.get("/ssh_keys?fingerprint=" + key.fingerprint()).json().get("ssh_keys"))
                .hasSize(1);
        assertThat(api.get("/networks/424242").status()).isEqualTo(404);
    }

    @Test
    void customServerTypesCanBeSeeded() {
        sim.catalogue()
                .addServerType(new SimulatedServerType(
                        900,
                        "cx99",
                        "CX99",
                        "cost_optimized",
                        64,
                        256,
                        960,
                        "shared",
                        "x86",
                        "local",
                        List.of(LocationPrice.of("fsn1", "0.5000", "300.00"))));
        assertThat(api.get("/server_types?name=cx99")
                        .json()
                        .get("server_types")
                        .get(0)
                        .path("cores")
                        .asInt())
                .isEqualTo(64);
        assertThat(api.post("/servers", "{\"name\":\"big\",\"server_type\":\"cx99\",\"image\":\"debian-12\"}")
                        .json()
                        .path("server")
                        .path("location")
                        .path("name")
                        .asText())
                .as("defaults to where the type is sold")
                .isEqualTo("fsn1");
    }
}
