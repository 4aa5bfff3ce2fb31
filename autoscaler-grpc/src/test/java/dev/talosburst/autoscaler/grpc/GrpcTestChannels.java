package dev.talosburst.autoscaler.grpc;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;

/** Channels to the running application's gRPC port over a real socket, as cluster-autoscaler connects. */
final class GrpcTestChannels {

    private GrpcTestChannels() {}

    /** The port Quarkus bound for plaintext tests (test-port=0 picks a free one). */
    static int plaintextPort() {
        return ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
    }

    /** The port Quarkus bound for TLS tests. */
    static int tlsPort() {
        return ConfigProvider.getConfig().getValue("quarkus.http.test-ssl-port", Integer.class);
    }

    static ManagedChannel plaintext() {
        return NettyChannelBuilder.forAddress("127.0.0.1", plaintextPort())
                .usePlaintext()
                .build();
    }

    static void close(ManagedChannel channel) throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
