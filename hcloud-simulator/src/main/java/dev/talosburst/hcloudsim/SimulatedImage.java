package dev.talosburst.hcloudsim;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * An image servers boot from: a {@code system} image (named, e.g. {@code ubuntu-24.04}) or a {@code snapshot}
 * (unnamed, found by labels such as {@code os=talos,version=v1.11.6,arch=amd64}).
 *
 * @param name       system image name; {@code null} for snapshots, as in the real API
 * @param deprecated when the image was deprecated, or {@code null}
 */
public record SimulatedImage(
        long id,
        String type,
        String status,
        String name,
        String description,
        String architecture,
        Instant created,
        Map<String, String> labels,
        double diskSizeGb,
        Double imageSizeGb,
        String osFlavor,
        String osVersion,
        Instant deprecated) {

    /** Validates the image. */
    public SimulatedImage {
        if (id <= 0) {
            throw new IllegalArgumentException("image id must be positive, got " + id);
        }
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(osFlavor, "osFlavor");
        if (!architecture.equals("x86") && !architecture.equals("arm")) {
            throw new IllegalArgumentException("architecture must be x86 or arm, got " + architecture);
        }
        labels = Map.copyOf(labels);
    }
}
