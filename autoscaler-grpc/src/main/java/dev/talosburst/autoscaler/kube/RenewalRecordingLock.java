package dev.talosburst.autoscaler.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The Lease lock as fabric8 uses it, with two guarantees fabric8 does not give: every failure reaches its election loop as
 * a {@link KubernetesClientException} (any other exception silently ends fabric8's renewal loop, and a replica would go
 * on acting without renewing), and the time of the last renewal that wrote our identity is known, so a watchdog can stop
 * acting after the renew deadline whatever happened to the loop.
 */
final class RenewalRecordingLock implements Lock {
    private final Lock delegate;
    private volatile long lastRenewalStartedNanos;
    private volatile boolean renewed;

    RenewalRecordingLock(Lock delegate) {
        this.delegate = delegate;
    }

    @Override
    public LeaderElectionRecord get(KubernetesClient client) {
        return guarded(() -> delegate.get(client));
    }

    @Override
    public void create(KubernetesClient client, LeaderElectionRecord record) {
        write(record, () -> delegate.create(client, record));
    }

    @Override
    public void update(KubernetesClient client, LeaderElectionRecord record) {
        write(record, () -> delegate.update(client, record));
    }

    @Override
    public String identity() {
        return delegate.identity();
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    /** Nanos (System.nanoTime) when the last successful write of our identity began; only valid if {@link #hasRenewed()}. */
    long lastRenewalStartedNanos() {
        return lastRenewalStartedNanos;
    }

    boolean hasRenewed() {
        return renewed;
    }

    private void write(LeaderElectionRecord record, Runnable action) {
        long started = System.nanoTime(); // the lease counts from about when the request left, not when it returned
        guarded(() -> {
            action.run();
            return null;
        });
        if (Objects.equals(record.getHolderIdentity(), identity())) {
            lastRenewalStartedNanos = started;
            renewed = true;
        }
    }

    private static <T> T guarded(Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new KubernetesClientException("Lease request failed: " + e, e);
        }
    }
}
