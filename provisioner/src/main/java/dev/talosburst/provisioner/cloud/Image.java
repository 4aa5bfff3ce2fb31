package dev.talosburst.provisioner.cloud;

import java.time.Instant;
import java.util.Map;

/**
 * A Hetzner image (talos-burst uses snapshots labelled {@code os=talos,version=...,arch=...}).
 *
 * @param type {@code system}, {@code app}, {@code snapshot} or {@code backup}
 * @param architecture {@code x86} or {@code arm}
 */
public record Image(
        long id,
        String type,
        String status,
        String name,
        String description,
        Instant created,
        Map<String, String> labels,
        String architecture) {
    public Image {
        labels = Map.copyOf(labels == null ? Map.of() : labels);
    }
}
