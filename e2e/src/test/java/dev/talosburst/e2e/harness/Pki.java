package dev.talosburst.e2e.harness;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
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

/** A throw-away certificate authority writing PEM files (PKCS#8 RSA keys), as a cluster's PKI would issue them. */
public final class Pki {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate and its key on disk. */
    public record Issued(Path cert, Path key) {}

    private final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final Path caCert;

    /** A new CA named {@code name}, writing into {@code dir}. */
    public Pki(Path dir, String name) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            caKeys = rsa();
            X500Name subject = new X500Name("CN=" + name);
            X509v3CertificateBuilder b = builder(subject, subject, caKeys);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(
                    Extension.keyUsage,
                    true,
                    new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            ca = sign(b, caKeys);
            caCert = write(name + "-ca.crt", ca);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create CA " + name, e);
        }
    }

    /** The CA certificate (PEM). */
    public Path caCert() {
        return caCert;
    }

    /** A client certificate: CN = user, O = each group (how kube-apiserver reads client certificates). */
    public Issued client(String fileName, String user, String... groups) {
        return issue(fileName, user, List.of(groups), false, List.of());
    }

    /** A server certificate valid for these DNS names and IP addresses. */
    public Issued server(String fileName, String commonName, String... sans) {
        return issue(fileName, commonName, List.of(), true, List.of(sans));
    }

    /** An RSA key pair written as {@code <name>.key} (PKCS#8) and {@code <name>.pub} (SubjectPublicKeyInfo). */
    public Issued keyPair(String name) {
        try {
            KeyPair keys = rsa();
            return new Issued(write(name + ".pub", keys.getPublic()), writeKey(name + ".key", keys));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Issued issue(String fileName, String cn, List<String> groups, boolean server, List<String> sans) {
        try {
            KeyPair keys = rsa();
            X500NameBuilder name = new X500NameBuilder(BCStyle.INSTANCE);
            for (String g : groups) {
                name.addRDN(BCStyle.O, g);
            }
            name.addRDN(BCStyle.CN, cn);
            X509v3CertificateBuilder b =
                    builder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()), name.build(), keys);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(
                    Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            b.addExtension(
                    Extension.extendedKeyUsage,
                    false,
                    new ExtendedKeyUsage(
                            server
                                    ? new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}
                                    : new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth}));
            if (!sans.isEmpty()) {
                List<GeneralName> names = new ArrayList<>();
                for (String s : sans) {
                    boolean ip = s.chars().allMatch(c -> Character.isDigit(c) || c == '.');
                    names.add(
                            ip
                                    ? new GeneralName(
                                            GeneralName.iPAddress,
                                            InetAddress.getByName(s).getHostAddress())
                                    : new GeneralName(GeneralName.dNSName, s));
                }
                b.addExtension(
                        Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            }
            return new Issued(write(fileName + ".crt", sign(b, caKeys)), writeKey(fileName + ".key", keys));
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue certificate " + fileName, e);
        }
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(
                issuer,
                BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(2))),
                subject,
                keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) throws Exception {
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer.getPrivate())));
    }

    private Path writeKey(String name, KeyPair keys) throws Exception {
        return write(name, new JcaPKCS8Generator(keys.getPrivate(), null));
    }

    private Path write(String name, Object pem) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            w.writeObject(pem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return Files.writeString(dir.resolve(name), text.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
