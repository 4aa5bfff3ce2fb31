package dev.talosburst.autoscaler.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.talosburst.proto.externalgrpc.CloudProviderGrpc;
import dev.talosburst.proto.externalgrpc.NodeGroupsRequest;
import dev.talosburst.proto.externalgrpc.RefreshRequest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContextBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.File;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;

/**
 * Real TLS connections to the running service, configured as in production: only a client presenting a certificate
 * from the configured client CA gets an answer.
 */
@QuarkusTest
@TestProfile(MutualTlsProfile.class)
class MutualTlsTest {

    private final TestCertificates pki = TestCertificates.get();

    @Test
    void clientWithCertificateFromTheClientCaIsServed() throws Exception {
        ManagedChannel channel = tls(pki.clientCert.toFile(), pki.clientKey.toFile());
        try {
            CloudProviderGrpc.CloudProviderBlockingStub ca = stub(channel);
            ca.refresh(RefreshRequest.getDefaultInstance());
            assertThat(ca.nodeGroups(NodeGroupsRequest.getDefaultInstance()).getNodeGroupsCount())
                    .isPositive();
        } finally {
            GrpcTestChannels.close(channel);
        }
    }

    @Test
    void renewedServerCertificateIsServedWithoutRestart() throws Exception {
        BigInteger before = servedCertificateSerial();
        BigInteger renewed = pki.renewServerCertificate();
        assertThat(renewed).isNotEqualTo(before);

        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(servedCertificateSerial()).isEqualTo(renewed));
    }

    /** The serial of the certificate the server presents on a new connection (after a successful mTLS call). */
    private BigInteger servedCertificateSerial() throws Exception {
        AtomicReference<SSLSession> session = new AtomicReference<>();
        ManagedChannel channel = tls(pki.clientCert.toFile(), pki.clientKey.toFile());
        try {
            Channel capturing = ClientInterceptors.intercept(channel, new ClientInterceptor() {
                @Override
                public <Q, A> ClientCall<Q, A> interceptCall(
                        MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
                    ClientCall<Q, A> call = next.newCall(method, options);
                    return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
                        @Override
                        public void start(Listener<A> listener, Metadata headers) {
                            super.start(
                                    new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                                        @Override
                                        public void onHeaders(Metadata responseHeaders) {
                                            session.set(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
                                            super.onHeaders(responseHeaders);
                                        }
                                    },
                                    headers);
                        }
                    };
                }
            });
            CloudProviderGrpc.newBlockingStub(capturing)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .refresh(RefreshRequest.getDefaultInstance());
        } finally {
            GrpcTestChannels.close(channel);
        }
        return ((X509Certificate) session.get().getPeerCertificates()[0]).getSerialNumber();
    }

    @Test
    void clientWithoutCertificateIsRefused() throws Exception {
        assertRefused(tls(null, null));
    }

    @Test
    void clientWithCertificateFromAnotherCaIsRefused() throws Exception {
        assertRefused(tls(pki.rogueClientCert.toFile(), pki.rogueClientKey.toFile()));
    }

    @Test
    void plaintextClientIsRefused() throws Exception {
        assertRefused(NettyChannelBuilder.forAddress("127.0.0.1", GrpcTestChannels.tlsPort())
                .usePlaintext()
                .build());
    }

    private ManagedChannel tls(File cert, File key) throws Exception {
        SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(pki.caCert.toFile());
        if (cert != null) {
            ssl.keyManager(cert, key);
        }
        // CA dials "address" and verifies the server certificate against that host: here localhost (a SAN).
        return NettyChannelBuilder.forAddress("localhost", GrpcTestChannels.tlsPort())
                .sslContext(ssl.build())
                .build();
    }

    private static CloudProviderGrpc.CloudProviderBlockingStub stub(ManagedChannel channel) {
        return CloudProviderGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    }

    private static void assertRefused(ManagedChannel channel) throws InterruptedException {
        try {
            assertThatThrownBy(() -> stub(channel).nodeGroups(NodeGroupsRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(
                            StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode())
                                    .isIn(
                                            Status.Code.UNAVAILABLE,
                                            Status.Code.INTERNAL,
                                            // a TLS listener that never answers a plaintext preface on a loaded machine
                                            Status.Code.DEADLINE_EXCEEDED));
        } finally {
            GrpcTestChannels.close(channel);
        }
    }
}
