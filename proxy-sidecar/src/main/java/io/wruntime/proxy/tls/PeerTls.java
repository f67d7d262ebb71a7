package io.wruntime.proxy.tls;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.wruntime.common.config.ConfigException;
import io.wruntime.common.security.CallerIdentity;
import io.wruntime.common.security.CallerIdentity.Role;
import io.wruntime.common.tls.IdentityTrustManager;
import io.wruntime.common.tls.TlsFiles;
import io.wruntime.common.tls.TlsMaterial;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The TLS of the peer port, both ways, from the node's {@code [node.tls]} files: the listener
 * requires a client certificate, the client presents the same node certificate; each side accepts
 * only a chain to the configured CA whose leaf names a {@code node} (host names are not checked).
 * ALPN offers {@code h2} first, then {@code http/1.1}. JDK provider: no native library needed.
 */
public final class PeerTls {
  /** TLS versions spoken on the peer port. */
  static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  private final SslContext server;
  private final SslContext client;
  private final CallerIdentity self;

  private PeerTls(SslContext server, SslContext client, CallerIdentity self) {
    this.server = server;
    this.client = client;
    this.self = self;
  }

  /**
   * Reads the node's certificate, key and CA.
   *
   * @param source the configuration file, for messages
   * @throws ConfigException naming the {@code [node.tls]} key whose file is unusable and why
   */
  public static PeerTls load(TlsFiles files, String source) {
    requireNonNull(files, "files");
    requireNonNull(source, "source");
    TlsMaterial material;
    try {
      material = TlsMaterial.load(files);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(source + ": [node.tls] " + e.getMessage(), e);
    }
    CallerIdentity self = material.identity();
    if (self.role() != Role.NODE) {
      throw new ConfigException(
          source
              + ": node.tls.cert_path = \""
              + files.certPath()
              + "\" cannot serve the peer port: it names "
              + self
              + " (expected: a node certificate, spiffe://<trust-domain>/node/<name>)");
    }
    IdentityTrustManager trust = material.trustManager(Set.of(Role.NODE));
    KeyManagerFactory keys = material.keyManagerFactory();
    ApplicationProtocolConfig alpn =
        new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2,
            ApplicationProtocolNames.HTTP_1_1);
    try {
      SslContext server =
          SslContextBuilder.forServer(keys)
              .sslProvider(SslProvider.JDK)
              .trustManager(trust)
              .clientAuth(ClientAuth.REQUIRE)
              .protocols(PROTOCOLS)
              .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
              .applicationProtocolConfig(alpn)
              .build();
      SslContext client =
          SslContextBuilder.forClient()
              .sslProvider(SslProvider.JDK)
              .keyManager(keys)
              .trustManager(trust)
              // Peers are dialed by pod IP: the chain and the node role are the check, not a name.
              .endpointIdentificationAlgorithm(null)
              .protocols(PROTOCOLS)
              .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
              .applicationProtocolConfig(alpn)
              .build();
      return new PeerTls(server, client, self);
    } catch (SSLException e) {
      throw new ConfigException(
          source + ": [node.tls] cannot build the peer port's TLS: " + e.getMessage(), e);
    }
  }

  /** The TLS of accepted peer connections (client certificate required). */
  public SslContext server() {
    return server;
  }

  /** The TLS of connections to other proxies' peer ports. */
  public SslContext client() {
    return client;
  }

  /** The node this proxy's own certificate names. */
  public CallerIdentity self() {
    return self;
  }

  /**
   * The verified node at the other end of a completed handshake.
   *
   * @throws SSLPeerUnverifiedException when the session has no peer certificate
   * @throws CertificateException when it names no node (the trust manager already refused those)
   */
  public static CallerIdentity peer(SslHandler handler)
      throws SSLPeerUnverifiedException, CertificateException {
    SSLSession session = handler.engine().getSession();
    Certificate[] certificates = session.getPeerCertificates();
    X509Certificate[] chain = new X509Certificate[certificates.length];
    for (int i = 0; i < certificates.length; i++) {
      chain[i] = (X509Certificate) certificates[i];
    }
    if (chain.length == 0) {
      throw new CertificateException("no certificate (expected: a node certificate)");
    }
    CallerIdentity identity;
    try {
      identity = CallerIdentity.of(chain[0]);
    } catch (IllegalArgumentException e) {
      throw new CertificateException(e.getMessage(), e);
    }
    if (identity.role() != Role.NODE) {
      throw new CertificateException(
          "certificate names " + identity + " (expected: a node certificate)");
    }
    return identity;
  }
}
