package dev.talosburst.autoscaler.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.proto.externalgrpc.CloudProviderGrpc;
import dev.talosburst.proto.externalgrpc.NodeGroupDecreaseTargetSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupIncreaseSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupNodesRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupTargetSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupsRequest;
import dev.talosburst.provisioner.engine.NodeGroupEngine;
import dev.talosburst.provisioner.nodegroup.AutoscalingOptions;
import dev.talosburst.provisioner.nodegroup.InstanceView;
import dev.talosburst.provisioner.nodegroup.NodeGroupSummary;
import dev.talosburst.provisioner.nodegroup.NodeGroups;
import dev.talosburst.provisioner.nodegroup.NodeRef;
import dev.talosburst.provisioner.nodegroup.NodeTemplate;
import dev.talosburst.provisioner.nodegroup.PodRequests;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Which thread runs what: what answers from memory without I/O (the reads, IncreaseSize) runs on the event loop like the
 * gRPC health check, no hop to a worker; the mutations that publish or log on the calling thread run on a worker, never
 * on the event loop every RPC of a connection shares.
 */
@QuarkusTest
@TestProfile(RpcThreadsTest.RecordingThreads.class)
class RpcThreadsTest {

    /** Enables {@link ThreadRecordingNodeGroups} for this test class only. */
    public static class RecordingThreads implements QuarkusTestProfile {
        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(ThreadRecordingNodeGroups.class);
        }
    }

    /** The engine, noting which thread called each method. */
    @Alternative
    @Singleton
    public static class ThreadRecordingNodeGroups implements NodeGroups {
        static final Map<String, String> THREADS = new ConcurrentHashMap<>();

        @Inject
        NodeGroupEngine engine;

        private NodeGroups engine(String method) {
            THREADS.put(method, Thread.currentThread().getName());
            return engine;
        }

        @Override
        public List<NodeGroupSummary> all() {
            return engine("all").all();
        }

        @Override
        public Optional<NodeGroupSummary> forNode(NodeRef node) {
            return engine("forNode").forNode(node);
        }

        @Override
        public int targetSize(String groupId) {
            return engine("targetSize").targetSize(groupId);
        }

        @Override
        public void increaseSize(String groupId, int delta) {
            engine("increaseSize").increaseSize(groupId, delta);
        }

        @Override
        public void deleteNodes(String groupId, List<NodeRef> nodes) {
            engine("deleteNodes").deleteNodes(groupId, nodes);
        }

        @Override
        public void decreaseTargetSize(String groupId, int delta) {
            engine("decreaseTargetSize").decreaseTargetSize(groupId, delta);
        }

        @Override
        public List<InstanceView> instances(String groupId) {
            return engine("instances").instances(groupId);
        }

        @Override
        public NodeTemplate template(String groupId) {
            return engine("template").template(groupId);
        }

        @Override
        public AutoscalingOptions options(String groupId, AutoscalingOptions defaults) {
            return engine("options").options(groupId, defaults);
        }

        @Override
        public double nodePrice(NodeRef node, Instant start, Instant end) {
            return engine("nodePrice").nodePrice(node, start, end);
        }

        @Override
        public double podPrice(PodRequests pod, Instant start, Instant end) {
            return engine("podPrice").podPrice(pod, start, end);
        }

        @Override
        public void refresh() {
            engine("refresh").refresh();
        }

        @Override
        public void cleanup() {
            engine("cleanup").cleanup();
        }
    }

    @Test
    void readsAnswerOnTheEventLoopAndMutationsOnAWorkerThread() throws InterruptedException {
        ManagedChannel channel = GrpcTestChannels.plaintext();
        try {
            CloudProviderGrpc.CloudProviderBlockingStub ca =
                    CloudProviderGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
            String pool = "cx22-fsn1";
            ca.nodeGroups(NodeGroupsRequest.getDefaultInstance());
            ca.nodeGroupNodes(NodeGroupNodesRequest.newBuilder().setId(pool).build());
            ca.nodeGroupTargetSize(
                    NodeGroupTargetSizeRequest.newBuilder().setId(pool).build());
            ca.nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest.newBuilder()
                    .setId(pool)
                    .setDelta(1)
                    .build());
            try {
                ca.nodeGroupDecreaseTargetSize(NodeGroupDecreaseTargetSizeRequest.newBuilder()
                        .setId(pool)
                        .setDelta(-1)
                        .build());
            } catch (StatusRuntimeException refused) {
                // the simulator may have created the server already: nothing left to cancel; the call was made
            }
        } finally {
            GrpcTestChannels.close(channel);
        }
        Map<String, String> threads = ThreadRecordingNodeGroups.THREADS;
        for (String fromMemory : List.of("all", "instances", "targetSize", "increaseSize")) {
            assertThat(threads.get(fromMemory)).as(fromMemory).startsWith("vert.x-eventloop");
        }
        assertThat(threads.get("decreaseTargetSize"))
                .as("it logs on the calling thread")
                .isNotNull()
                .doesNotStartWith("vert.x-eventloop");
    }
}
