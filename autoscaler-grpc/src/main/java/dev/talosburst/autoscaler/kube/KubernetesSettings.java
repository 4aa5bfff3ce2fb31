package dev.talosburst.autoscaler.kube;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code talosburst.kubernetes.*}: whether talos-burst watches the cluster's Nodes and elects a leader on a Lease.
 * Off by default so the embedded run works without a cluster; in a cluster the service account's namespace and
 * the pod name fill in the namespace and the identity.
 */
@ConfigMapping(prefix = "talosburst.kubernetes")
public interface KubernetesSettings {

    /** Watch Nodes (providerID, registration, readiness, cleanup) and run leader election on a Lease. */
    @WithDefault("false")
    boolean enabled();

    /** Namespace of the Lease; default: the pod's namespace (service-account file), else {@code default}. */
    Optional<String> namespace();

    /** Name of the {@code coordination.k8s.io} Lease the replicas contend for. */
    @WithDefault("talos-burst-leader")
    String leaseName();

    /** How long a lease is valid without renewal: a follower takes over at most this long after the leader died. */
    @WithDefault("15s")
    Duration leaseDuration();

    /** The leader gives up acting when it could not renew for this long (must be shorter than the lease duration). */
    @WithDefault("10s")
    Duration renewDeadline();

    /** Pause between attempts to acquire or renew the lease. */
    @WithDefault("2s")
    Duration retryPeriod();

    /** This replica's name in the Lease; default: {@code HOSTNAME} (the pod name) plus a random suffix per process. */
    Optional<String> identity();

    /** Every Node is re-delivered this often, so a new leader learns registrations and readiness it missed. */
    @WithDefault("1m")
    Duration nodeResync();
}
