package io.wruntime.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.common.security.CallerIdentity;
import io.wruntime.common.security.CallerIdentity.Role;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
  private static final Clock CLOCK = Clock.systemUTC();

  @Test
  void theCaIsAnEcdsaCaCertificateThatNamesItsTrustDomain(@TempDir Path dir) throws Exception {
    CertificateAuthority.create("example.org", Duration.ofDays(30), CLOCK).writeTo(dir, false);

    X509Certificate ca = certificate(dir.resolve("ca.crt"));
    assertThat(ca.getBasicConstraints()).isEqualTo(Integer.MAX_VALUE);
    assertThat(ca.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");
    assertThat(ca.getKeyUsage()[5]).as("keyCertSign").isTrue();
    assertThat(ca.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(ca.getSigAlgName()).isEqualTo("SHA256withECDSA");
    ca.verify(ca.getPublicKey());
    assertThat(ca.getSubjectAlternativeNames()).containsExactly(List.of(6, "spiffe://example.org"));
    assertThat(Duration.between(Instant.now(), ca.getNotAfter().toInstant()))
        .isBetween(Duration.ofDays(29), Duration.ofDays(30));
    assertThat(pkcs8(dir.resolve("ca.key"))).isInstanceOf(ECPrivateKey.class);
    assertThat(Files.getPosixFilePermissions(dir.resolve("ca.key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(CertificateAuthority.load(dir).trustDomain()).isEqualTo("example.org");
  }

  @Test
  void anIssuedCertificateNamesItsHolderAndChainsToTheCa(@TempDir Path dir) throws Exception {
    CertificateAuthority.create("example.org", Duration.ofDays(3650), CLOCK)
        .writeTo(dir.resolve("ca"), false);
    CertificateAuthority ca = CertificateAuthority.load(dir.resolve("ca"));

    ca.issue(
            new CallerIdentity(Role.NODE, "node-a"),
            List.of("node-a.example"),
            List.of(InetAddress.getByName("10.1.2.3")),
            Duration.ofDays(90),
            CLOCK)
        .writeTo(dir.resolve("node-a"), false);

    Path out = dir.resolve("node-a");
    X509Certificate leaf = certificate(out.resolve("tls.crt"));
    X509Certificate caCert = certificate(out.resolve("ca.crt"));
    assertThat(caCert).isEqualTo(certificate(dir.resolve("ca/ca.crt")));
    assertThat(leaf.getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(
            List.of(6, "spiffe://example.org/node/node-a"),
            List.of(2, "node-a.example"),
            List.of(7, "10.1.2.3"));
    assertThat(leaf.getSubjectX500Principal().getName()).contains("CN=node:node-a");
    assertThat(leaf.getExtendedKeyUsage())
        .containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(Duration.between(Instant.now(), leaf.getNotAfter().toInstant()))
        .isBetween(Duration.ofDays(89), Duration.ofDays(90));
    assertThat(CallerIdentity.of(leaf)).isEqualTo(new CallerIdentity(Role.NODE, "node-a"));
    assertThat(Files.getPosixFilePermissions(out.resolve("tls.key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));

    PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(caCert, null)));
    parameters.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(
            CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), parameters);

    TlsMaterial material =
        TlsMaterial.load(
            new TlsFiles(out.resolve("tls.crt"), out.resolve("tls.key"), out.resolve("ca.crt")));
    assertThat(material.identity()).isEqualTo(new CallerIdentity(Role.NODE, "node-a"));
  }

  @Test
  void existingFilesAreKeptUnlessOverwriteIsAsked(@TempDir Path dir) throws Exception {
    CertificateAuthority.create("wruntime", Duration.ofDays(10), CLOCK).writeTo(dir, false);
    String before = Files.readString(dir.resolve("ca.crt"));

    assertThatThrownBy(
            () ->
                CertificateAuthority.create("wruntime", Duration.ofDays(10), CLOCK)
                    .writeTo(dir, false))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("ca.crt")
        .hasMessageContaining("--force");
    assertThat(Files.readString(dir.resolve("ca.crt"))).isEqualTo(before);

    CertificateAuthority.create("wruntime", Duration.ofDays(10), CLOCK).writeTo(dir, true);
    assertThat(Files.readString(dir.resolve("ca.crt"))).isNotEqualTo(before);
  }

  @Test
  void badInputIsNamed(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> CertificateAuthority.create("Bad Domain", Duration.ofDays(1), CLOCK))
        .hasMessageStartingWith("trust domain: Bad Domain (expected:");
    assertThatThrownBy(() -> CertificateAuthority.load(dir.resolve("missing")))
        .hasMessageContaining(
            "missing is not a directory (expected: a CA directory made by wr-cli"
                + " cert init-ca)");
    assertThatThrownBy(() -> CertificateAuthority.load(dir))
        .hasMessageContaining("has no readable ca.crt");
    CertificateAuthority ca = CertificateAuthority.create("wruntime", Duration.ofDays(10), CLOCK);
    assertThatThrownBy(
            () ->
                ca.issue(
                    new CallerIdentity(Role.ADMIN, "alice"),
                    List.of(),
                    List.of(),
                    Duration.ofDays(20),
                    CLOCK))
        .hasMessageContaining("after the CA's own certificate");
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused(@TempDir Path dir) throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("wruntime", Duration.ofDays(10), CLOCK);
    ca.issue(new CallerIdentity(Role.NODE, "a"), List.of(), List.of(), Duration.ofDays(5), CLOCK)
        .writeTo(dir.resolve("a"), false);
    ca.issue(new CallerIdentity(Role.NODE, "b"), List.of(), List.of(), Duration.ofDays(5), CLOCK)
        .writeTo(dir.resolve("b"), false);

    assertThatThrownBy(
            () ->
                TlsMaterial.load(
                    new TlsFiles(
                        dir.resolve("a/tls.crt"),
                        dir.resolve("b/tls.key"),
                        dir.resolve("a/ca.crt"))))
        .hasMessageContaining("b/tls.key: the private key does not belong to the certificate");
    assertThatThrownBy(
            () ->
                TlsMaterial.load(
                    new TlsFiles(
                        dir.resolve("a/tls.crt"),
                        dir.resolve("a/tls.key"),
                        dir.resolve("a/tls.crt"))))
        .hasMessageContaining("a/tls.crt: CN=node:a, O=wruntime is not a CA certificate");
    CertificateAuthority other =
        CertificateAuthority.create("wruntime", Duration.ofDays(10), CLOCK);
    other.writeTo(dir.resolve("other"), false);
    assertThatThrownBy(
            () ->
                TlsMaterial.load(
                    new TlsFiles(
                        dir.resolve("a/tls.crt"),
                        dir.resolve("a/tls.key"),
                        dir.resolve("other/ca.crt"))))
        .hasMessageContaining("is not valid under the CA of");
  }

  @Test
  void aCaBundleMayHoldSeveralCas(@TempDir Path dir) throws Exception {
    CertificateAuthority old = CertificateAuthority.create("wruntime", Duration.ofDays(10), CLOCK);
    CertificateAuthority current =
        CertificateAuthority.create("wruntime", Duration.ofDays(10), CLOCK);
    old.issue(new CallerIdentity(Role.NODE, "a"), List.of(), List.of(), Duration.ofDays(5), CLOCK)
        .writeTo(dir, false);
    Files.writeString(
        dir.resolve("ca.crt"),
        Pem.certificates(List.of(current.certificate())),
        java.nio.file.StandardOpenOption.APPEND);

    TlsMaterial material =
        TlsMaterial.load(
            new TlsFiles(dir.resolve("tls.crt"), dir.resolve("tls.key"), dir.resolve("ca.crt")));

    assertThat(material.identity()).isEqualTo(new CallerIdentity(Role.NODE, "a"));
  }

  private static X509Certificate certificate(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static Object pkcs8(Path file) throws Exception {
    String pem = Files.readString(file);
    assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n");
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("EC")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
  }
}
