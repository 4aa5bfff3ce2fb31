package dev.talosburst.hcloud.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.talosburst.provisioner.cloud.CloudApiException;
import dev.talosburst.provisioner.cloud.CloudApiException.Kind;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorClassificationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ApiRequest CREATE = new ApiRequest(
            "POST", EndpointFamily.SERVERS, "/servers", "/servers", List.of(), new byte[0], "SECRET-WORKER-CONFIG");

    @ParameterizedTest(name = "{0} at {1} -> {2}")
    @CsvSource({
        "resource_unavailable, 412, OUT_OF_RESOURCES",
        "resource_limit_exceeded, 403, OUT_OF_RESOURCES",
        "placement_error, 412, OUT_OF_RESOURCES",
        "rate_limit_exceeded, 429, RETRYABLE",
        "conflict, 409, RETRYABLE",
        "locked, 423, RETRYABLE",
        "timeout, 504, RETRYABLE",
        "server_error, 500, RETRYABLE",
        "unavailable, 503, RETRYABLE",
        "bad_gateway, 502, RETRYABLE",
        "maintenance, 403, RETRYABLE",
        "uniqueness_error, 409, ALREADY_EXISTS",
        "not_found, 404, NOT_FOUND",
        "invalid_input, 422, FATAL",
        "json_error, 400, FATAL",
        "unauthorized, 401, FATAL",
        "forbidden, 403, FATAL",
        "token_readonly, 401, FATAL",
        "protected, 423, FATAL",
        "service_error, 422, FATAL",
        "something_new, 418, FATAL",
        "something_new, 500, RETRYABLE",
    })
    void hetzner_codes_map_to_kinds(String code, int status, Kind kind) {
        assertThat(ErrorClassification.kindOf(code, status)).isEqualTo(kind);
    }

    @ParameterizedTest
    @CsvSource({"502", "503", "504", "429"})
    void statuses_without_a_json_body_are_retryable(int status) {
        CloudApiException e =
                ErrorClassification.fromResponse(CREATE, status, "<html>Bad Gateway</html>", null, JSON, s -> s);
        assertThat(e.kind()).isEqualTo(Kind.RETRYABLE);
        assertThat(e.code()).isEqualTo("http_" + status);
        assertThat(e.getMessage()).contains("HTTP " + status).contains("no Hetzner error body");
        assertThat(ErrorClassification.isWorthRetryingNow(e)).isTrue();
    }

    @Test
    void message_carries_hetzners_message_field_names_status_and_correlation_id_but_not_the_user_data() {
        String body = """
                {"error":{"code":"invalid_input","message":"invalid input in field 'user_data'",
                  "details":{"fields":[{"name":"user_data","messages":["Length must be between 0 and 32768."]}]}}}""";
        CloudApiException e = ErrorClassification.fromResponse(CREATE, 422, body, "corr-1", JSON, CREATE::scrub);
        assertThat(e.kind()).isEqualTo(Kind.FATAL);
        assertThat(e.code()).isEqualTo("invalid_input");
        assertThat(e.httpStatus()).isEqualTo(422);
        assertThat(e.correlationId()).isEqualTo("corr-1");
        assertThat(e.getMessage())
                .contains(
                        "POST /servers",
                        "HTTP 422",
                        "invalid_input",
                        "invalid input in field 'user_data'",
                        "field user_data: Length must be between 0 and 32768.",
                        "corr-1");
    }

    @Test
    void an_echoed_secret_is_scrubbed_from_the_message() {
        String body =
                "{\"error\":{\"code\":\"invalid_input\",\"message\":\"bad user_data SECRET-WORKER-CONFIG\",\"details\":null}}";
        CloudApiException e = ErrorClassification.fromResponse(CREATE, 422, body, null, JSON, CREATE::scrub);
        assertThat(e.getMessage()).doesNotContain("SECRET-WORKER-CONFIG").contains("<user-data redacted>");
    }

    @Test
    void whatever_hetzner_quotes_as_the_token_in_a_rate_limit_message_is_redacted() {
        String body =
                "{\"error\":{\"code\":\"rate_limit_exceeded\",\"message\":\"Limit of '3600' requests per hour for token 'abcd…wxyz' reached.\",\"details\":null}}";
        CloudApiException e = ErrorClassification.fromResponse(CREATE, 429, body, null, JSON, s -> s);
        assertThat(e.getMessage())
                .contains("Limit of '3600' requests per hour for token '<redacted>' reached.")
                .doesNotContain("abcd");
        assertThat(e.kind()).isEqualTo(Kind.RETRYABLE);
    }

    @Test
    void quota_details_name_the_limit() {
        String body = "{\"error\":{\"code\":\"resource_limit_exceeded\",\"message\":\"project limit exceeded\","
                + "\"details\":{\"limits\":[{\"name\":\"project_limit\"}]}}}";
        CloudApiException e = ErrorClassification.fromResponse(CREATE, 403, body, null, JSON, s -> s);
        assertThat(e.kind()).isEqualTo(Kind.OUT_OF_RESOURCES);
        assertThat(e.getMessage()).contains("limit project_limit");
    }

    @Test
    void network_failures_are_retryable_without_status() {
        CloudApiException timeout =
                ErrorClassification.fromNetwork(CREATE, new HttpTimeoutException("request timed out"));
        assertThat(timeout.kind()).isEqualTo(Kind.RETRYABLE);
        assertThat(timeout.code()).isEqualTo("network_error");
        assertThat(timeout.httpStatus()).isZero();
        assertThat(timeout.getMessage()).contains("timed out");
        assertThat(ErrorClassification.isWorthRetryingNow(timeout)).isTrue();
        assertThat(ErrorClassification.isHealthFailure(timeout)).isTrue();
        CloudApiException reset = ErrorClassification.fromNetwork(CREATE, new IOException("connection reset"));
        assertThat(reset.kind()).isEqualTo(Kind.RETRYABLE);
    }

    @Test
    void only_server_side_failures_count_against_the_breaker_and_maintenance_is_not_retried_in_place() {
        assertThat(ErrorClassification.isHealthFailure(
                        new CloudApiException(Kind.RETRYABLE, "unavailable", 503, "m", null)))
                .isTrue();
        assertThat(ErrorClassification.isHealthFailure(
                        new CloudApiException(Kind.RETRYABLE, "rate_limit_exceeded", 429, "m", null)))
                .isFalse();
        assertThat(ErrorClassification.isHealthFailure(
                        new CloudApiException(Kind.FATAL, "invalid_input", 422, "m", null)))
                .isFalse();
        assertThat(ErrorClassification.isWorthRetryingNow(
                        new CloudApiException(Kind.RETRYABLE, "maintenance", 403, "m", null)))
                .isFalse();
        assertThat(ErrorClassification.isWorthRetryingNow(
                        new CloudApiException(Kind.OUT_OF_RESOURCES, "resource_unavailable", 412, "m", null)))
                .isFalse();
        assertThat(ErrorClassification.isWorthRetryingNow(
                        new CloudApiException(Kind.RETRYABLE, "circuit_open", 0, "m", null)))
                .isFalse();
    }
}
