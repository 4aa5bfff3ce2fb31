package dev.talosburst.autoscaler.kube;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Where and how long this replica holds the leader Lease, checked: lease duration &gt; renew deadline &gt; 1.2 × retry
 * period (fabric8 adds up to 120 % jitter to the retry period), so a leader that cannot renew stops acting before
 * anyone else may take the lease.
 */
public record LeaseTerms(
        String namespace,
        String name,
        String identity,
        Duration leaseDuration,
        Duration renewDeadline,
        Duration retryPeriod) {

    /** Where Kubernetes mounts the pod's namespace. */
    static final Path SERVICE_ACCOUNT_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    public LeaseTerms {
        List<String> problems = new ArrayList<>();
        if (namespace == null || namespace.isBlank()) {
            problems.add("talosburst.kubernetes.namespace is empty; set the namespace the Lease lives in");
        }
        if (name == null || name.isBlank()) {
            problems.add("talosburst.kubernetes.lease-name is empty; set a Lease name (default talos-burst-leader)");
        }
        if (identity == null || identity.isBlank()) {
            problems.add("talosburst.kubernetes.identity is empty; leave it unset to use the pod name");
        }
        if (leaseDuration == null
                || renewDeadline == null
                || retryPeriod == null
                || leaseDuration.isNegative()
                || leaseDuration.isZero()
                || renewDeadline.isNegative()
                || renewDeadline.isZero()
                || retryPeriod.isNegative()
                || retryPeriod.isZero()) {
            problems.add("talosburst.kubernetes.lease-duration, renew-deadline and retry-period must all be positive");
        } else {
            if (renewDeadline.compareTo(leaseDuration) >= 0) {
                problems.add("talosburst.kubernetes.renew-deadline (" + renewDeadline
                        + ") must be shorter than lease-duration (" + leaseDuration
                        + "), or two replicas could act at once");
            }
            if (retryPeriod.multipliedBy(12).dividedBy(10).compareTo(renewDeadline) >= 0) {
                problems.add(
                        "talosburst.kubernetes.retry-period (" + retryPeriod + ") must be shorter than renew-deadline ("
                                + renewDeadline + ") / 1.2, or the leader cannot renew in time");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    "invalid leader election settings:\n  - " + String.join("\n  - ", problems));
        }
    }

    /** Resolves the defaults: the pod's namespace and a per-process identity derived from the pod name. */
    public static LeaseTerms from(KubernetesSettings settings) {
        return new LeaseTerms(
                settings.namespace().map(String::strip).orElseGet(LeaseTerms::podNamespace),
                settings.leaseName().strip(),
                settings.identity().map(String::strip).orElseGet(() -> processIdentity(System.getenv("HOSTNAME"))),
                settings.leaseDuration(),
                settings.renewDeadline(),
                settings.retryPeriod());
    }

    /** The namespace of the pod's service account, {@code default} outside a pod. */
    static String podNamespace() {
        return readNamespace(SERVICE_ACCOUNT_NAMESPACE).orElse("default");
    }

    static Optional<String> readNamespace(Path file) {
        try {
            String value = Files.readString(file, StandardCharsets.UTF_8).strip();
            return value.isEmpty() ? Optional.empty() : Optional.of(value);
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /**
     * {@code <pod name>_<random>}: readable in the Lease, and unique per process, so a restarted replica never mistakes
     * the lease its previous life held for its own, and two processes on one host never share an identity.
     */
    static String processIdentity(String hostname) {
        String base = hostname == null || hostname.isBlank() ? "talos-burst" : hostname.strip();
        return base + "_" + UUID.randomUUID().toString().substring(0, 8);
    }
}
