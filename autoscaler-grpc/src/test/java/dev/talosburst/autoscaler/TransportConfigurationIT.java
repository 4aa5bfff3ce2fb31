package dev.talosburst.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.talosburst.autoscaler.grpc.TestCertificates;
import dev.talosburst.autoscaler.testing.PackagedApp;
import dev.talosburst.proto.externalgrpc.CloudProviderGrpc;
import dev.talosburst.proto.externalgrpc.NodeGroup;
import dev.talosburst.proto.externalgrpc.NodeGroupsRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The gRPC transport and the management interface, configured the four ways an operator can, on the packaged jar: mTLS
 * on the configured port and bind address, a client without a certificate refused, health and metrics on every
 * interface, exactly the pools the operator wrote, and a start-up log without Quarkus noise.
 */
class TransportConfigurationIT {

    /** Where the options are written. */
    enum Way {
        CONFIG_LOCATIONS_FILE,
        WORKING_DIRECTORY_FILE,
        ENVIRONMENT,
        SYSTEM_PROPERTIES
    }

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Way.class)
    void mutualTlsOnTheConfiguredAddressWhereverItIsSet(Way way) throws Exception {
        TestCertificates pki = TestCertificates.get();
        int grpcPort = PackagedApp.freePort();
        int managementPort = PackagedApp.freePort();
        Map<String, String> options =
                mutualTlsOptions(pki, grpcPort, managementPort, Map.of("talosburst.grpc.host", "0.0.0.0"));

        PackagedApp.Builder builder =
                PackagedApp.named("transport-" + way.name().toLowerCase(Locale.ROOT));
        switch (way) {
            case CONFIG_LOCATIONS_FILE ->
                builder.env("QUARKUS_CONFIG_LOCATIONS", write(dir.resolve("talos-burst.properties"), options));
            case WORKING_DIRECTORY_FILE ->
                builder.workingDirectory(write(dir.resolve("config/application.properties"), options)
                        .getParent()
                        .getParent());
            case ENVIRONMENT -> asEnvironment(builder, options);
            case SYSTEM_PROPERTIES -> options.forEach(builder::systemProperty);
        }
        try (PackagedApp app = builder.start()) {
            app.awaitPort(grpcPort);

            assertThat(PackagedApp.listeningAddresses(grpcPort))
                    .as("gRPC bind address")
                    .containsExactly("0.0.0.0");
            assertThat(ids(channel(pki.caCert, pki.clientCert, pki.clientKey, grpcPort)))
                    .as("exactly the pools this configuration defines")
                    .containsExactly("burst");
            assertRefused(channel(pki.caCert, null, null, grpcPort));
            assertRefused(NettyChannelBuilder.forAddress("127.0.0.1", grpcPort)
                    .usePlaintext()
                    .build());

            app.awaitPort(managementPort);
            assertThat(PackagedApp.listeningAddresses(managementPort))
                    .as("management bind address with TLS")
                    .containsExactly("0.0.0.0");
            HttpResponse<String> live = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/health/live"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(app.output())
                    .contains("gRPC CloudProvider on 0.0.0.0:" + grpcPort + ": mTLS, client certificates required")
                    .doesNotContain(
                            "cannot be changed at runtime", "virtual threads", "insecure-requests", "PLAINTEXT");
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Way.class,
            names = {"CONFIG_LOCATIONS_FILE", "ENVIRONMENT"})
    void managementHostIsItsOwnOption(Way way) throws Exception {
        int grpcPort = PackagedApp.freePort();
        int managementPort = PackagedApp.freePort();
        TestCertificates pki = TestCertificates.get();
        Map<String, String> options =
                mutualTlsOptions(pki, grpcPort, managementPort, Map.of("talosburst.management.host", "127.0.0.1"));
        PackagedApp.Builder builder =
                PackagedApp.named("management-host-" + way.name().toLowerCase(Locale.ROOT));
        if (way == Way.ENVIRONMENT) {
            asEnvironment(builder, options);
        } else {
            builder.env("QUARKUS_CONFIG_LOCATIONS", write(dir.resolve("m.properties"), options));
        }
        try (PackagedApp app = builder.start()) {
            app.awaitPort(grpcPort).awaitPort(managementPort);
            assertThat(PackagedApp.listeningAddresses(grpcPort))
                    .as("gRPC keeps its loopback default")
                    .containsExactly("127.0.0.1");
            assertThat(PackagedApp.listeningAddresses(managementPort)).containsExactly("127.0.0.1");
            assertThat(app.output()).contains("health and metrics on http://127.0.0.1:" + managementPort + "/q/health");
        }
    }

    /** The embedded simulator, one pool and gRPC over mTLS on {@code grpcPort}, plus {@code extra}. */
    private static Map<String, String> mutualTlsOptions(
            TestCertificates pki, int grpcPort, int managementPort, Map<String, String> extra) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("talosburst.hcloud.embedded-simulator", "true");
        options.put("talosburst.grpc.plaintext", "false");
        options.put("talosburst.grpc.port", String.valueOf(grpcPort));
        options.put("talosburst.grpc.tls.cert", pki.serverCert.toString());
        options.put("talosburst.grpc.tls.key", pki.serverKey.toString());
        options.put("talosburst.grpc.tls.client-ca", pki.caCert.toString());
        options.put("talosburst.management.port", String.valueOf(managementPort));
        options.put("talosburst.pools.burst.server-type", "cx22");
        options.put("talosburst.pools.burst.location", "fsn1");
        options.put("talosburst.pools.burst.max", "2");
        options.putAll(extra);
        return options;
    }

    /** Each option as the environment variable an operator would set (upper case, every other character {@code _}). */
    private static void asEnvironment(PackagedApp.Builder builder, Map<String, String> options) {
        options.forEach((k, v) -> builder.env(k.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"), v));
    }

    private static Path write(Path file, Map<String, String> options) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(
                file,
                options.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining("\n", "", "\n")));
        return file;
    }

    private static ManagedChannel channel(Path ca, Path cert, Path key, int port) throws Exception {
        SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(ca.toFile());
        if (cert != null) {
            ssl.keyManager(cert.toFile(), key.toFile());
        }
        return NettyChannelBuilder.forAddress("localhost", port)
                .sslContext(ssl.build())
                .build();
    }

    private static java.util.List<String> ids(ManagedChannel channel) throws InterruptedException {
        try {
            return CloudProviderGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .nodeGroups(NodeGroupsRequest.getDefaultInstance())
                    .getNodeGroupsList()
                    .stream()
                    .map(NodeGroup::getId)
                    .toList();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static void assertRefused(ManagedChannel channel) throws InterruptedException {
        try {
            assertThatThrownBy(() -> CloudProviderGrpc.newBlockingStub(channel)
                            .withDeadlineAfter(10, TimeUnit.SECONDS)
                            .nodeGroups(NodeGroupsRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(
                            StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode())
                                    .isIn(
                                            Status.Code.UNAVAILABLE,
                                            Status.Code.INTERNAL,
                                            // a TLS listener that never answers a plaintext preface on a loaded machine
                                            Status.Code.DEADLINE_EXCEEDED));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
