package dev.talosburst.autoscaler.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.autoscaler.testing.ManagementEndpoint;
import dev.talosburst.proto.externalgrpc.CloudProviderGrpc;
import dev.talosburst.proto.externalgrpc.NodeGroupsRequest;
import io.grpc.ManagedChannel;
import io.quarkus.test.junit.QuarkusTest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Health and Prometheus metrics on the management interface (not on the gRPC port). */
@QuarkusTest
class ManagementEndpointsTest {

    private static HttpResponse<String> get(String path) throws Exception {
        return ManagementEndpoint.get(path);
    }

    @Test
    void readinessReportsTheHetznerView() throws Exception {
        HttpResponse<String> ready = get("/q/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"hetzner-view\"").contains("\"UP\"").contains("lastSyncAt");
    }

    @Test
    void prometheusMetricsIncludeGrpcServerAndNodeGroupMeters() throws Exception {
        ManagedChannel channel = GrpcTestChannels.plaintext();
        try {
            CloudProviderGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .nodeGroups(NodeGroupsRequest.getDefaultInstance());
        } finally {
            GrpcTestChannels.close(channel);
        }
        HttpResponse<String> metrics = get("/q/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .contains("grpc_server_processing_duration_seconds")
                .contains("method=\"NodeGroups\"")
                .contains("talosburst_nodegroup_target_size{pool=\"cx22-fsn1\"}");
    }
}
