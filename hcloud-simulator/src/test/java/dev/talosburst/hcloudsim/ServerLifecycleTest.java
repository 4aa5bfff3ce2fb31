package dev.talosburst.hcloudsim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServerLifecycleTest extends SimulatorTestSupport {

    @Test
    void createdServerInitializesStartsAndRunsAsTheClockMoves() {
        ApiClient.Reply created = api.createServer("worker-1", null);

        assertThat(created.status()).isEqualTo(201);
        JsonNode server = created.json().get("server");
        long id = server.get("id").asLong();
        assertThat(server.get("status").asText()).isEqualTo("initializing");
        assertThat(server.get("created").asText()).isEqualTo("2026-11-26T10:00:00+00:00");
        assertThat(created.json().get("action").get("command").asText()).isEqualTo("create_server");
        assertThat(created.json().get("action").get("status").asText()).isEqualTo("running");
        assertThat(created.json().get("next_actions")).hasSize(1);
        assertThat(created.json().get("next_actions").get(0).get("command").asText())
                .isEqualTo("start_server");
        assertThat(created.json().has("root_password")).isTrue();

        clock.advance(Duration.ofMillis(1999));
        assertThat(status(id)).isEqualTo("initializing");
        clock.advance(Duration.ofMillis(1));
        assertThat(status(id)).isEqualTo("starting");
        clock.advance(Duration.ofMillis(2999));
        assertThat(status(id)).isEqualTo("starting");
        clock.advance(Duration.ofMillis(1));
        assertThat(status(id)).isEqualTo("running");
        assertThat(sim.inspect().server(id))
                .hasValueSatisfying(s -> assertThat(s.status()).isEqualTo("running"));
    }

    @Test
    void actionsProgressAndSucceedWhenTheServerReachesItsState() {
        ApiClient.Reply created = api.createServer("worker-1", null);
        long createId = created.json().get("action").get("id").asLong();
        long startId = created.json().get("next_actions").get(0).get("id").asLong();

        clock.advance(Duration.ofSeconds(1));
        JsonNode actions = api.get("/actions?id=" + createId + "&id=" + startId + "&page=1&sort=status&sort=id")
                .json()
                .get("actions");
        assertThat(actions).hasSize(2);
        assertThat(actions.get(0).get("status").asText()).isEqualTo("running");
        assertThat(actions.get(0).get("progress").asInt()).isEqualTo(50);
        assertThat(actions.get(0).get("finished").isNull()).isTrue();

        clock.advance(Duration.ofSeconds(1));
        JsonNode create = api.get("/actions/" + createId).json().get("action");
        assertThat(create.get("status").asText()).isEqualTo("success");
        assertThat(create.get("progress").asInt()).isEqualTo(100);
        assertThat(create.get("finished").asText()).isEqualTo("2026-11-26T10:00:02+00:00");
        assertThat(api.get("/actions/" + startId)
                        .json()
                        .get("action")
                        .get("status")
                        .asText())
                .isEqualTo("running");

        clock.advance(Duration.ofSeconds(3));
        JsonNode start = api.get("/actions/" + startId).json().get("action");
        assertThat(start.get("status").asText()).isEqualTo("success");
        assertThat(start.get("finished").asText()).isEqualTo("2026-11-26T10:00:05+00:00");
        long serverId = created.json().get("server").get("id").asLong();
        assertThat(api.get("/servers/" + serverId + "/actions/" + startId)
                        .json()
                        .get("action")
                        .get("id")
                        .asLong())
                .isEqualTo(startId);
        assertThat(api.get("/servers/" + serverId + "/actions").json().get("actions"))
                .hasSize(2);
        assertThat(api.get("/servers/" + (serverId + 1) + "/actions/" + startId).status())
                .isEqualTo(404);
    }

    @Test
    void multiGetOfActionsRequiresIdsAndSkipsUnknownOnes() {
        long createId = api.createServer("worker-1", null)
                .json()
                .get("action")
                .get("id")
                .asLong();

        assertThat(api.get("/actions").status()).isEqualTo(422);
        assertThat(api.get("/actions?id=" + createId + "&id=999").json().get("actions"))
                .hasSize(1);
        assertThat(api.get("/actions/999").status()).isEqualTo(404);
    }

    @Test
    void serverCreatedWithoutStartEndsOffAndCanBePoweredOn() {
        ApiClient.Reply created = api.createServer("worker-1", "\"start_after_create\":false");
        long id = created.json().get("server").get("id").asLong();
        assertThat(created.json().get("next_actions")).isEmpty();

        clock.advance(Duration.ofSeconds(2));
        assertThat(status(id)).isEqualTo("off");
        clock.advance(Duration.ofMinutes(10));
        assertThat(status(id)).isEqualTo("off");

        ApiClient.Reply powerOn = api.post("/servers/" + id + "/actions/poweron", null);
        assertThat(powerOn.status()).isEqualTo(201);
        assertThat(powerOn.json().get("action").get("command").asText()).isEqualTo("start_server");
        assertThat(status(id)).isEqualTo("starting");
        clock.advance(Duration.ofSeconds(3));
        assertThat(status(id)).isEqualTo("running");

        api.post("/servers/" + id + "/actions/poweroff", null);
        assertThat(status(id)).isEqualTo("stopping");
        clock.advance(Duration.ofSeconds(3));
        assertThat(status(id)).isEqualTo("off");
    }

    @Test
    void deletedServerIsDeletingThenGone() {
        long id = api.createServer("worker-1", null)
                .json()
                .get("server")
                .get("id")
                .asLong();
        clock.advance(Duration.ofSeconds(10));

        ApiClient.Reply deleted = api.delete("/servers/" + id);
        assertThat(deleted.status()).isEqualTo(200);
        JsonNode action = deleted.json().get("action");
        assertThat(action.get("command").asText()).isEqualTo("delete_server");
        assertThat(action.get("status").asText()).isEqualTo("running");
        assertThat(status(id)).isEqualTo("deleting");
        assertThat(api.delete("/servers/" + id).json().get("action").get("id").asLong())
                .as("deleting again returns the running delete action")
                .isEqualTo(action.get("id").asLong());

        clock.advance(Duration.ofSeconds(2));
        assertThat(api.get("/servers/" + id).status()).isEqualTo(404);
        assertThat(api.get("/servers/" + id).errorCode()).isEqualTo("not_found");
        assertThat(api.get("/actions/" + action.get("id").asLong())
                        .json()
                        .get("action")
                        .get("status")
                        .asText())
                .isEqualTo("success");
        assertThat(sim.inspect().servers()).isEmpty();
        assertThat(api.createServer("worker-1", null).status())
                .as("the name is free again")
                .isEqualTo(201);
    }

    @Test
    void serverIdsIncrease() {
        long first = api.createServer("a", null).json().get("server").get("id").asLong();
        long second = api.createServer("b", null).json().get("server").get("id").asLong();
        assertThat(second).isGreaterThan(first);
    }

    @Test
    void putRenamesAndReplacesLabels() {
        long id = api.createServer("worker-1", "\"labels\":{\"a\":\"1\",\"b\":\"2\"}")
                .json()
                .get("server")
                .get("id")
                .asLong();
        api.createServer("worker-2", null);

        ApiClient.Reply updated = api.put("/servers/" + id, "{\"name\":\"worker-9\",\"labels\":{\"c\":\"3\"}}");
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().get("server").get("name").asText()).isEqualTo("worker-9");
        assertThat(updated.json().get("server").get("labels").toString()).isEqualTo("{\"c\":\"3\"}");
        assertThat(api.put("/servers/" + id, "{\"name\":\"worker-2\"}").status())
                .isEqualTo(409);
        assertThat(api.put("/servers/" + id, "{\"labels\":{\"bad key\":\"x\"}}").status())
                .isEqualTo(422);
        assertThat(api.put("/servers/424242", "{\"name\":\"x\"}").status()).isEqualTo(404);
    }

    private String status(long id) {
        return api.get("/servers/" + id).json().get("server").get("status").asText();
    }
}
