package io.wruntime.common.tls;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.security.CallerIdentity;
import io.wruntime.common.security.CallerIdentity.Role;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a peer whose certificate chains to the deployment's CA and whose leaf names a wruntime
 * identity of an accepted role.
 *
 * <p>Host names are deliberately not checked, whatever endpoint identification the TLS engine asks
 * for: wruntime dials its peers by pod IP or by a port-forward's loopback address, neither of which
 * a certificate could name in advance, and what a caller needs to know is not which host answered
 * but that the answer comes from a holder of a CA-issued certificate with the right role (a proxy
 * only talks to a {@code manager}, a peer only to a {@code node}). The CA is private to the
 * deployment, so chain plus role is the authentication. Every {@code check*} method therefore
 * delegates to the two-argument form of the PKIX trust manager, which never checks host names; the
 * class extends {@link X509ExtendedTrustManager} so that the JDK does not wrap it in its own
 * host-name checking adapter.
 */
public final class IdentityTrustManager extends X509ExtendedTrustManager {
  private final X509ExtendedTrustManager chain;
  private final Set<Role> roles;

  /**
   * @param chain verifies the certificate chain to the CA
   * @param roles the roles a peer may have; empty to check the chain only (the manager's server,
   *     which answers an identity-less certificate with UNAUTHENTICATED rather than a failed
   *     handshake)
   */
  IdentityTrustManager(X509ExtendedTrustManager chain, Set<Role> roles) {
    this.chain = requireNonNull(chain, "chain");
    this.roles = roles.isEmpty() ? Set.of() : EnumSet.copyOf(roles);
  }

  /** The roles a peer must have; empty when only the chain is checked. */
  public Set<Role> roles() {
    return roles;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] certificates, String authType)
      throws CertificateException {
    chain.checkClientTrusted(certificates, authType);
    checkIdentity(certificates, "client");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] certificates, String authType)
      throws CertificateException {
    chain.checkServerTrusted(certificates, authType);
    checkIdentity(certificates, "server");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] certificates, String authType, Socket socket)
      throws CertificateException {
    checkClientTrusted(certificates, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] certificates, String authType, Socket socket)
      throws CertificateException {
    checkServerTrusted(certificates, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] certificates, String authType, SSLEngine engine)
      throws CertificateException {
    checkClientTrusted(certificates, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] certificates, String authType, SSLEngine engine)
      throws CertificateException {
    checkServerTrusted(certificates, authType);
  }

  /**
   * None: a server asks for a client certificate without naming CAs. A TLS client picks its
   * certificate by the CAs the server names, so a client whose certificate comes from another CA
   * would otherwise send none and look anonymous; this way it sends the one it has and fails the
   * handshake on it, which says plainly what is wrong. The chain is verified against the CA all the
   * same.
   */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }

  private void checkIdentity(X509Certificate[] certificates, String side)
      throws CertificateException {
    if (roles.isEmpty()) {
      return;
    }
    CallerIdentity identity;
    try {
      identity = CallerIdentity.of(certificates[0]);
    } catch (IllegalArgumentException e) {
      throw new CertificateException("the " + side + " " + e.getMessage(), e);
    }
    if (!roles.contains(identity.role())) {
      throw new CertificateException(
          "the "
              + side
              + " certificate names "
              + identity
              + " (expected: role "
              + roles.stream().map(Role::label).sorted().collect(Collectors.joining(" or "))
              + ")");
    }
  }
}
