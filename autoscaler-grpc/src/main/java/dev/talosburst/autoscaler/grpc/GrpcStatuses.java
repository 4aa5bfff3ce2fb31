package dev.talosburst.autoscaler.grpc;

import dev.talosburst.provisioner.nodegroup.NodeGroupException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Failures as gRPC statuses CA understands: the domain's {@link NodeGroupException} keeps its actionable
 * message; a bad request is INVALID_ARGUMENT; anything unexpected is INTERNAL with an incident id that
 * points to the log line, never the exception's own text.
 */
public final class GrpcStatuses {

    private static final Logger LOG = Logger.getLogger(GrpcStatuses.class);

    private GrpcStatuses() {}

    /** The status for a failure of {@code rpc}. */
    public static StatusRuntimeException of(String rpc, Throwable failure) {
        if (failure instanceof NodeGroupException e) {
            Status status = switch (e.reason()) {
                case NOT_FOUND -> Status.NOT_FOUND;
                case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
                case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
                case NOT_LEADER, NOT_READY -> Status.UNAVAILABLE;
            };
            LOG.debugf("%s refused (%s): %s", rpc, status.getCode(), e.getMessage());
            return status.withDescription(e.getMessage()).asRuntimeException();
        }
        if (failure instanceof IllegalArgumentException e) {
            LOG.debugf("%s refused (INVALID_ARGUMENT): %s", rpc, e.getMessage());
            return Status.INVALID_ARGUMENT
                    .withDescription(rpc + ": " + e.getMessage())
                    .asRuntimeException();
        }
        if (failure instanceof StatusRuntimeException e) {
            return e;
        }
        String incident = UUID.randomUUID().toString();
        LOG.errorf(failure, "%s failed unexpectedly (incident %s)", rpc, incident);
        return Status.INTERNAL
                .withDescription(rpc + " failed inside talos-burst; see its log for incident " + incident)
                .asRuntimeException();
    }
}
