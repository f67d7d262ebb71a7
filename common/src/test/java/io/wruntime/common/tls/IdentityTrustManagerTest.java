package io.wruntime.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.common.security.CallerIdentity;
import io.wruntime.common.security.CallerIdentity.Role;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real TLS handshakes over loopback with certificates made by {@link CertificateAuthority}. */
class IdentityTrustManagerTest {
  private static final Clock CLOCK = Clock.systemUTC();

  @TempDir Path dir;

  @Test
  void peersOfTheSameCaWithTheExpectedRolesAuthenticateEachOtherWithoutHostNames()
      throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("wruntime", Duration.ofDays(10), CLOCK);
    TlsMaterial server = material(ca, Role.MANAGER, "manager");
    TlsMaterial client = material(ca, Role.NODE, "node-a");

    CallerIdentity seen = handshake(server, Set.of(Role.NODE), client, Set.of(Role.MANAGER));

    assertThat(seen).isEqualTo(new CallerIdentity(Role.NODE, "node-a"));
  }

  @Test
  void aClientFromAnotherCaIsRefused() throws Exception {
    TlsMaterial server =
        material(
            CertificateAuthority.create("wruntime", Duration.ofDays(10), CLOCK), Role.MANAGER, "m");
    TlsMaterial stranger =
        material(
            CertificateAuthority.create("wruntime", Duration.ofDays(10), CLOCK), Role.NODE, "x");

    assertThatThrownBy(() -> handshake(server, Set.of(), stranger, Set.of()))
        .isInstanceOf(IOException.class);
  }

  @Test
  void aServerWithTheWrongRoleIsRefusedByTheClient() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("wruntime", Duration.ofDays(10), CLOCK);
    TlsMaterial impostor = material(ca, Role.NODE, "node-b");
    TlsMaterial client = material(ca, Role.NODE, "node-a");

    assertThatThrownBy(() -> handshake(impostor, Set.of(), client, Set.of(Role.MANAGER)))
        .isInstanceOf(SSLHandshakeException.class)
        .hasStackTraceContaining("names node/node-b (expected: role manager)");
  }

  private TlsMaterial material(CertificateAuthority ca, Role role, String name) throws Exception {
    Path out = dir.resolve(role.label() + "-" + name + "-" + System.nanoTime());
    ca.issue(new CallerIdentity(role, name), List.of(), List.of(), Duration.ofDays(5), CLOCK)
        .writeTo(out, false);
    return TlsMaterial.load(
        new TlsFiles(out.resolve("tls.crt"), out.resolve("tls.key"), out.resolve("ca.crt")));
  }

  /** Handshakes; returns the identity the server saw. */
  private static CallerIdentity handshake(
      TlsMaterial server, Set<Role> serverAccepts, TlsMaterial client, Set<Role> clientAccepts)
      throws Exception {
    SSLContext serverContext = SSLContext.getInstance("TLS");
    serverContext.init(
        server.keyManagerFactory().getKeyManagers(),
        new TrustManager[] {server.trustManager(serverAccepts)},
        null);
    SSLContext clientContext = SSLContext.getInstance("TLS");
    clientContext.init(
        client.keyManagerFactory().getKeyManagers(),
        new TrustManager[] {client.trustManager(clientAccepts)},
        null);
    try (SSLServerSocket listener =
        (SSLServerSocket)
            serverContext
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      listener.setNeedClientAuth(true);
      CompletableFuture<CallerIdentity> accepted =
          CompletableFuture.supplyAsync(
              () -> {
                try (SSLSocket socket = (SSLSocket) listener.accept()) {
                  socket.startHandshake();
                  socket.getOutputStream().write(1);
                  socket.getOutputStream().flush();
                  return CallerIdentity.of(
                      (X509Certificate) socket.getSession().getPeerCertificates()[0]);
                } catch (IOException e) {
                  return null;
                }
              });
      try (SSLSocket socket =
          (SSLSocket)
              clientContext
                  .getSocketFactory()
                  .createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
        SSLParameters parameters = socket.getSSLParameters();
        // What gRPC's client asks for: the trust manager must still not compare host names.
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        if (socket.getInputStream().read() != 1) {
          throw new IOException("the server closed the connection");
        }
      }
      return accepted.join();
    }
  }
}
