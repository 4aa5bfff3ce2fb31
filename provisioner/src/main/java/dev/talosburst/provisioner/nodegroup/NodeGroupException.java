package dev.talosburst.provisioner.nodegroup;

/** A node-group request that cannot be honoured; the message says what is wrong and how to fix it. */
public class NodeGroupException extends RuntimeException {

    /** How the caller should treat the failure (maps onto gRPC status codes). */
    public enum Reason {
        /** No such group (NOT_FOUND). */
        NOT_FOUND,
        /** The arguments are wrong (INVALID_ARGUMENT). */
        INVALID_ARGUMENT,
        /** The arguments are fine but the group's state forbids it (FAILED_PRECONDITION). */
        FAILED_PRECONDITION,
        /** This replica is not the leader; try the leader (UNAVAILABLE). */
        NOT_LEADER,
        /** The view of Hetzner is not built yet (first server list pending); retry shortly (UNAVAILABLE). */
        NOT_READY
    }

    private final Reason reason;

    public NodeGroupException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    public static NodeGroupException notFound(String groupId) {
        return new NodeGroupException(
                Reason.NOT_FOUND,
                "node group '" + groupId
                        + "' does not exist; configured groups are listed by NodeGroups (talosburst.pools.*)");
    }
}
