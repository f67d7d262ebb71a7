package io.wruntime.common.testing;

import io.wruntime.common.security.CallerIdentity;
import io.wruntime.common.security.CallerIdentity.Role;
import io.wruntime.common.tls.CertificateAuthority;
import io.wruntime.common.tls.TlsFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates for tests, made by the {@link CertificateAuthority} behind {@code wr-cli cert}: a CA
 * and the certificates it issues, written as the files a {@code [tls]} table names.
 */
public final class TestCertificates {
  private static final Clock CLOCK = Clock.systemUTC();

  private TestCertificates() {}

  /** A new CA of trust domain {@code wruntime}, valid for 10 days. */
  public static CertificateAuthority authority() {
    return CertificateAuthority.create(
        CertificateAuthority.DEFAULT_TRUST_DOMAIN, Duration.ofDays(10), CLOCK);
  }

  /**
   * Issues a certificate for {@code role}/{@code name} (valid for 5 days, with the IP SAN 127.0.0.1
   * for clients that check host names) and writes {@code tls.crt}, {@code tls.key} and {@code
   * ca.crt} into a new directory {@code <role>-<name>...} below {@code dir}.
   */
  public static Issued issue(CertificateAuthority authority, Role role, String name, Path dir)
      throws IOException {
    CertificateAuthority.Issued issued =
        authority.issue(
            new CallerIdentity(role, name),
            List.of(),
            List.of(InetAddress.getLoopbackAddress()),
            Duration.ofDays(5),
            CLOCK);
    Path out = Files.createTempDirectory(dir, role.label() + "-" + name + "-");
    issued.writeTo(out, true);
    return new Issued(out, issued);
  }

  /**
   * The {@code tls.crt}, {@code tls.key} and {@code ca.crt} of {@code dir} as a {@code [tls]}
   * table.
   */
  public static TlsFiles files(Path dir) {
    return new TlsFiles(
        dir.resolve(CertificateAuthority.CERT),
        dir.resolve(CertificateAuthority.KEY),
        dir.resolve(CertificateAuthority.CA_CERT));
  }

  /**
   * The {@code cert_path}, {@code key_path} and {@code ca_cert_path} lines of a {@code [tls]} table
   * naming the files of {@code dir} (as {@code wr-cli cert generate} writes them).
   */
  public static String tomlKeys(Path dir) {
    TlsFiles files = files(dir);
    return "cert_path = \"%s\"\nkey_path = \"%s\"\nca_cert_path = \"%s\"\n"
        .formatted(files.certPath(), files.keyPath(), files.caCertPath());
  }

  /**
   * One issued certificate and the directory holding its files.
   *
   * @param dir the directory of {@code tls.crt}, {@code tls.key} and {@code ca.crt}
   * @param issued the certificate, its key and its CA's certificate
   */
  public record Issued(Path dir, CertificateAuthority.Issued issued) {
    public Path certPath() {
      return dir.resolve(CertificateAuthority.CERT);
    }

    public Path keyPath() {
      return dir.resolve(CertificateAuthority.KEY);
    }

    public Path caPath() {
      return dir.resolve(CertificateAuthority.CA_CERT);
    }

    /** The three files as a {@code [tls]} table names them. */
    public TlsFiles files() {
      return TestCertificates.files(dir);
    }

    /** The {@code tls = {...}} entry of an inline table such as a proxy's {@code [node]}. */
    public String inlineToml() {
      return "tls = { cert_path = \"%s\", key_path = \"%s\", ca_cert_path = \"%s\" }"
          .formatted(certPath(), keyPath(), caPath());
    }

    /** A client TLS context presenting this certificate and trusting its own CA. */
    public SSLContext sslContext() throws GeneralSecurityException, IOException {
      return sslContextTrusting(issued.authority());
    }

    /** A client TLS context presenting this certificate and trusting {@code ca}. */
    public SSLContext sslContextTrusting(X509Certificate ca)
        throws GeneralSecurityException, IOException {
      char[] password = "test".toCharArray();
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("key", issued.key(), password, new X509Certificate[] {issued.certificate()});
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return context;
    }
  }
}
