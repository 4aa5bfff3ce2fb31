package dev.talosburst.hcloudsim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AuthAndRoutingTest extends SimulatorTestSupport {

    @Test
    void missingOrWrongTokenIsUnauthorizedAndHasNoEffect() {
        ApiClient.Reply missing = api.withToken(null).createServer("w1", null);
        ApiClient.Reply wrong = api.withToken("not-the-token").get("/servers");

        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.errorCode()).isEqualTo("unauthorized");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(sim.inspect().servers()).isEmpty();
    }

    @Test
    void unknownPathsAndMethodsAreHetznerErrors() {
        ApiClient.Reply unknown = api.get("/volcanoes");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("not_found");
        ApiClient.Reply method = api.call("PATCH", "/servers", "{}");
        assertThat(method.status()).isEqualTo(405);
        assertThat(method.errorCode()).isEqualTo("method_not_allowed");
        assertThat(api.get("/servers/not-a-number").status()).isEqualTo(404);
    }

    @Test
    void requestLogCountsCallsByMethodAndPathPrefix() {
        api.get("/servers");
        api.get("/servers?page=2");
        api.get("/server_types");
        api.createServer("w1", null);

        assertThat(sim.inspect().requestCount()).isEqualTo(4);
        assertThat(sim.inspect().requestCount("GET", "/servers")).isEqualTo(2);
        assertThat(sim.inspect().requestCount("GET", "/v1/servers")).isEqualTo(2);
        assertThat(sim.inspect().requestCount(null, "/servers")).isEqualTo(3);
        assertThat(sim.inspect().requestCount("GET", null)).isEqualTo(3);
        RecordedRequest second = sim.inspect().requests().get(1);
        assertThat(second.query()).isEqualTo("page=2");
        assertThat(second.time()).isEqualTo(START);
        assertThat(second.status()).isEqualTo(200);

        sim.inspect().resetRequestLog();
        assertThat(sim.inspect().requestCount()).isZero();
        assertThat(sim.inspect().exchanges()).isEmpty();
    }

    @Test
    void exchangesNeverRecordTheAuthorizationHeader() {
        api.createServer("w1", "\"user_data\":\"hello\"");

        RecordedExchange e = sim.inspect().exchanges().get(0);
        assertThat(e.requestHeaders()).doesNotContainKey("authorization");
        assertThat(e.requestHeaders().toString()).doesNotContain(sim.token());
        assertThat(e.requestBody()).contains("hello");
        assertThat(e.responseHeaders()).containsKey("x-correlation-id");
        assertThat(e.toString()).doesNotContain("hello");
        assertThat(sim.options().toString()).doesNotContain(sim.token());
    }
}
