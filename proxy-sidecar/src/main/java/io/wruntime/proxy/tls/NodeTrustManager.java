package io.wruntime.proxy.tls;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.security.CallerIdentity;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a peer when its certificate chains to the deployment's CA (PKIX, host names not checked:
 * peers are dialed by pod IP) and its leaf names a {@link CallerIdentity} of role {@code node}. The
 * same check serves both directions of the peer port: the peer listener checks the calling proxy,
 * the peer client checks the proxy it called.
 */
final class NodeTrustManager extends X509ExtendedTrustManager {
  private final X509ExtendedTrustManager pkix;

  private NodeTrustManager(X509ExtendedTrustManager pkix) {
    this.pkix = pkix;
  }

  /** Trusting the certificates of {@code cas}. */
  static NodeTrustManager of(List<X509Certificate> cas) throws GeneralSecurityException {
    requireNonNull(cas, "cas");
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    try {
      store.load(null, null);
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException("an empty key store cannot be created", e);
    }
    for (int i = 0; i < cas.size(); i++) {
      store.setCertificateEntry("ca-" + i, cas.get(i));
    }
    TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
    factory.init(store);
    for (TrustManager manager : factory.getTrustManagers()) {
      if (manager instanceof X509ExtendedTrustManager extended) {
        return new NodeTrustManager(extended);
      }
    }
    throw new GeneralSecurityException("the JDK's PKIX provider has no X509ExtendedTrustManager");
  }

  /**
   * The node a verified chain names.
   *
   * @throws CertificateException when the leaf names no identity or one of another role
   */
  static CallerIdentity requireNode(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("no certificate (expected: a node certificate)");
    }
    CallerIdentity identity;
    try {
      identity = CallerIdentity.of(chain[0]);
    } catch (IllegalArgumentException e) {
      throw new CertificateException(e.getMessage(), e);
    }
    if (identity.role() != CallerIdentity.Role.NODE) {
      throw new CertificateException(
          "certificate "
              + chain[0].getSubjectX500Principal()
              + " names "
              + identity
              + " (expected: a node certificate, spiffe://<trust-domain>/node/<name>)");
    }
    return identity;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    pkix.checkClientTrusted(chain, authType, engine);
    requireNode(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    pkix.checkServerTrusted(chain, authType, engine);
    requireNode(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    pkix.checkClientTrusted(chain, authType, socket);
    requireNode(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    pkix.checkServerTrusted(chain, authType, socket);
    requireNode(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    pkix.checkClientTrusted(chain, authType);
    requireNode(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    pkix.checkServerTrusted(chain, authType);
    requireNode(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return pkix.getAcceptedIssuers();
  }
}
