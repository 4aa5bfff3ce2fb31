package dev.talosburst.autoscaler.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.provisioner.nodegroup.NodeGroupException;
import dev.talosburst.provisioner.nodegroup.NodeGroupException.Reason;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GrpcStatusesTest {

    @ParameterizedTest
    @CsvSource({
        "NOT_FOUND, NOT_FOUND",
        "INVALID_ARGUMENT, INVALID_ARGUMENT",
        "FAILED_PRECONDITION, FAILED_PRECONDITION",
        "NOT_LEADER, UNAVAILABLE",
        "NOT_READY, UNAVAILABLE"
    })
    void domainReasonsMapToGrpcCodesKeepingTheMessage(Reason reason, Status.Code code) {
        StatusRuntimeException status =
                GrpcStatuses.of("NodeGroupIncreaseSize", new NodeGroupException(reason, "raise max"));
        assertThat(status.getStatus().getCode()).isEqualTo(code);
        assertThat(status.getStatus().getDescription()).isEqualTo("raise max");
    }

    @Test
    void badRequestIsInvalidArgumentNamingTheRpc() {
        StatusRuntimeException status =
                GrpcStatuses.of("PricingPodPrice", new IllegalArgumentException("pod_bytes is not a Pod"));
        assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getStatus().getDescription()).isEqualTo("PricingPodPrice: pod_bytes is not a Pod");
    }

    @Test
    void unexpectedFailuresDoNotLeakInternals() {
        StatusRuntimeException status = GrpcStatuses.of(
                "NodeGroupNodes", new IllegalStateException("Bearer s3cret at dev.talosburst.internal.Thing"));
        assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(status.getStatus().getDescription())
                .startsWith("NodeGroupNodes failed inside talos-burst; see its log for incident ")
                .doesNotContain("s3cret")
                .doesNotContain("Thing");
        assertThat(status.getStatus().getCause()).isNull();
    }
}
