package dev.talosburst.hcloudsim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FaultsTest extends SimulatorTestSupport {

    @Test
    void failNextFailsExactlyNRequestsWithoutEffect() {
        sim.faults().failNext(2, 503, "unavailable", "service unavailable");

        ApiClient.Reply first = api.createServer("w1", null);
        ApiClient.Reply second = api.get("/servers");
        ApiClient.Reply third = api.createServer("w1", null);

        assertThat(first.status()).isEqualTo(503);
        assertThat(first.errorCode()).isEqualTo("unavailable");
        assertThat(first.json().path("error").path("message").asText()).isEqualTo("service unavailable");
        assertThat(second.status()).isEqualTo(503);
        assertThat(third.status()).isEqualTo(201);
        assertThat(sim.inspect().servers()).hasSize(1);
    }

    @Test
    void failNextCanTargetMethodAndPathPrefixBySegment() {
        sim.faults().failNext("POST", "/servers", 1, 500, "server_error", "boom");

        assertThat(api.get("/servers").status()).isEqualTo(200);
        assertThat(api.get("/server_types").status())
                .as("prefix matches whole segments")
                .isEqualTo(200);
        assertThat(api.createServer("w1", null).status()).isEqualTo(500);
        assertThat(api.createServer("w1", null).status()).isEqualTo(201);
    }

    @Test
    void rawFailureImitatesAProxyWithANonJsonBody() {
        sim.faults().failNextRaw("POST", "/servers", 1, 502, "text/html", "<html><body>502 Bad Gateway</body></html>");

        ApiClient.Reply reply = rawCall();

        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.header("Content-Type")).isEqualTo("text/html");
        assertThat(reply.header("X-Correlation-Id")).isNotBlank();
        assertThat(sim.inspect().servers()).isEmpty();
        assertThat(api.createServer("w1", null).status()).isEqualTo(201);
    }

    @Test
    void lostResponseTakesEffectButTheClientSeesNoAnswer() {
        sim.faults().loseResponses("POST", "/v1/servers", 1);

        assertThatThrownBy(() ->
                        api.send("POST", "/servers", "{\"name\":\"w1\",\"server_type\":\"cx22\",\"image\":300000003}"))
                .isInstanceOf(IOException.class);

        assertThat(sim.inspect().serverNamed("w1"))
                .as("the server exists although the client got no answer")
                .isPresent();
        assertThat(api.createServer("w1", null).errorCode())
                .as("a blind retry hits the name")
                .isEqualTo("uniqueness_error");
        assertThat(sim.inspect().requests()).anySatisfy(r -> {
            assertThat(r.responseLost()).isTrue();
            assertThat(r.status()).isEqualTo(201);
        });
    }

    @Test
    void latencyDelaysMatchingRequestsOnly() {
        sim.faults().latency("POST", "/servers", Duration.ofMillis(1500));

        long slow = timeMillis(
                () -> assertThat(api.createServer("w1", null).status()).isEqualTo(201));
        long fast = timeMillis(() -> assertThat(api.get("/servers").status()).isEqualTo(200));

        assertThat(slow).isGreaterThanOrEqualTo(1500);
        assertThat(fast)
                .as("GET is not delayed (a generous bound for a busy machine)")
                .isLessThan(1500);
        sim.faults().latency("POST", "/servers", Duration.ZERO);
        sim.faults().latency(Duration.ofMillis(200));
        assertThat(timeMillis(() -> api.get("/locations"))).isGreaterThanOrEqualTo(200);
        sim.faults().clear();
    }

    private static long timeMillis(Runnable r) {
        long start = System.nanoTime();
        r.run();
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }

    @Test
    void stockOutFailsPlacementForThatTypeAndLocationOnly() {
        sim.faults().stockOut("cx22", "fsn1");

        ApiClient.Reply failed = api.createServer("w1", null);
        assertThat(failed.status()).isEqualTo(412);
        assertThat(failed.errorCode()).isEqualTo("resource_unavailable");
        assertThat(failed.json().path("error").path("message").asText()).isEqualTo("error during placement");
        assertThat(api.post(
                                "/servers",
                                "{\"name\":\"w2\",\"server_type\":\"cx22\",\"image\":300000003,\"location\":\"nbg1\"}")
                        .status())
                .isEqualTo(201);
        assertThat(api.get("/server_types?name=cx22")
                        .json()
                        .get("server_types")
                        .get(0)
                        .path("locations")
                        .get(0)
                        .path("available")
                        .asBoolean())
                .isFalse();

        sim.faults().restock("cx22", "fsn1");
        assertThat(api.createServer("w1", null).status()).isEqualTo(201);
    }

    @Test
    void quotaRefusesServersBeyondTheLimit() {
        sim.faults().serverQuota(2);
        assertThat(api.createServer("w1", null).status()).isEqualTo(201);
        assertThat(api.createServer("w2", null).status()).isEqualTo(201);

        ApiClient.Reply third = api.createServer("w3", null);

        assertThat(third.status()).isEqualTo(403);
        assertThat(third.errorCode()).isEqualTo("resource_limit_exceeded");
        assertThat(third.json().path("error").path("message").asText()).isEqualTo("server limit exceeded");
        long id = sim.inspect().serverNamed("w1").orElseThrow().id();
        api.delete("/servers/" + id);
        assertThat(api.createServer("w3", null).status())
                .as("a deleting server still counts")
                .isEqualTo(403);
        clock.advance(Duration.ofSeconds(2));
        assertThat(api.createServer("w3", null).status()).isEqualTo(201);
    }

    @Test
    void clearDisarmsEverything() {
        sim.faults()
                .failNext(5, 503, "unavailable", "x")
                .stockOut("cx22", "fsn1")
                .serverQuota(0)
                .loseResponses(null, null, 3);
        sim.faults().clear();
        assertThat(api.createServer("w1", null).status()).isEqualTo(201);
    }

    @Test
    void adminEndpointArmsAndClearsFaults() {
        ApiClient admin = new ApiClient("http://127.0.0.1:" + sim.endpoint().getPort(), sim.token());
        assertThat(admin.withToken("wrong")
                        .post("/_sim/faults", "{\"kind\":\"fail\"}")
                        .status())
                .isEqualTo(401);

        assertThat(admin.post(
                                "/_sim/faults",
                                "{\"kind\":\"fail\",\"method\":\"POST\",\"path\":\"/servers\",\"count\":1,"
                                        + "\"status\":429,\"code\":\"rate_limit_exceeded\",\"message\":\"limit reached\"}")
                        .status())
                .isEqualTo(200);
        assertThat(api.createServer("w1", null).errorCode()).isEqualTo("rate_limit_exceeded");
        assertThat(admin.post("/_sim/faults", "{\"kind\":\"stock_out\",\"server_type\":\"cx22\",\"location\":\"fsn1\"}")
                        .status())
                .isEqualTo(200);
        assertThat(api.createServer("w1", null).status()).isEqualTo(412);
        assertThat(admin.post("/_sim/faults", "{\"kind\":\"teleport\"}").status())
                .isEqualTo(422);
        assertThat(admin.delete("/_sim/faults").status()).isEqualTo(200);
        assertThat(api.createServer("w1", null).status()).isEqualTo(201);
        assertThat(admin.get("/_sim/servers")
                        .json()
                        .get("servers")
                        .get(0)
                        .path("name")
                        .asText())
                .isEqualTo("w1");
        assertThat(admin.get("/_sim/requests").json().get("requests").size())
                .isEqualTo(sim.inspect().requestCount());
    }

    private ApiClient.Reply rawCall() {
        try {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(sim.endpoint() + "/servers"))
                                    .header("Authorization", "Bearer " + sim.token())
                                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).contains("502 Bad Gateway");
            return new ApiClient.Reply(r.statusCode(), r.headers(), ApiClient.MAPPER.nullNode());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
