package dev.talosburst.hcloudsim.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.hcloud.client.ApiToken;
import dev.talosburst.hcloud.client.HcloudClient;
import dev.talosburst.hcloud.client.HcloudSettings;
import dev.talosburst.hcloud.client.LocalHetzner;
import dev.talosburst.hcloudsim.HcloudSimulator;
import org.junit.jupiter.api.Test;

/** The jar's service registration is found, and what it starts is a Hetzner API the real client can use. */
class EmbeddedSimulatorTest {

    @Test
    void serviceLoaderFindsTheSimulatorAndTheClientTalksToIt() {
        assertThat(LocalHetzner.available()).isTrue();
        try (LocalHetzner local = LocalHetzner.start().orElseThrow()) {
            assertThat(local.endpoint().getHost()).isEqualTo("127.0.0.1");
            HcloudClient client = HcloudClient.create(
                    HcloudSettings.defaults(ApiToken.of(local.token())).withEndpoint(local.endpoint()));
            assertThat(client.serverTypes()).isNotEmpty();
            assertThat(local.unwrap(HcloudSimulator.class).inspect().requestCount())
                    .isPositive();
        }
    }
}
