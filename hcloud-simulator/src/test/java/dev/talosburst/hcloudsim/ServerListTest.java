package dev.talosburst.hcloudsim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServerListTest extends SimulatorTestSupport {

    @Override
    protected SimulatorOptions.Builder options(SimulatorOptions.Builder defaults) {
        return defaults.recordExchanges(false); // 120 servers: contract checks of these lists live in ContractTest
    }

    @Test
    void paginatesOver120ServersWithCompleteMeta() {
        for (int i = 0; i < 120; i++) {
            api.createServer(String.format("w-%03d", i), null);
        }

        JsonNode page1 = api.get("/servers?per_page=50").json();
        JsonNode page3 = api.get("/servers?per_page=50&page=3").json();
        JsonNode page4 = api.get("/servers?per_page=50&page=4").json();

        assertThat(page1.get("servers")).hasSize(50);
        JsonNode meta1 = page1.path("meta").path("pagination");
        assertThat(meta1.path("page").asInt()).isEqualTo(1);
        assertThat(meta1.path("per_page").asInt()).isEqualTo(50);
        assertThat(meta1.path("previous_page").isNull()).isTrue();
        assertThat(meta1.path("next_page").asInt()).isEqualTo(2);
        assertThat(meta1.path("last_page").asInt()).isEqualTo(3);
        assertThat(meta1.path("total_entries").asInt()).isEqualTo(120);
        assertThat(page3.get("servers")).hasSize(20);
        assertThat(page3.path("meta").path("pagination").path("next_page").isNull())
                .isTrue();
        assertThat(page3.path("meta").path("pagination").path("previous_page").asInt())
                .isEqualTo(2);
        assertThat(page4.get("servers")).isEmpty();

        Set<Long> seen = new HashSet<>();
        Integer page = 1;
        while (page != null) {
            JsonNode body = api.get("/servers?per_page=50&page=" + page).json();
            body.get("servers").forEach(s -> seen.add(s.get("id").asLong()));
            JsonNode next = body.path("meta").path("pagination").path("next_page");
            page = next.isNull() ? null : next.asInt();
        }
        assertThat(seen).hasSize(120);
        String link = api.get("/servers?per_page=50&page=2&label_selector=").header("Link");
        assertThat(link)
                .contains("page=1>; rel=\"prev\"")
                .contains("page=3>; rel=\"next\"")
                .contains("page=3>; rel=\"last\"")
                .contains("per_page=50")
                .startsWith("<http://127.0.0.1:");
        assertThat(api.get("/servers").json().get("servers"))
                .as("default per_page is 25")
                .hasSize(25);
    }

    @Test
    void perPageAbove50IsRejected() {
        ApiClient.Reply reply = api.get("/servers?per_page=51");
        assertThat(reply.status()).isEqualTo(422);
        assertThat(reply.json()
                        .path("error")
                        .path("details")
                        .path("fields")
                        .get(0)
                        .path("name")
                        .asText())
                .isEqualTo("per_page");
        assertThat(api.get("/servers?page=0").status()).isEqualTo(422);
    }

    @Test
    void filtersByNameStatusAndLabelSelector() {
        api.createServer("a-1", "\"labels\":{\"pool\":\"a\",\"env\":\"prod\"}");
        api.createServer("a-2", "\"labels\":{\"pool\":\"a\"},\"start_after_create\":false");
        api.createServer("b-1", "\"labels\":{\"pool\":\"b\",\"env\":\"prod\"}");
        clock.advance(Duration.ofSeconds(10));

        assertThat(names("/servers?name=a-2")).containsExactly("a-2");
        assertThat(names("/servers?label_selector=pool%3Da")).containsExactly("a-1", "a-2");
        assertThat(names("/servers?label_selector=pool%3Da%2Cenv")).containsExactly("a-1");
        assertThat(names("/servers?label_selector=pool%20in%20(a%2Cb)%2C!env")).containsExactly("a-2");
        assertThat(names("/servers?label_selector=env!%3Dprod")).containsExactly("a-2");
        assertThat(names("/servers?status=off")).containsExactly("a-2");
        assertThat(names("/servers?status=off&status=running")).containsExactly("a-1", "a-2", "b-1");
        assertThat(api.get("/servers?status=bogus").status()).isEqualTo(422);
        ApiClient.Reply invalid = api.get("/servers?label_selector=pool%20in%20(a");
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.errorCode()).isEqualTo("invalid_input");
    }

    @Test
    void sortsByNameCreatedAndId() {
        api.createServer("c", null);
        clock.advance(Duration.ofSeconds(1));
        api.createServer("a", null);
        clock.advance(Duration.ofSeconds(1));
        api.createServer("b", null);

        assertThat(names("/servers")).containsExactly("c", "a", "b");
        assertThat(names("/servers?sort=name")).containsExactly("a", "b", "c");
        assertThat(names("/servers?sort=name:desc")).containsExactly("c", "b", "a");
        assertThat(names("/servers?sort=created:desc")).containsExactly("b", "a", "c");
        assertThat(names("/servers?sort=id:desc")).containsExactly("b", "a", "c");
        assertThat(api.get("/servers?sort=colour").status()).isEqualTo(422);
    }

    private List<String> names(String path) {
        List<String> names = new ArrayList<>();
        ApiClient.Reply reply = api.get(path);
        assertThat(reply.status()).as(path).isEqualTo(200);
        reply.json().get("servers").forEach(s -> names.add(s.get("name").asText()));
        return names;
    }
}
