package dev.talosburst.hcloudsim;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A server type such as {@code cx22}: size, CPU kind, architecture and the locations (with prices) it is sold in.
 *
 * @param cpuType      {@code shared} or {@code dedicated}
 * @param architecture {@code x86} or {@code arm}
 * @param storageType  {@code local} or {@code network}
 */
public record SimulatedServerType(
        long id,
        String name,
        String description,
        String category,
        int cores,
        double memoryGb,
        int diskGb,
        String cpuType,
        String architecture,
        String storageType,
        List<LocationPrice> prices) {

    /** Validates the type. */
    public SimulatedServerType {
        if (id <= 0) {
            throw new IllegalArgumentException("server type id must be positive, got " + id);
        }
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(category, "category");
        if (!cpuType.equals("shared") && !cpuType.equals("dedicated")) {
            throw new IllegalArgumentException("cpuType must be shared or dedicated, got " + cpuType);
        }
        if (!architecture.equals("x86") && !architecture.equals("arm")) {
            throw new IllegalArgumentException("architecture must be x86 or arm, got " + architecture);
        }
        if (!storageType.equals("local") && !storageType.equals("network")) {
            throw new IllegalArgumentException("storageType must be local or network, got " + storageType);
        }
        prices = List.copyOf(prices);
    }

    /** The price in a location, present exactly when the type is sold there. */
    public Optional<LocationPrice> priceIn(String location) {
        return prices.stream().filter(p -> p.location().equals(location)).findFirst();
    }
}
