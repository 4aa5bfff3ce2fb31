package dev.talosburst.autoscaler.grpc;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away PKI written as PEM files, as cert-manager would issue them: a CA, a server certificate for
 * {@code localhost}/127.0.0.1, a client certificate from the same CA, and a client certificate from another CA.
 */
public final class TestCertificates {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private static TestCertificates instance;

    public final Path dir;
    public final Path caCert;
    public final Path serverCert;
    public final Path serverKey;
    public final Path clientCert;
    public final Path clientKey;
    public final Path rogueClientCert;
    public final Path rogueClientKey;
    private final KeyPair caKeys;
    private final X509Certificate ca;

    private TestCertificates(Path dir) throws Exception {
        this.dir = dir;
        caKeys = keys();
        ca = caCertificate("CN=talos-burst test CA", caKeys);
        caCert = write("ca.crt", ca);

        KeyPair serverKeys = keys();
        serverCert = write("server.crt", leaf("CN=localhost", serverKeys, ca, caKeys, true));
        serverKey = write("server.key", serverKeys);

        KeyPair clientKeys = keys();
        clientCert = write("client.crt", leaf("CN=cluster-autoscaler", clientKeys, ca, caKeys, false));
        clientKey = write("client.key", clientKeys);

        KeyPair rogueCaKeys = keys();
        X509Certificate rogueCa = caCertificate("CN=someone else's CA", rogueCaKeys);
        KeyPair rogueKeys = keys();
        rogueClientCert = write("rogue.crt", leaf("CN=cluster-autoscaler", rogueKeys, rogueCa, rogueCaKeys, false));
        rogueClientKey = write("rogue.key", rogueKeys);
    }

    /**
     * Replaces the server certificate and key files in place (same CA, new key, new serial), as cert-manager renews
     * them; returns the new certificate's serial number.
     */
    synchronized BigInteger renewServerCertificate() throws Exception {
        KeyPair serverKeys = keys();
        X509Certificate renewed = leaf("CN=localhost", serverKeys, ca, caKeys, true);
        Path cert = write("server.crt.new", renewed);
        Path key = write("server.key.new", serverKeys);
        Files.move(
                key,
                serverKey,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Files.move(
                cert,
                serverCert,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return renewed.getSerialNumber();
    }

    /** One set per test JVM (the TLS profile's configuration and its tests must see the same files). */
    public static synchronized TestCertificates get() {
        if (instance == null) {
            try {
                Path dir = Files.createTempDirectory("talosburst-tls");
                dir.toFile().deleteOnExit();
                instance = new TestCertificates(dir);
            } catch (Exception e) {
                throw new IllegalStateException("cannot generate test certificates", e);
            }
        }
        return instance;
    }

    private static KeyPair keys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate caCertificate(String subject, KeyPair keys) throws Exception {
        X500Name name = new X500Name(subject);
        X509v3CertificateBuilder builder = builder(name, name, keys);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        return sign(builder, keys);
    }

    private static X509Certificate leaf(
            String subject, KeyPair keys, X509Certificate issuer, KeyPair issuerKeys, boolean server) throws Exception {
        X509v3CertificateBuilder builder = builder(
                X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()), new X500Name(subject), keys);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(
                Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        builder.addExtension(
                Extension.extendedKeyUsage,
                false,
                new ExtendedKeyUsage(server ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
        if (server) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")
            }));
        }
        return sign(builder, issuerKeys);
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(
                issuer,
                BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(1))),
                subject,
                keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws Exception {
        return new JcaX509CertificateConverter()
                .getCertificate(
                        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }

    private Path write(String name, Object pem) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(pem instanceof KeyPair pair ? new JcaPKCS8Generator(pair.getPrivate(), null) : pem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Path file = dir.resolve(name);
            Files.writeString(file, text.toString());
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
