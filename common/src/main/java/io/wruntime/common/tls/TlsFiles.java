package io.wruntime.common.tls;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.config.TomlTable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The TLS material of one process, as PEM files: its certificate chain, its private key (PKCS#8)
 * and the CA certificates it trusts for its peers. Read from a {@code [tls]} / {@code [node.tls]}
 * table with the keys {@code cert_path}, {@code key_path} and {@code ca_cert_path}; relative paths
 * resolve against the working directory.
 *
 * @param certPath PEM certificate chain, leaf first
 * @param keyPath PEM private key of the leaf certificate
 * @param caCertPath PEM CA certificate(s) that peers' certificates must chain to
 */
public record TlsFiles(Path certPath, Path keyPath, Path caCertPath) {
  private static final Set<String> KEYS = Set.of("cert_path", "key_path", "ca_cert_path");

  public TlsFiles {
    requireNonNull(certPath, "certPath");
    requireNonNull(keyPath, "keyPath");
    requireNonNull(caCertPath, "caCertPath");
  }

  /**
   * Reads and checks a TLS table: all three keys present, every file readable, both certificate
   * files holding at least one PEM certificate.
   *
   * @throws io.wruntime.common.config.ConfigException naming the key and what was expected
   */
  public static TlsFiles read(TomlTable table) {
    table.rejectUnknownKeys(KEYS);
    Path cert = readable(table, "cert_path");
    Path key = readable(table, "key_path");
    Path ca = readable(table, "ca_cert_path");
    certificates(table, "cert_path", cert);
    certificates(table, "ca_cert_path", ca);
    return new TlsFiles(cert, key, ca);
  }

  /** The certificates of the CA bundle. */
  public List<X509Certificate> caCertificates() {
    return load(caCertPath);
  }

  /** The certificate chain, leaf first. */
  public List<X509Certificate> certificateChain() {
    return load(certPath);
  }

  private static Path readable(TomlTable table, String key) {
    if (!table.has(key)) {
      throw table.error(key, "is missing (expected: the path of a PEM file)");
    }
    Path path = Path.of(table.requireString(key));
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw table.error(key, "= \"" + path + "\" is not a readable file (expected: a PEM file)");
    }
    return path;
  }

  private static void certificates(TomlTable table, String key, Path path) {
    try {
      if (parse(path).isEmpty()) {
        throw table.error(
            key, "= \"" + path + "\" holds no certificate (expected: PEM certificates)");
      }
    } catch (IOException | CertificateException e) {
      throw table.error(
          key, "= \"" + path + "\" is not readable as PEM certificates: " + e.getMessage());
    }
  }

  private static List<X509Certificate> load(Path path) {
    try {
      return parse(path);
    } catch (IOException | CertificateException e) {
      throw new IllegalStateException(path + ": not readable as PEM certificates", e);
    }
  }

  private static List<X509Certificate> parse(Path path) throws IOException, CertificateException {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    try (InputStream in = Files.newInputStream(path)) {
      List<X509Certificate> out = new ArrayList<>();
      for (var certificate : factory.generateCertificates(in)) {
        out.add((X509Certificate) certificate);
      }
      return List.copyOf(out);
    }
  }
}
