package dev.talosburst.provisioner.cloud;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/**
 * A Hetzner server type with its per-location prices and availability.
 *
 * @param memoryGb memory as advertised, in GB (really GiB)
 * @param diskGb local disk, in GB (really GiB)
 * @param cpuType {@code shared} or {@code dedicated}
 * @param architecture Hetzner's name: {@code x86} or {@code arm}
 */
public record ServerType(
        long id,
        String name,
        String description,
        int cores,
        double memoryGb,
        int diskGb,
        String cpuType,
        String architecture,
        List<Price> prices,
        List<Availability> locations) {

    public ServerType {
        prices = List.copyOf(prices == null ? List.of() : prices);
        locations = List.copyOf(locations == null ? List.of() : locations);
    }

    /** Hourly and monthly prices in one location, EUR, as decimal amounts. */
    public record Price(
            String location,
            BigDecimal hourlyNet,
            BigDecimal hourlyGross,
            BigDecimal monthlyNet,
            BigDecimal monthlyGross) {}

    /** Whether the type can be ordered in a location (2026 API: {@code locations[].available}). */
    public record Availability(String location, boolean available, boolean recommended, boolean deprecated) {}

    public Optional<Price> priceIn(String location) {
        return prices.stream().filter(p -> p.location().equals(location)).findFirst();
    }

    /** Kubernetes architecture name ({@code amd64} / {@code arm64}). */
    public String kubernetesArchitecture() {
        return "arm".equals(architecture) ? "arm64" : "amd64";
    }
}
