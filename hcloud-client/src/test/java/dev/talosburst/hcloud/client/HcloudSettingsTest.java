package dev.talosburst.hcloud.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HcloudSettingsTest {

    private static final String TOKEN = "tok3nTOK3Ntok3nTOK3Ntok3nTOK3Ntok3nTOK3Ntok3nTOK3Ntok3nTOK3N1234";

    @Test
    void defaults_mirror_hetzners_public_api_and_the_endpoint_can_be_overridden() {
        HcloudSettings defaults = HcloudSettings.defaults(ApiToken.of(TOKEN));
        assertThat(defaults.endpoint()).isEqualTo(URI.create("https://api.hetzner.cloud/v1"));
        assertThat(defaults.budgetCapacity()).isEqualTo(3600);
        assertThat(defaults.budgetShare()).as("half the project's budget").isEqualTo(0.5);
        assertThat(defaults.maxRetries()).isEqualTo(5);
        assertThat(HcloudSettings.defaults(ApiToken.of(TOKEN), "http://127.0.0.1:8080/v1")
                        .endpoint())
                .isEqualTo(URI.create("http://127.0.0.1:8080/v1"));
        assertThat(HcloudSettings.defaults(ApiToken.of(TOKEN), " ").endpoint())
                .isEqualTo(HcloudSettings.DEFAULT_ENDPOINT);
    }

    @Test
    void the_token_never_shows_in_to_string() {
        HcloudSettings settings = HcloudSettings.defaults(ApiToken.of(TOKEN));
        assertThat(settings.toString()).doesNotContain(TOKEN).contains("redacted");
        assertThat(ApiToken.of(TOKEN).toString()).doesNotContain(TOKEN);
        assertThat(HcloudClient.create(settings).toString()).doesNotContain(TOKEN);
    }

    @Test
    void bad_tokens_are_refused_without_repeating_them() {
        assertThatThrownBy(() -> ApiToken.of("  ")).hasMessageContaining("HCLOUD_TOKEN");
        assertThatThrownBy(() -> ApiToken.of("abc\ndef-secret"))
                .hasMessageContaining("line breaks")
                .hasMessageNotContaining("def-secret");
    }

    @Test
    void bad_settings_name_what_is_wrong() {
        HcloudSettings settings = HcloudSettings.defaults(ApiToken.of(TOKEN));
        assertThatThrownBy(() -> settings.withEndpoint(URI.create("ftp://x/v1")))
                .hasMessageContaining("http(s) URL");
        assertThatThrownBy(() -> settings.withEndpoint(URI.create("https://user:pw@x/v1")))
                .hasMessageContaining("credentials")
                .hasMessageNotContaining("pw");
        assertThatThrownBy(() -> settings.withRequestTimeout(Duration.ZERO))
                .hasMessageContaining("requestTimeout must be positive");
        assertThatThrownBy(() -> settings.withBudgetCapacity(0))
                .hasMessageContaining("budgetCapacity must be at least 1");
        assertThatThrownBy(() -> settings.withBreaker(10, 5, 0, Duration.ofSeconds(1)))
                .hasMessageContaining("breakerFailureRate");
    }
}
