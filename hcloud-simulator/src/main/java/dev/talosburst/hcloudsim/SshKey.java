package dev.talosburst.hcloudsim;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/** An SSH key stored in the project. */
public record SshKey(
        long id, String name, String fingerprint, String publicKey, Map<String, String> labels, Instant created) {

    /** Validates the key. */
    public SshKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(created, "created");
        labels = Map.copyOf(labels);
    }
}
