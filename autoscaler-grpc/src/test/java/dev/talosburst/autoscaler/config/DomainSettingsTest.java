package dev.talosburst.autoscaler.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.hcloud.client.ApiToken;
import dev.talosburst.hcloud.client.HcloudSettings;
import dev.talosburst.provisioner.engine.EngineSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each default has one source for operators ({@code @WithDefault} in {@link TalosBurstConfig}); the domain records keep
 * defaults of their own for tests and library callers, and these tests fail when the two drift apart.
 */
class DomainSettingsTest {

    private static final TalosBurstConfig NOTHING_SET = ConfigFixture.load(Map.of());

    @Test
    void theEngineRecordsDefaultsAreTheOptionsDefaults() {
        assertThat(DomainSettings.engine("c1", NOTHING_SET)).isEqualTo(EngineSettings.defaults("c1"));
        assertThat(EngineSettings.defaults("c1").resyncInterval())
                .as("talosburst.engine.resync-interval")
                .isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void theHetznerClientsDefaultsAreTheOptionsDefaults() {
        HcloudSettings client = HcloudSettings.defaults(ApiToken.of("x".repeat(64)));
        assertThat(NOTHING_SET.hcloud().endpoint()).isEqualTo(HcloudSettings.DEFAULT_ENDPOINT.toString());
        assertThat(NOTHING_SET.hcloud().budgetPerHour()).isEqualTo(client.budgetCapacity());
        assertThat(NOTHING_SET.hcloud().budgetShare())
                .as("talosburst.hcloud.budget-share")
                .isEqualTo(client.budgetShare())
                .isEqualTo(EngineSettings.defaults("c1").budgetShare());
    }

    @Test
    void optionsReachTheEngineSettings() {
        EngineSettings set = DomainSettings.engine(
                "c1",
                ConfigFixture.load(Map.of(
                        "talosburst.engine.resync-interval",
                        "7m",
                        "talosburst.engine.create-concurrency",
                        "9",
                        "talosburst.reaper.dry-run",
                        "true",
                        "talosburst.hcloud.budget-share",
                        "0.25")));
        assertThat(set.resyncInterval()).isEqualTo(Duration.ofMinutes(7));
        assertThat(set.createConcurrency()).isEqualTo(9);
        assertThat(set.reaper().dryRun()).isTrue();
        assertThat(set.budgetShare()).isEqualTo(0.25);
    }
}
