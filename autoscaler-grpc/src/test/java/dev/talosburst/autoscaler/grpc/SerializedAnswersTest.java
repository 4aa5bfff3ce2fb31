package dev.talosburst.autoscaler.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.proto.externalgrpc.CloudProviderGrpc;
import dev.talosburst.proto.externalgrpc.Instance;
import dev.talosburst.proto.externalgrpc.NodeGroupNodesResponse;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** An answer sent again is serialised once; a new answer is serialised anew; other methods are bound as they were. */
class SerializedAnswersTest {

    private final AtomicInteger serialised = new AtomicInteger();
    private final MethodDescriptor.Marshaller<NodeGroupNodesResponse> proto =
            ProtoUtils.marshaller(NodeGroupNodesResponse.getDefaultInstance());
    private final MethodDescriptor.Marshaller<NodeGroupNodesResponse> counting = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(NodeGroupNodesResponse value) {
            serialised.incrementAndGet();
            return proto.stream(value);
        }

        @Override
        public NodeGroupNodesResponse parse(InputStream stream) {
            return proto.parse(stream);
        }
    };
    private final SerializedAnswers<NodeGroupNodesResponse> answers = new SerializedAnswers<>(counting);

    private static NodeGroupNodesResponse answer(String... ids) {
        NodeGroupNodesResponse.Builder b = NodeGroupNodesResponse.newBuilder();
        for (String id : ids) {
            b.addInstances(Instance.newBuilder().setId(id));
        }
        return b.build();
    }

    private static byte[] drained(InputStream stream) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int length = ((Drainable) stream).drainTo(out);
        assertThat(length).isEqualTo(out.size());
        return out.toByteArray();
    }

    @Test
    void theSameAnswerIsSerialisedOnceAndDrainsToItsBytes() throws IOException {
        NodeGroupNodesResponse a = answer("hcloud://1", "hcloud://2");
        InputStream first = answers.stream(a);
        assertThat(first).isInstanceOf(KnownLength.class);
        assertThat(first.available()).isEqualTo(a.getSerializedSize());
        assertThat(drained(first)).isEqualTo(a.toByteArray());
        assertThat(drained(answers.stream(a))).isEqualTo(a.toByteArray());
        assertThat(answers.stream(a).readAllBytes())
                .as("read like any stream, too")
                .isEqualTo(a.toByteArray());
        assertThat(serialised).hasValue(1);

        NodeGroupNodesResponse equalButNew = answer("hcloud://1", "hcloud://2");
        NodeGroupNodesResponse changed = answer("hcloud://1", "hcloud://3");
        assertThat(drained(answers.stream(changed))).isEqualTo(changed.toByteArray());
        assertThat(drained(answers.stream(equalButNew))).isEqualTo(a.toByteArray());
        assertThat(serialised).as("known by reference only").hasValue(3);
        assertThat(answers.parse(answers.stream(changed))).isEqualTo(changed);
    }

    @Test
    void manyAnswersNeverGetEachOthersBytes() throws IOException {
        // more answers than the cache holds: collisions re-serialise, they never answer with another message's bytes
        NodeGroupNodesResponse[] all = new NodeGroupNodesResponse[2_000];
        for (int i = 0; i < all.length; i++) {
            all[i] = answer("hcloud://" + i);
        }
        for (int round = 0; round < 2; round++) {
            for (NodeGroupNodesResponse message : all) {
                assertThat(drained(answers.stream(message))).isEqualTo(message.toByteArray());
            }
        }
    }

    @Test
    void onlyTheNamedMethodsAreBoundWithIt() {
        ServerServiceDefinition original = new CloudProviderGrpc.CloudProviderImplBase() {}.bindService();
        String nodes = CloudProviderGrpc.getNodeGroupNodesMethod().getFullMethodName();
        ServerServiceDefinition bound = SerializedAnswers.of(original, Set.of(nodes));

        assertThat(bound.getServiceDescriptor().getName())
                .isEqualTo(original.getServiceDescriptor().getName());
        assertThat(bound.getServiceDescriptor().getSchemaDescriptor())
                .isSameAs(original.getServiceDescriptor().getSchemaDescriptor());
        assertThat(bound.getMethods()).hasSameSizeAs(original.getMethods());
        assertThat(bound.getMethod(nodes).getMethodDescriptor().getResponseMarshaller())
                .isInstanceOf(SerializedAnswers.class);
        assertThat(bound.getMethod(nodes).getServerCallHandler())
                .isSameAs(original.getMethod(nodes).getServerCallHandler());
        String groups = CloudProviderGrpc.getNodeGroupsMethod().getFullMethodName();
        assertThat(bound.getMethod(groups)).isSameAs(original.getMethod(groups));
    }
}
