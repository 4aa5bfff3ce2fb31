package dev.talosburst.autoscaler.wiring;

import dev.talosburst.autoscaler.config.TalosBurstConfig;
import dev.talosburst.hcloud.client.ApiToken;
import dev.talosburst.hcloud.client.HcloudClient;
import dev.talosburst.hcloud.client.HcloudSettings;
import dev.talosburst.hcloud.client.LocalHetzner;
import dev.talosburst.provisioner.cloud.CloudApi;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.URI;
import org.jboss.logging.Logger;

/** The Hetzner Cloud API client: against the embedded simulator, or against {@code talosburst.hcloud.endpoint} with the token. */
public class CloudApiProducer {

    private static final Logger LOG = Logger.getLogger(CloudApiProducer.class);

    @Produces
    @Singleton
    CloudApi cloudApi(
            TalosBurstConfig config, @ServiceMeters.Own MeterRegistry registry, Instance<EmbeddedHetzner> embedded) {
        HcloudSettings settings;
        if (config.hcloud().embeddedSimulator()) {
            LocalHetzner simulator = embedded.get().local();
            settings = HcloudSettings.defaults(ApiToken.of(simulator.token())).withEndpoint(simulator.endpoint());
        } else {
            // ConfigurationCheck has already refused a missing token; the token itself is never logged.
            settings = HcloudSettings.defaults(
                            ApiToken.of(config.hcloud().token().orElseThrow()))
                    .withEndpoint(URI.create(config.hcloud().endpoint().strip()));
            LOG.infof("Hetzner Cloud API at %s", settings.endpoint());
        }
        // never more than our share of the project's budget: the client's bucket holds and refills only that share
        // (ConfigurationCheck has refused a share outside (0, 1])
        settings = settings.withBudgetCapacity(config.hcloud().budgetPerHour())
                .withBudgetShare(config.hcloud().budgetShare());
        return HcloudClient.create(settings, registry);
    }
}
