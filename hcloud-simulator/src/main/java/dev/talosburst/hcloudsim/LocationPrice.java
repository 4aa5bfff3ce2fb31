package dev.talosburst.hcloudsim;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * The net price of a server type in one location; gross is derived with German VAT (19 %), as a project
 * billed in Germany sees it. Its presence also means "the type is sold in this location".
 *
 * @param location             location name
 * @param hourlyNet            EUR per hour, net
 * @param monthlyNet           EUR per month (cap), net
 * @param includedTrafficBytes traffic included per month
 * @param perTbTrafficNet      EUR per extra TB, net
 */
public record LocationPrice(
        String location,
        BigDecimal hourlyNet,
        BigDecimal monthlyNet,
        long includedTrafficBytes,
        BigDecimal perTbTrafficNet) {

    /** The VAT factor applied to net prices. */
    public static final BigDecimal VAT_FACTOR = new BigDecimal("1.19");

    /** Validates the price. */
    public LocationPrice {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(hourlyNet, "hourlyNet");
        Objects.requireNonNull(monthlyNet, "monthlyNet");
        Objects.requireNonNull(perTbTrafficNet, "perTbTrafficNet");
    }

    /** A price with EU-style traffic terms (20 TB included, 1 EUR/TB extra). */
    public static LocationPrice of(String location, String hourlyNet, String monthlyNet) {
        return new LocationPrice(
                location,
                new BigDecimal(hourlyNet),
                new BigDecimal(monthlyNet),
                20L * (1L << 40),
                new BigDecimal("1.00"));
    }

    /** Net amount as Hetzner prints it: a decimal string with 10 fractional digits. */
    static String net(BigDecimal amount) {
        return amount.setScale(10, RoundingMode.HALF_UP).toPlainString();
    }

    /** Gross amount as Hetzner prints it: a decimal string with 16 fractional digits. */
    static String gross(BigDecimal amount) {
        return amount.multiply(VAT_FACTOR).setScale(16, RoundingMode.HALF_UP).toPlainString();
    }
}
