package dev.talosburst.autoscaler.grpc;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** The production transport: gRPC over TLS with client certificates required, PEM paths from talosburst.grpc.tls.*. */
public class MutualTlsProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        TestCertificates pki = TestCertificates.get();
        return Map.of(
                "talosburst.grpc.plaintext", "false",
                "talosburst.grpc.tls.cert", pki.serverCert.toString(),
                "talosburst.grpc.tls.key", pki.serverKey.toString(),
                "talosburst.grpc.tls.client-ca", pki.caCert.toString(),
                // short, so the renewal test sees a renewed certificate quickly
                "talosburst.grpc.tls.reload-period", "1s");
    }
}
