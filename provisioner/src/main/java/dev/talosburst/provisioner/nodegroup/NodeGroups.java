package dev.talosburst.provisioner.nodegroup;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What cluster-autoscaler asks of talos-burst, one method per externalgrpc RPC.
 *
 * <p>Every method answers from memory and returns within milliseconds: nothing here waits on
 * Hetzner. Scale-ups and deletions are recorded and carried out in the background.
 * Failures are {@link NodeGroupException}s whose messages tell a human what to do.
 */
public interface NodeGroups {

    /** All configured node groups. */
    List<NodeGroupSummary> all();

    /**
     * The group a node belongs to, matched by {@code hcloud://<id>} provider id or by name
     * (= server name; CA's fake nodes carry the instance id as both). Empty for nodes that are not ours.
     */
    Optional<NodeGroupSummary> forNode(NodeRef node);

    /** Live servers of the group (not deleting) plus pending creations. */
    int targetSize(String groupId);

    /** Raises the target by {@code delta} (> 0, not above max); servers are created in the background. */
    void increaseSize(String groupId, int delta);

    /** Deletes these nodes' servers (all must belong to the group; the result must stay ≥ min). */
    void deleteNodes(String groupId, List<NodeRef> nodes);

    /** Lowers the target by {@code -delta} (delta < 0) by cancelling pending creations only. */
    void decreaseTargetSize(String groupId, int delta);

    /** The group's instances: {@code hcloud://<id>}, or a placeholder id while a creation is pending. */
    List<InstanceView> instances(String groupId);

    /** What a new node of this group will look like, for scale-from-zero simulation. */
    NodeTemplate template(String groupId);

    /** The group's autoscaling options over CA's {@code defaults} (null: CA's built-in defaults). */
    AutoscalingOptions options(String groupId, AutoscalingOptions defaults);

    /** The price of running this node from {@code start} to {@code end}, in the currency of Hetzner's prices. */
    double nodePrice(NodeRef node, Instant start, Instant end);

    /** The price of a pod with these requests over the window: its share of the cheapest group's node. */
    double podPrice(PodRequests pod, Instant start, Instant end);

    /** Called by CA before every loop: triggers a background resync when the view is stale; never blocks. */
    void refresh();

    /** Called by CA on shutdown. */
    void cleanup();
}
