package dev.talosburst.hcloud.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.talosburst.provisioner.cloud.Server;
import dev.talosburst.provisioner.cloud.ServerSpec;
import dev.talosburst.provisioner.cloud.ServerStatus;
import dev.talosburst.provisioner.cloud.ServerType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WireFormatTest {

    private final ObjectMapper json = new ObjectMapper();
    private final WireFormat wire = new WireFormat(json);

    @Test
    void server_type_and_image_go_out_as_numbers_when_numeric_and_as_strings_otherwise() throws Exception {
        JsonNode byId = json.readTree(wire.createServerBody(spec("22", "123456")));
        assertThat(byId.get("server_type").isNumber()).isTrue();
        assertThat(byId.get("server_type").asLong()).isEqualTo(22);
        assertThat(byId.get("image").isNumber()).isTrue();
        JsonNode byName = json.readTree(wire.createServerBody(spec("cx22", "talos-v1.11")));
        assertThat(byName.get("server_type").isTextual()).isTrue();
        assertThat(byName.get("server_type").asText()).isEqualTo("cx22");
        assertThat(byName.get("image").asText()).isEqualTo("talos-v1.11");
    }

    @Test
    void create_body_carries_every_field_of_the_spec() throws Exception {
        ServerSpec spec = new ServerSpec(
                "pool-a-1",
                "cx22",
                "hel1",
                "42",
                "machine: {}",
                Map.of("talos-burst/pool", "pool-a"),
                List.of(7L),
                List.of(9L),
                11L,
                false,
                true,
                false);
        JsonNode body = json.readTree(wire.createServerBody(spec));
        assertThat(body.get("name").asText()).isEqualTo("pool-a-1");
        assertThat(body.get("location").asText()).isEqualTo("hel1");
        assertThat(body.get("user_data").asText()).isEqualTo("machine: {}");
        assertThat(body.get("labels").get("talos-burst/pool").asText()).isEqualTo("pool-a");
        assertThat(body.get("firewalls").get(0).get("firewall").asLong()).isEqualTo(7);
        assertThat(body.get("networks").get(0).asLong()).isEqualTo(9);
        assertThat(body.get("placement_group").asLong()).isEqualTo(11);
        assertThat(body.get("public_net").get("enable_ipv4").asBoolean()).isFalse();
        assertThat(body.get("public_net").get("enable_ipv6").asBoolean()).isTrue();
        assertThat(body.get("start_after_create").asBoolean()).isFalse();
        assertThat(body.has("datacenter")).as("datacenter was removed in 2026").isFalse();
    }

    @Test
    void reads_a_2026_server_with_location_and_a_pre_2026_one_with_only_datacenter() throws Exception {
        Server now = wire.server(json.readTree("""
                {"id":5,"name":"n","status":"running","created":"2026-11-26T01:02:03+00:00",
                 "server_type":{"name":"cx22"},"location":{"name":"hel1"},"image":{"id":77},"labels":{"k":"v"},
                 "public_net":{"ipv4":{"ip":"1.2.3.4"},"ipv6":{"ip":"2a01:4f8::/64"}}}"""));
        assertThat(now)
                .isEqualTo(new Server(
                        5,
                        "n",
                        ServerStatus.RUNNING,
                        Instant.parse("2026-11-26T01:02:03Z"),
                        "cx22",
                        "hel1",
                        77L,
                        Map.of("k", "v"),
                        "1.2.3.4",
                        "2a01:4f8::/64"));
        Server old = wire.server(json.readTree("""
                {"id":6,"name":"o","status":"migrating","created":"2025-01-01T00:00:00Z","server_type":{"name":"cx22"},
                 "datacenter":{"name":"fsn1-dc14","location":{"name":"fsn1"}},"image":null,"labels":{},
                 "public_net":{"ipv4":null,"ipv6":null}}"""));
        assertThat(old.location()).isEqualTo("fsn1");
        assertThat(old.imageId()).isNull();
        assertThat(old.publicIpv4()).isNull();
        assertThat(old.status()).isEqualTo(ServerStatus.MIGRATING);
    }

    @Test
    void reads_server_type_prices_as_decimals_and_2026_availability() throws Exception {
        ServerType type = wire.serverType(json.readTree("""
                {"id":1,"name":"cx22","description":"CX22","cores":2,"memory":4.0,"disk":40,"cpu_type":"shared","architecture":"x86",
                 "prices":[{"location":"hel1","price_hourly":{"net":"0.0060000000","gross":"0.0071400000000000"},
                            "price_monthly":{"net":"3.7900000000","gross":"4.5101000000000000"},"included_traffic":21990232555520}],
                 "locations":[{"id":3,"name":"hel1","deprecation":null,"available":false,"recommended":false},
                              {"id":1,"name":"fsn1","deprecation":{"announced":"2026-01-01T00:00:00Z","unavailable_after":"2026-12-01T00:00:00Z"},
                               "available":true,"recommended":true},
                              {"id":2,"name":"nbg1"}]}"""));
        assertThat(type.priceIn("hel1"))
                .get()
                .extracting(ServerType.Price::hourlyNet)
                .isEqualTo(new BigDecimal("0.0060000000"));
        assertThat(type.priceIn("hel1").get().monthlyGross()).isEqualByComparingTo("4.5101");
        assertThat(type.locations())
                .containsExactly(
                        new ServerType.Availability("hel1", false, false, false),
                        new ServerType.Availability("fsn1", true, true, true),
                        new ServerType.Availability("nbg1", true, false, false));
        assertThat(type.memoryGb()).isEqualTo(4.0);
        assertThat(type.kubernetesArchitecture()).isEqualTo("amd64");
    }

    @Test
    void numeric_detection_is_strict() {
        assertThat(WireFormat.isId("123")).isTrue();
        assertThat(WireFormat.isId("cx22")).isFalse();
        assertThat(WireFormat.isId("")).isFalse();
        assertThat(WireFormat.isId("12a")).isFalse();
        assertThat(WireFormat.isId(null)).isFalse();
    }

    private static ServerSpec spec(String type, String image) {
        return new ServerSpec("n", type, "fsn1", image, null, Map.of(), List.of(), List.of(), null, true, true, true);
    }
}
