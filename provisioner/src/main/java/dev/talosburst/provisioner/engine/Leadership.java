package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.nodegroup.NodeGroupException;
import dev.talosburst.provisioner.nodegroup.NodeGroupException.Reason;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Whether this replica acts (creates, deletes, reaps, publishes): a follower becomes the leader only once a promotion was
 * asked for and the view has been rebuilt from Hetzner; losing the lease demotes it at once.
 */
final class Leadership {
    private static final Logger LOG = Logger.getLogger(Leadership.class);

    private final AtomicBoolean promotionPending = new AtomicBoolean();
    private volatile boolean leader;

    /** Acting now. */
    boolean isLeader() {
        return leader;
    }

    /** Acting now, or about to once the view is rebuilt (its events are published). */
    boolean actingOrPromoting() {
        return leader || promotionPending.get();
    }

    /** Asks to act after the next rebuild of the view. */
    void requestPromotion() {
        promotionPending.set(true);
    }

    boolean promotionPending() {
        return promotionPending.get();
    }

    /** The view was rebuilt from Hetzner: act now, if the promotion is still wanted. */
    void completePromotion() {
        if (promotionPending.compareAndSet(true, false)) {
            leader = true;
            LOG.info("leader: view rebuilt from Hetzner, acting now");
        }
    }

    /** Stops acting (lost the lease); in-flight requests finish, nothing new starts. */
    void demote() {
        promotionPending.set(false);
        leader = false;
    }

    /** Stops acting without a word (closing). */
    void stop() {
        leader = false;
    }

    /** CA's mutations are refused by a follower: it must talk to the leader. */
    void requireActing() {
        if (!leader) {
            throw new NodeGroupException(
                    Reason.NOT_LEADER,
                    "this talos-burst replica is not the leader; cluster-autoscaler must talk to the leader (check the Service's readiness)");
        }
    }
}
