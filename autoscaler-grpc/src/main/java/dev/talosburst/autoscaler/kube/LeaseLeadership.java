package dev.talosburst.autoscaler.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectorBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * Leader election on a {@code coordination.k8s.io} Lease with fabric8's {@link LeaderElector}: while this replica holds
 * the lease (and its Node cache is in) the engine acts; when the lease is lost the engine stops acting at once and
 * the replica contends again as a follower.
 *
 * <p>fabric8 calls the callbacks on its renewal thread, inside its lock: promotion (a full Hetzner sync) therefore
 * runs on a separate thread, and demotion, which only flips flags, runs inline so a lost lease stops actions
 * immediately. A fabric8 elector cannot be reused after it stopped leading, so each contention gets a new one. A
 * watchdog stops acting when no renewal succeeded within the renew deadline, even if fabric8's loop died silently.
 */
public final class LeaseLeadership implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LeaseLeadership.class);

    /** What leadership switches on and off (the engine's promote/demote). */
    public interface Role {
        /** Start acting; may block while the view is rebuilt. */
        void promote();

        /** Stop acting now; must not block. */
        void demote();

        /** The engine's role: promoted, it rebuilds its view from Hetzner and acts; demoted, it stops at once. */
        static Role of(dev.talosburst.provisioner.engine.NodeGroupEngine engine) {
            return new Role() {
                @Override
                public void promote() {
                    engine.promote();
                }

                @Override
                public void demote() {
                    engine.demote();
                }
            };
        }
    }

    private final KubernetesClient client;
    private final LeaseTerms terms;
    private final BooleanSupplier readyToLead;
    private final Role role;
    private final ExecutorService electorThreads;
    private final ExecutorService promotions;
    private final ScheduledExecutorService watchdog;
    private int term;
    private boolean started;
    private CompletableFuture<?> election;
    private RenewalRecordingLock lock;
    private volatile boolean holding;
    private volatile boolean acting;
    private volatile boolean closed;
    private volatile String leader;

    /**
     * @param readyToLead true when this replica may act once it holds the lease (its Node cache has synced): acting
     *                    on an empty cache would make registered servers look unregistered
     */
    public LeaseLeadership(KubernetesClient client, LeaseTerms terms, BooleanSupplier readyToLead, Role role) {
        this.client = client;
        this.terms = terms;
        this.readyToLead = readyToLead;
        this.role = role;
        this.electorThreads = Executors.newCachedThreadPool(daemon("talosburst-lease"));
        this.promotions = Executors.newSingleThreadExecutor(daemon("talosburst-promotion"));
        this.watchdog = Executors.newSingleThreadScheduledExecutor(daemon("talosburst-lease-watchdog"));
    }

    /**
     * Starts contending for the lease once this replica is ready to lead (its Node cache has synced): a replica that
     * cannot see the Nodes never holds the lease and so never keeps a healthy one from leading.
     */
    public synchronized void start() {
        if (started || closed) {
            return;
        }
        started = true;
        promotions.execute(() -> {
            try {
                while (!readyToLead.getAsBoolean()) {
                    if (closed) {
                        return;
                    }
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            synchronized (this) {
                if (!closed) {
                    LOG.infof("contending for Lease %s/%s as %s", terms.namespace(), terms.name(), terms.identity());
                    contend();
                }
            }
        });
        long period = Math.max(10, terms.retryPeriod().toMillis() / 2);
        watchdog.scheduleWithFixedDelay(this::checkRenewal, period, period, TimeUnit.MILLISECONDS);
    }

    /** Stops acting when the lease was not renewed within the renew deadline, whatever state fabric8's loop is in. */
    private void checkRenewal() {
        int myTerm;
        RenewalRecordingLock current;
        synchronized (this) {
            if (closed || !(holding || acting)) {
                return;
            }
            myTerm = term;
            current = lock;
        }
        long sinceRenewal =
                current.hasRenewed() ? System.nanoTime() - current.lastRenewalStartedNanos() : Long.MAX_VALUE;
        if (sinceRenewal > terms.renewDeadline().toNanos()) {
            recontend(
                    myTerm,
                    "Lease " + terms.namespace() + "/" + terms.name() + " not renewed within " + terms.renewDeadline());
        }
    }

    /** True while this replica holds the lease (it may still be rebuilding its view before acting). */
    public boolean holdsLease() {
        return holding;
    }

    /** True once this replica holds the lease and the role was promoted. */
    public boolean isActing() {
        return acting;
    }

    /** The identity holding the lease as last observed; null before the first observation. */
    public String leader() {
        return leader;
    }

    public LeaseTerms terms() {
        return terms;
    }

    /** True while started and not closed, and the election loop runs (or waits for the Node cache before contending). */
    public synchronized boolean isContending() {
        return started && !closed && (election == null || !election.isDone());
    }

    /** Stops acting, then releases the lease so a follower takes over without waiting for it to expire. */
    @Override
    public void close() {
        CompletableFuture<?> current;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            term++;
            current = election;
        }
        stopActing("shutting down");
        if (current != null) {
            current.cancel(true); // fabric8 releases the lease (releaseOnCancel) while completing the cancellation
        }
        watchdog.shutdownNow();
        promotions.shutdownNow();
        electorThreads.shutdownNow();
        try {
            promotions.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void contend() {
        int myTerm = ++term;
        // a fresh lock per elector: the renewal record of a previous term must not vouch for this one
        RenewalRecordingLock termLock =
                new RenewalRecordingLock(new LeaseLock(terms.namespace(), terms.name(), terms.identity()));
        lock = termLock;
        LeaderElector elector = new LeaderElectorBuilder(client, electorThreads)
                .withConfig(new LeaderElectionConfigBuilder()
                        .withName(terms.name())
                        .withLock(termLock)
                        .withLeaseDuration(terms.leaseDuration())
                        .withRenewDeadline(terms.renewDeadline())
                        .withRetryPeriod(terms.retryPeriod())
                        .withReleaseOnCancel(true)
                        .withLeaderCallbacks(
                                new LeaderCallbacks(() -> started(myTerm), () -> stopped(myTerm), this::observed))
                        .build())
                .build();
        CompletableFuture<?> future = elector.start();
        election = future;
        future.whenComplete((ignored, error) -> {
            if (error != null && !future.isCancelled()) {
                LOG.warnf(
                        "leader election on Lease %s/%s ended: %s", terms.namespace(), terms.name(), error.toString());
            }
            recontend(myTerm, "the election loop ended");
        });
    }

    private void observed(String identity) {
        leader = identity;
        LOG.infof("Lease %s/%s is held by %s", terms.namespace(), terms.name(), identity == null ? "nobody" : identity);
    }

    private void started(int myTerm) {
        synchronized (this) {
            if (myTerm != term || closed) {
                return;
            }
            holding = true;
        }
        LOG.infof(
                "acquired Lease %s/%s as %s; rebuilding the view before acting",
                terms.namespace(), terms.name(), terms.identity());
        promotions.execute(() -> promote(myTerm));
    }

    private void promote(int myTerm) {
        try {
            while (!readyToLead.getAsBoolean()) {
                if (!stillHolding(myTerm)) {
                    return;
                }
                Thread.sleep(100);
            }
            if (!stillHolding(myTerm)) {
                return;
            }
            role.promote();
            acting = true;
            if (!stillHolding(myTerm)) {
                // the lease was lost while the view was rebuilt: the demotion may have run before promote() began
                stopActing("the lease was lost during promotion");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf(e, "promotion failed; giving the lease up");
            recontend(myTerm, "promotion failed");
        }
    }

    private synchronized boolean stillHolding(int myTerm) {
        return holding && myTerm == term && !closed;
    }

    private void stopped(int myTerm) {
        synchronized (this) {
            if (myTerm != term) {
                return; // an old elector winding down; its loss was handled when the new one started
            }
        }
        recontend(myTerm, "lost Lease " + terms.namespace() + "/" + terms.name());
    }

    /** Stops acting and, unless closing, contends again with a fresh elector. */
    private void recontend(int myTerm, String why) {
        CompletableFuture<?> old;
        synchronized (this) {
            if (myTerm != term) {
                return;
            }
            if (closed) {
                stopActing(why);
                return;
            }
            old = election;
        }
        stopActing(why);
        synchronized (this) {
            if (myTerm != term || closed) {
                return;
            }
            contend();
        }
        if (old != null) {
            old.cancel(true);
        }
    }

    private void stopActing(String why) {
        boolean was = acting || holding;
        holding = false;
        acting = false;
        role.demote();
        if (was) {
            LOG.warnf("not acting any more: %s", why);
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
