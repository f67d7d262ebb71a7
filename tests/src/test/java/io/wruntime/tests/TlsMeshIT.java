package io.wruntime.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.wruntime.common.security.CallerIdentity.Role;
import io.wruntime.common.tls.TlsFiles;
import io.wruntime.common.tls.TlsMaterial;
import io.wruntime.proto.v1.GetRoutingTableRequest;
import io.wruntime.proto.v1.ManagerServiceGrpc;
import io.wruntime.tests.LocalCluster.CliResult;
import io.wruntime.tests.LocalCluster.Engine;
import io.wruntime.tests.LocalCluster.Manager;
import io.wruntime.tests.LocalCluster.Module;
import io.wruntime.tests.LocalCluster.Proxy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 8's mutual TLS, end to end with real processes on loopback: the certificates are made by
 * {@code wr-cli cert}; a manager with {@code [tls]}; proxies of node A (engine with {@code caller})
 * and node B (engine with {@code echo}) with {@code [node.tls]}, so that the caller's call to echo
 * crosses B's peer port over mTLS; a proxy of node C whose certificate comes from another CA; and
 * {@code wr-cli} with and without an admin certificate.
 */
class TlsMeshIT {
  private static final Module ECHO = Module.echo("1.0.0");
  private static final Module CALLER = Module.caller();

  private static OtlpReceiver receiver;
  private static LocalCluster cluster;
  private static Path pki;
  private static Manager manager;
  private static Proxy proxyA;
  private static Proxy proxyB;
  private static Proxy proxyC;

  @BeforeAll
  static void startMesh() throws Exception {
    receiver = OtlpReceiver.start();
    cluster =
        new LocalCluster("TlsMeshIT", Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint()));
    pki = ServerProcess.logDirectory("TlsMeshIT").resolve("pki");
    deleteRecursively(pki);
    cert("init-ca", "--out", pki.resolve("ca").toString());
    generate("ca", "manager", "manager");
    generate("ca", "node", "node-a");
    generate("ca", "node", "node-b");
    generate("ca", "admin", "alice");
    cert("init-ca", "--out", pki.resolve("other-ca").toString());
    generate("other-ca", "node", "node-c");

