package dev.talosburst.events.testing;

import dev.talosburst.hcloudsim.HcloudSimulator;
import dev.talosburst.hcloudsim.LocationPrice;
import dev.talosburst.hcloudsim.SimulatedCatalogue;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent.HourlyPrice;
import java.math.BigDecimal;
import java.math.RoundingMode;

/** Hetzner prices as the API reports them, from the hcloud-simulator's catalogue (gross = net with 19 % VAT, 16 digits). */
public final class CataloguePrices {

    private static SimulatedCatalogue catalogue;

    private CataloguePrices() {}

    /** Hourly and monthly price of {@code type} in {@code location}, EUR. */
    public static synchronized HourlyPrice of(String type, String location) {
        if (catalogue == null) {
            try (HcloudSimulator sim = HcloudSimulator.start()) {
                catalogue = sim.catalogue();
            }
        }
        LocationPrice p =
                catalogue.serverType(type).orElseThrow().priceIn(location).orElseThrow();
        return new HourlyPrice(p.hourlyNet(), gross(p.hourlyNet()), "EUR", p.monthlyNet(), gross(p.monthlyNet()));
    }

    private static BigDecimal gross(BigDecimal net) {
        return net.multiply(LocationPrice.VAT_FACTOR).setScale(16, RoundingMode.HALF_UP);
    }
}
