package dev.talosburst.benchmarks;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

/**
 * Reads each answer's bytes without decoding them and hands the caller the message type's default instance, as the
 * benchmark's health-check baseline always did: the figures are then what the server costs, without the client decoding
 * a 100-instance answer on the same two cores ({@code -Dbench.decode-answers=false}).
 */
final class UndecodedAnswers implements ClientInterceptor {

    @Override
    public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
        @SuppressWarnings("unchecked")
        A prototype = ((MethodDescriptor.PrototypeMarshaller<A>) method.getResponseMarshaller()).getMessagePrototype();
        ClientCall<Q, byte[]> call = next.newCall(
                method.toBuilder(method.getRequestMarshaller(), new ServiceBenchmark.Bytes())
                        .build(),
                options);
        return new ClientCall<>() {
            @Override
            public void start(Listener<A> listener, Metadata headers) {
                call.start(
                        new Listener<byte[]>() {
                            @Override
                            public void onHeaders(Metadata h) {
                                listener.onHeaders(h);
                            }

                            @Override
                            public void onMessage(byte[] answer) {
                                listener.onMessage(prototype);
                            }

                            @Override
                            public void onClose(Status status, Metadata trailers) {
                                listener.onClose(status, trailers);
                            }

                            @Override
                            public void onReady() {
                                listener.onReady();
                            }
                        },
                        headers);
            }

            @Override
            public void request(int n) {
                call.request(n);
            }

            @Override
            public void cancel(String message, Throwable cause) {
                call.cancel(message, cause);
            }

            @Override
            public void halfClose() {
                call.halfClose();
            }

            @Override
            public void sendMessage(Q message) {
                call.sendMessage(message);
            }

            @Override
            public boolean isReady() {
                return call.isReady();
            }
        };
    }
}
