package dev.talosburst.hcloudsim;

import java.util.Objects;

/** A Hetzner location (data-centre site) such as {@code fsn1}. */
public record SimulatedLocation(
        long id,
        String name,
        String description,
        String country,
        String city,
        double latitude,
        double longitude,
        String networkZone) {

    /** Validates the location. */
    public SimulatedLocation {
        if (id <= 0) {
            throw new IllegalArgumentException("location id must be positive, got " + id);
        }
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(country, "country");
        Objects.requireNonNull(city, "city");
        Objects.requireNonNull(networkZone, "networkZone");
    }
}
