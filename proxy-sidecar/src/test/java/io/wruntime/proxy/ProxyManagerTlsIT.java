package io.wruntime.proxy;

import static io.wruntime.proxy.Mesh.ref;
import static io.wruntime.proxy.ProxyProcesses.ADMIN;
import static io.wruntime.proxy.ProxyProcesses.LISTENING;
import static io.wruntime.proxy.ProxyProcesses.MANAGER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wruntime.common.security.CallerIdentity.Role;
import io.wruntime.common.testing.TestCertificates;
import io.wruntime.common.tls.CertificateAuthority;
import io.wruntime.proto.v1.ModuleRef;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/wr-proxy} with {@code [node.tls]} next to {@code bin/wr-manager} with {@code [tls]},
 * as child processes with certificates from the code behind {@code wr-cli cert}: the proxy relays
 * an engine's registration to the manager and routes by the table the manager pushes, all over
 * mTLS; a proxy whose certificate comes from another CA gets nothing from the manager.
 */
class ProxyManagerTlsIT {
  private static final ModuleRef ECHO = ref("example", "echo", "1.0.0");
  private static final Clock CLOCK = Clock.systemUTC();

  @TempDir Path dir;

  @Test
  void aProxyWithTheNodeCertificateGetsItsTableFromATlsManager() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("wruntime", Duration.ofDays(10), CLOCK);
    Path managerCerts = issue(ca, Role.MANAGER, "manager");
    Path nodeCerts = issue(ca, Role.NODE, "node-a");
    try (ChildProcess manager = startManager(managerCerts);
        FakeEngine engine = new FakeEngine()) {
      int managerPort = Integer.parseInt(manager.await(MANAGER).group(1));
      try (ChildProcess proxy = startProxy(managerPort, nodeCerts)) {
        Matcher ports = proxy.await(LISTENING);
        int listen = Integer.parseInt(ports.group(1));
        int control = Integer.parseInt(ports.group(3));
        ProxyProcesses.registerHealthy(control, engine, ECHO);
        HttpClient http = HttpClient.newHttpClient();

        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () ->
                    assertThat(
                            http.send(
                                    HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + listen + "/"))
                                        .header("x-wr-destination", "http://example.echo/")
                                        .build(),
                                    HttpResponse.BodyHandlers.discarding())
                                .statusCode())
                        .as(proxy.output())
                        .isEqualTo(200));
      }
    }
  }

  @Test
  void aProxyWithACertificateOfAnotherCaIsRefusedByTheManager() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("wruntime", Duration.ofDays(10), CLOCK);
    CertificateAuthority stranger =
        CertificateAuthority.create("wruntime", Duration.ofDays(10), CLOCK);
    Path managerCerts = issue(ca, Role.MANAGER, "manager");
    Path impostor = issue(stranger, Role.NODE, "node-x");
    // The impostor trusts its own CA and the real one, so only its certificate can be the problem.
    Files.writeString(
        impostor.resolve("ca.crt"),
        Files.readString(managerCerts.resolve("ca.crt")),
        StandardOpenOption.APPEND);
    try (ChildProcess manager = startManager(managerCerts)) {
      int managerPort = Integer.parseInt(manager.await(MANAGER).group(1));
      try (ChildProcess proxy = startProxy(managerPort, impostor)) {
        int admin = Integer.parseInt(proxy.await(ADMIN).group(1));
        HttpClient http = HttpClient.newHttpClient();

        // The proxy presents its certificate (the manager names no CAs it wants), and the
        // manager's handshake refuses it.
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    proxy
                        .output()
                        .contains("routing table stream to the manager is down (UNAVAILABLE"));
        assertThat(
                http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/readyz"))
                            .build(),
                        HttpResponse.BodyHandlers.discarding())
                    .statusCode())
            .isEqualTo(503);
      }
    }
  }

  private ChildProcess startManager(Path certs) throws Exception {
    Path config = dir.resolve("manager.toml");
    Files.writeString(
        config,
        """
        listen_address = "127.0.0.1:0"
        [tls]
        """
            + TestCertificates.tomlKeys(certs));
    return ChildProcess.start(
        "wr-manager", dir.resolve("manager.log"), "-Xmx64m", "--config", config.toString());
  }

  private ChildProcess startProxy(int managerPort, Path certs) throws Exception {
    Path config = dir.resolve("proxy.toml");
    Files.writeString(
        config,
        """
        listen_address = "127.0.0.1:0"
        control_address = "127.0.0.1:0"
        manager_address = "127.0.0.1:%d"
        admin_address = "127.0.0.1:0"
        [node]
        name = "node-a"
        peer_port = 0
        [node.tls]
        """
                .formatted(managerPort)
            + TestCertificates.tomlKeys(certs));
    return ChildProcess.start(
        "wr-proxy", dir.resolve("proxy.log"), "-Xmx64m", "--config", config.toString());
  }

  private Path issue(CertificateAuthority authority, Role role, String name) throws Exception {
    return TestCertificates.issue(authority, role, name, dir).dir();
  }
}
