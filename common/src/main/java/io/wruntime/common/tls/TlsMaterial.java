package io.wruntime.common.tls;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.config.ConfigException;
import io.wruntime.common.config.TomlTable;
import io.wruntime.common.security.CallerIdentity;
import io.wruntime.common.security.CallerIdentity.Role;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS material of one process, loaded and checked, as transport-neutral JSSE factories: the key
 * managers present its certificate, the trust managers accept peers whose certificates chain to the
 * CA and name a wruntime identity of an expected role (see {@link IdentityTrustManager}). gRPC
 * (grpc-netty-shaded's {@code TlsServerCredentials}/{@code TlsChannelCredentials}) and plain Netty
 * ({@code SslContextBuilder}) both take them.
 */
public final class TlsMaterial {
  private final TlsFiles files;
  private final List<X509Certificate> chain;
  private final PrivateKey key;
  private final List<X509Certificate> authorities;
  private final CallerIdentity identity;

  private TlsMaterial(
      TlsFiles files,
      List<X509Certificate> chain,
      PrivateKey key,
      List<X509Certificate> authorities,
      CallerIdentity identity) {
    this.files = files;
    this.chain = chain;
    this.key = key;
    this.authorities = authorities;
    this.identity = identity;
  }

  /**
   * Loads and checks the files: the key is the certificate's, the certificate chains to the CA and
   * names a wruntime identity.
   *
   * @throws IllegalArgumentException naming the file, what was wrong and what was expected
   */
  public static TlsMaterial load(TlsFiles files) {
    requireNonNull(files, "files");
    List<X509Certificate> chain = files.certificateChain();
    List<X509Certificate> authorities = files.caCertificates();
    for (X509Certificate authority : authorities) {
      if (authority.getBasicConstraints() < 0) {
        throw new IllegalArgumentException(
            files.caCertPath()
                + ": "
                + authority.getSubjectX500Principal()
                + " is not a CA certificate (expected: the CA's certificate, basicConstraints"
                + " CA:true, e.g. the ca.crt written by wr-cli cert)");
      }
    }
    PrivateKey key = Pem.readPrivateKey(files.keyPath());
    X509Certificate leaf = chain.getFirst();
    checkKeyMatches(files, leaf, key);
    CallerIdentity identity;
    try {
      identity = CallerIdentity.of(leaf);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(files.certPath() + ": " + e.getMessage(), e);
    }
    TlsMaterial material = new TlsMaterial(files, chain, key, authorities, identity);
    try {
      material
          .trustManager(Set.of())
          .checkClientTrusted(chain.toArray(X509Certificate[]::new), "UNKNOWN");
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          files.certPath()
              + ": the certificate "
              + leaf.getSubjectX500Principal()
              + " is not valid under the CA of "
              + files.caCertPath()
              + ": "
              + e.getMessage()
              + " (expected: a current certificate issued by that CA, e.g. by wr-cli cert generate)",
          e);
    }
    return material;
  }

  /**
   * Reads a {@code [tls]}-style table ({@link TlsFiles#read}) and checks its material as {@link
   * #load} does, and that the certificate names role {@code role}, so that a configuration with an
   * unusable certificate fails at startup as a configuration error.
   *
   * @throws ConfigException naming the table, the file and what was expected
   */
  public static TlsFiles checked(TomlTable table, Role role) {
    requireNonNull(role, "role");
    TlsFiles files = TlsFiles.read(table);
    TlsMaterial material;
    try {
      material = load(files);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(table.source() + ": [" + table.path() + "] " + e.getMessage(), e);
    }
    if (material.identity().role() != role) {
      throw table.error(
          "cert_path",
          "= \""
              + files.certPath()
              + "\" names "
              + material.identity()
              + " (expected: a certificate of role "
              + role.label()
              + ", e.g. from wr-cli cert generate --role "
              + role.label()
              + ")");
    }
    return files;
  }

  /** The files this material was read from. */
  public TlsFiles files() {
    return files;
  }

  /** The identity this process's own certificate names. */
  public CallerIdentity identity() {
    return identity;
  }

  /** Key managers that present this process's certificate chain. */
  public KeyManagerFactory keyManagerFactory() {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = new char[0];
      store.setKeyEntry("wruntime", key, password, chain.toArray(X509Certificate[]::new));
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, password);
      return factory;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build key managers from " + files.certPath(), e);
    }
  }

  /**
   * A trust manager that accepts peers whose certificate chains to the CA and names one of {@code
   * roles} (no host-name check; see {@link IdentityTrustManager}).
   *
   * @param roles the accepted roles; empty to check only the chain
   */
  public IdentityTrustManager trustManager(Set<Role> roles) {
    requireNonNull(roles, "roles");
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      int i = 0;
      for (X509Certificate authority : authorities) {
        store.setCertificateEntry("ca-" + i++, authority);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(store);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager x509) {
          return new IdentityTrustManager(x509, roles);
        }
      }
      throw new IllegalStateException(
          "PKIX trust manager factory made no X509ExtendedTrustManager");
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build trust managers from " + files.caCertPath(), e);
    }
  }

  private static void checkKeyMatches(TlsFiles files, X509Certificate leaf, PrivateKey key) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          default ->
              throw new IllegalArgumentException(
                  files.keyPath()
                      + ": key algorithm "
                      + key.getAlgorithm()
                      + " (expected: EC or RSA)");
        };
    byte[] probe = new byte[32];
    new SecureRandom().nextBytes(probe);
    boolean matches;
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(probe);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      matches = false;
    }
    if (!matches) {
      throw new IllegalArgumentException(
          files.keyPath()
              + ": the private key does not belong to the certificate "
              + leaf.getSubjectX500Principal()
              + " of "
              + files.certPath()
              + " (expected: the key generated with that certificate)");
    }
  }
}
