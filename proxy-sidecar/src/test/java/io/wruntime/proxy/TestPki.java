package io.wruntime.proxy;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
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
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for tests: a CA and the certificates it issues (EC P-256), as
 * PEM files the proxy's {@code [node.tls]} reads and as {@link SSLContext}s for test clients.
 */
final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private final Path dir;
  private final String name;
  private final KeyPair caKey;
  private final X509Certificate ca;
  final Path caPath;

  /** Certificate and key files issued to one identity. */
  record Issued(Path certPath, Path keyPath, Path caPath, X509Certificate cert, PrivateKey key) {
    /** The {@code tls = {...}} entry of a {@code [node]} inline table. */
    String toml() {
      return "tls = { cert_path = \"%s\", key_path = \"%s\", ca_cert_path = \"%s\" }"
          .formatted(certPath, keyPath, caPath);
    }
  }

  private TestPki(Path dir, String name) throws GeneralSecurityException, IOException {
    this.dir = dir;
    this.name = name;
    this.caKey = keyPair();
    X500Name subject = new X500Name("CN=" + name + " test CA");
    Instant now = Instant.now();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            subject,
            BigInteger.valueOf(SERIAL.incrementAndGet()),
            Date.from(now.minus(1, ChronoUnit.HOURS)),
            Date.from(now.plus(1, ChronoUnit.DAYS)),
            subject,
            caKey.getPublic());
    try {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      this.ca = sign(builder);
    } catch (org.bouncycastle.cert.CertIOException e) {
      throw new IOException(e);
    }
    this.caPath = dir.resolve(name + "-ca.crt");
    Files.writeString(caPath, pem("CERTIFICATE", ca.getEncoded()));
  }

  /** A new CA whose files go to {@code dir}. */
  static TestPki create(Path dir, String name) throws GeneralSecurityException, IOException {
    return new TestPki(dir, name);
  }

  /**
   * A certificate for {@code spiffe://wruntime/<role>/<name>} (and IP 127.0.0.1, for clients that
   * check host names), for TLS clients and servers.
   */
  Issued issue(String role, String holder) throws GeneralSecurityException, IOException {
    KeyPair key = keyPair();
    Instant now = Instant.now();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            new X500Name("CN=" + name + " test CA"),
            BigInteger.valueOf(SERIAL.incrementAndGet()),
            Date.from(now.minus(1, ChronoUnit.HOURS)),
            Date.from(now.plus(1, ChronoUnit.DAYS)),
            new X500Name("CN=" + holder),
            key.getPublic());
    X509Certificate cert;
    try {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(
              new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(
                    GeneralName.uniformResourceIdentifier,
                    "spiffe://wruntime/" + role + "/" + holder),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")
              }));
      cert = sign(builder);
    } catch (org.bouncycastle.cert.CertIOException e) {
      throw new IOException(e);
    }
    Path certPath = dir.resolve(name + "-" + role + "-" + holder + ".crt");
    Path keyPath = dir.resolve(name + "-" + role + "-" + holder + ".key");
    Files.writeString(certPath, pem("CERTIFICATE", cert.getEncoded()));
    Files.writeString(keyPath, pem("PRIVATE KEY", key.getPrivate().getEncoded()));
    return new Issued(certPath, keyPath, caPath, cert, key.getPrivate());
  }

  /** A TLS context presenting {@code issued} and trusting this CA. */
  SSLContext sslContext(Issued issued) throws GeneralSecurityException, IOException {
    return sslContextTrusting(issued, this);
  }

  /** A TLS context presenting {@code issued} and trusting the CA of {@code trusted}. */
  SSLContext sslContextTrusting(Issued issued, TestPki trusted)
      throws GeneralSecurityException, IOException {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    char[] password = "test".toCharArray();
    keys.setKeyEntry("key", issued.key(), password, new X509Certificate[] {issued.cert()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, password);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", trusted.ca);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return context;
  }

  private X509Certificate sign(X509v3CertificateBuilder builder) throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(
                  new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate())));
    } catch (org.bouncycastle.operator.OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