    manager = cluster.startManager(tlsTable("[tls]", "manager"), Map.of());
    cluster.managerCredentials(mutualTls(material("alice"), Role.MANAGER));
    proxyA = cluster.startProxy("node-a", tlsTable("[node.tls]", "node-a"));
    proxyB = cluster.startProxy("node-b", tlsTable("[node.tls]", "node-b"));
    var launchedA = cluster.launchEngine("engine-a", proxyA, "-Xmx256m", CALLER);
    var launchedB = cluster.launchEngine("engine-b", proxyB, "-Xmx256m", ECHO);
    Engine a = LocalCluster.awaitListening(launchedA);
    Engine b = LocalCluster.awaitListening(launchedB);
    cluster.awaitHealthy(List.of(a), List.of(CALLER), proxyA, proxyB);
    cluster.awaitHealthy(List.of(b), List.of(ECHO), proxyA, proxyB);
    proxyC = cluster.startProxy("node-c", tlsTable("[node.tls]", "node-c"));
  }

  @AfterAll
  static void stopMesh() throws Exception {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      if (receiver != null) {
        receiver.close();
      }
    }
  }

  @Test
  void theCallerOnNodeAReachesEchoOnNodeBThroughTheTlsPeerPortOverHttp2() throws Exception {
    byte[] traceBytes = new byte[16];
    new Random().nextBytes(traceBytes);
    String traceId = HexFormat.of().formatHex(traceBytes);

    HttpResponse<String> response =
        LocalCluster.HTTP.send(
            proxyA
                .request("http://example.caller/run")
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("hello\n");
    // Node B's proxy records, on the span of the call its peer port received, the node of the
    // caller's certificate and the HTTP version. The SDK exports in batches.
    await("node B's span of the call to echo in trace " + traceId)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () ->
                assertThat(receiver.spans(traceId))
                    .filteredOn(s -> s.name().equals("proxy.request"))
                    .filteredOn(s -> "example.echo".equals(s.attribute("wr.destination")))
                    .filteredOn(s -> s.attribute("wr.peer.node") != null)
                    .extracting(
                        s -> s.attribute("wr.peer.node"),
                        s -> s.attribute("network.protocol.version"),
                        s -> s.attribute("http.response.status_code"))
                    .containsExactly(tuple("node-a", "2", "200")));
    assertThat(receiver.rejected()).isEmpty();
  }

  @Test
  void aProxyWithACertificateOfAnotherCaGetsNoRoutingTable() throws Exception {
    // Node C trusts only its own CA, the manager only the mesh's: the handshake fails.
    proxyC
        .process()
        .await(
            Pattern.compile(
                "routing table stream to the manager is down \\(UNAVAILABLE: .*"
                    + "SSLHandshakeException"));

    HttpResponse<String> ready =
        LocalCluster.HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyC.adminPort() + "/readyz"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
    assertThat(ready.body()).contains("no routing table has arrived");
    assertThat(cluster.routingTable().getRoutesList())
        .extracting(r -> r.getNode())
        .doesNotContain("node-c");
  }

  @Test
  void nodeBsPeerPortRefusesTheHandshakeOfACertificateOfAnotherCa() throws Exception {
    // Both clients trust node B's CA, so only the certificate they present differs.
    TrustManager trustB = material("node-a").trustManager(Set.of(Role.NODE));

    assertThat(peerGet(material("node-a"), trustB))
        .as("node A's certificate on node B's peer port")
        .startsWith("HTTP/1.1 ");
    assertThatThrownBy(() -> peerGet(material("node-c"), trustB))
        .as("node C's certificate (another CA) on node B's peer port")
        .isInstanceOf(SSLException.class);
  }

  @Test
  void plaintextHttpToTheTlsPeerPortGetsNoHttpAnswer() throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", proxyB.peerPort()), 5_000);
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              "GET / HTTP/1.1\r\nHost: example.echo\r\nx-wr-destination: http://example.echo/\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String answer = readUntilClosed(socket.getInputStream());
      assertThat(answer).doesNotContain("HTTP/");
    }
  }

  @Test
  void plaintextGrpcToTheTlsManagerFails() {
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", manager.port(), InsecureChannelCredentials.create())
            .build();
    try {
      assertThatThrownBy(
              () ->
                  ManagerServiceGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .getRoutingTable(GetRoutingTableRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void wrCliWithTheAdminCertificateListsBothEngines() throws Exception {
    Path alice = pki.resolve("alice");
    CliResult run =
        cluster.cli(
            List.of(
                "--tls-cert",
                alice.resolve("tls.crt").toString(),
                "--tls-key",
                alice.resolve("tls.key").toString(),
                "--tls-ca",
                alice.resolve("ca.crt").toString(),
                "--manager",
                "127.0.0.1:" + manager.port(),
                "engines",
                "list"));

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).contains("engine-a").contains("engine-b");
  }

  @Test
  void wrCliWithoutACertificateFailsWithAClearMessage() throws Exception {
    CliResult run =
        cluster.cli(List.of("--manager", "127.0.0.1:" + manager.port(), "engines", "list"));

    assertThat(run.exitCode()).as(run.stdout()).isEqualTo(1);
    assertThat(run.stderr())
        .startsWith(
            "wr-cli: cannot reach the manager at http://127.0.0.1:"
                + manager.port()
                + ": connection closed")
        .contains("expected: --tls-cert, --tls-key and --tls-ca");
    assertThat(run.stdout()).doesNotContain("engine-a");
  }

  /**
   * Over TLS with {@code own} as client certificate, {@code GET /} on node B's peer port (HTTP/1.1
   * by ALPN); the status line of the answer.
   */
  private static String peerGet(TlsMaterial own, TrustManager trust) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(own.keyManagerFactory().getKeyManagers(), new TrustManager[] {trust}, null);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", proxyB.peerPort()), 5_000);
      socket.setSoTimeout(10_000);
      var parameters = socket.getSSLParameters();
      parameters.setApplicationProtocols(new String[] {"http/1.1"});
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      // With TLS 1.3 the server checks the client's certificate after the client's handshake
      // ends: its refusal arrives as an alert on the first read.
      socket
          .getOutputStream()
          .write(
              "GET /healthz HTTP/1.1\r\nHost: node-b\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String answer = readUntilClosed(socket.getInputStream());
      if (answer.isEmpty()) {
        throw new IOException("node B closed the connection without an answer");
      }
      return answer.lines().findFirst().orElseThrow();
    }
  }

  /** What {@code in} yields until the peer closes or stays silent for the socket's timeout. */
  private static String readUntilClosed(InputStream in) throws IOException {
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    try {
      for (int n; (n = in.read(buffer)) != -1; ) {
        read.write(buffer, 0, n);
        if (read.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
          break;
        }
      }
    } catch (SocketTimeoutException e) {
      // silent: what arrived is the answer
    }
    return read.toString(StandardCharsets.ISO_8859_1);
  }

  private static void cert(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("cert"));
    command.addAll(List.of(args));
    CliResult run = cluster.cli(command);
    assertThat(run.exitCode()).as("wr-cli %s: %s", command, run.stderr()).isZero();
  }

  private static void generate(String ca, String role, String name) throws Exception {
    cert(
        "generate",
        "--ca",
        pki.resolve(ca).toString(),
        "--role",
        role,
        "--name",
        name,
        "--out",
        pki.resolve(name).toString());
  }

  private static String tlsTable(String header, String holder) {
    Path dir = pki.resolve(holder);
    return """

        %s
        cert_path = "%s"
        key_path = "%s"
        ca_cert_path = "%s"
        """
        .formatted(header, dir.resolve("tls.crt"), dir.resolve("tls.key"), dir.resolve("ca.crt"));
  }

  private static TlsMaterial material(String holder) {
    Path dir = pki.resolve(holder);
    return TlsMaterial.load(
        new TlsFiles(dir.resolve("tls.crt"), dir.resolve("tls.key"), dir.resolve("ca.crt")));
  }

  private static ChannelCredentials mutualTls(TlsMaterial own, Role serverRole) {
    return TlsChannelCredentials.newBuilder()
        .keyManager(own.keyManagerFactory().getKeyManagers())
        .trustManager(own.trustManager(Set.of(serverRole)))
        .build();
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
