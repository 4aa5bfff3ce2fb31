package dev.talosburst.autoscaler.grpc;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A response marshaller that serialises an answer once however often it is sent. The cached answers
 * ({@link RepeatedAnswers}, {@link TemplateAnswers}) hand out the same message object while nothing changed; serialising
 * a 100-instance {@code NodeGroupNodes} answer again on every call was the largest part of what the call cost the event
 * loop, and the stream it was written to grew step by step (about 7 KB of garbage per call).
 *
 * @param <T> the response type
 */
final class SerializedAnswers<T> implements MethodDescriptor.Marshaller<T> {

    /**
     * Direct-mapped by identity: a collision or a new answer costs one serialisation, never a wrong answer (the message is
     * compared by reference, and messages are immutable). Holds at most this many answers, current or replaced: a few
     * MB even for pools of thousands of servers.
     */
    private static final int SLOTS = 64;

    private record Serialized(Object message, byte[] bytes) {}

    private final MethodDescriptor.Marshaller<T> delegate;
    private final AtomicReferenceArray<Serialized> slots = new AtomicReferenceArray<>(SLOTS);

    SerializedAnswers(MethodDescriptor.Marshaller<T> delegate) {
        this.delegate = delegate;
    }

    @Override
    public InputStream stream(T message) {
        int slot = System.identityHashCode(message) & (SLOTS - 1);
        Serialized known = slots.get(slot);
        if (known == null || known.message() != message) {
            known = new Serialized(message, serialise(message));
            slots.set(slot, known);
        }
        return new SerializedStream(known.bytes());
    }

    @Override
    public T parse(InputStream stream) {
        return delegate.parse(stream);
    }

    private byte[] serialise(T message) {
        try (InputStream stream = delegate.stream(message)) {
            return stream.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("serialising a gRPC answer in memory failed", e);
        }
    }

    /** The service with the answers of {@code methods} (full method names) serialised once each; the rest as it was. */
    static ServerServiceDefinition of(ServerServiceDefinition service, Set<String> methods) {
        ServiceDescriptor original = service.getServiceDescriptor();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor()); // gRPC reflection still describes the service
        List<ServerMethodDefinition<?, ?>> bound = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            ServerMethodDefinition<?, ?> kept =
                    methods.contains(method.getMethodDescriptor().getFullMethodName())
                            ? serialisedOnce(method)
                            : method;
            descriptor.addMethod(kept.getMethodDescriptor());
            bound.add(kept);
        }
        ServerServiceDefinition.Builder result = ServerServiceDefinition.builder(descriptor.build());
        bound.forEach(result::addMethod);
        return result.build();
    }

    private static <Q, A> ServerMethodDefinition<Q, A> serialisedOnce(ServerMethodDefinition<Q, A> method) {
        MethodDescriptor<Q, A> descriptor = method.getMethodDescriptor();
        return ServerMethodDefinition.create(
                descriptor.toBuilder()
                        .setResponseMarshaller(new SerializedAnswers<>(descriptor.getResponseMarshaller()))
                        .build(),
                method.getServerCallHandler());
    }

    /** Drained into the transport's buffer in one write; its length is known up front. */
    private static final class SerializedStream extends ByteArrayInputStream implements Drainable, KnownLength {
        SerializedStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int length = count - pos;
            target.write(buf, pos, length);
            pos = count;
            return length;
        }
    }
}
