package io.wruntime.proxy;

import static io.wruntime.proxy.Mesh.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.wruntime.common.security.CallerIdentity.Role;
import io.wruntime.common.telemetry.Telemetry;
import io.wruntime.common.testing.RecordingSpanExporter;
import io.wruntime.common.testing.TestCertificates;
import io.wruntime.common.testing.TestCertificates.Issued;
import io.wruntime.common.tls.CertificateAuthority;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The peer port with {@code [node.tls]}: proxies of one CA call each other over mutual TLS and
 * HTTP/2; certificates of another CA, certificates of another role and plaintext are refused before
 * any request reaches an engine; bodies still stream; one calling node is capped while another
 * still gets through.
 */
@ExtendWith(LeakRecorder.class)
class PeerTlsIT {
  private static final long SIZE = 64L * 1024 * 1024;
  private static final long HELD_BOUND = 1024 * 1024;

  @TempDir Path dir;

  private final RecordingSpanExporter spans = new RecordingSpanExporter();
  private final List<HttpClient> clients = new ArrayList<>();
  private Mesh mesh;
  private CertificateAuthority ca;
  private FakeEngine engine;

  @BeforeEach
  void start() throws Exception {
    mesh = new Mesh();
    ca = TestCertificates.authority();
    engine = mesh.engine();
  }

  @AfterEach
  void stop() throws Exception {
    for (HttpClient client : clients) {
      client.shutdownNow();
    }
    mesh.close();
  }

  private Proxy proxy(String node, Issued cert, String extra, Telemetry telemetry)
      throws IOException {
    return mesh.proxy(node, cert.inlineToml(), extra, telemetry);
  }

  private Proxy proxy(String node, Issued cert) throws IOException {
    return proxy(node, cert, "", Telemetry.notExporting(Proxy.SERVICE_NAME));
  }

  /** Node B with the engine serving example.echo@1.0.0, and node A routing to it. */
  private Proxy nodeB(String extra) throws Exception {
    Proxy b = proxy("node-b", issue(ca, Role.NODE, "node-b"), extra, collecting());
    mesh.register("e1", engine, b, null, ref("example", "echo", "1.0.0"));
    Mesh.awaitRouted(b, "example", "echo", 1);
    return b;
  }

  @Test
  void nodesOfOneCaRouteOverMutualTlsAndHttp2() throws Exception {
    Proxy b = nodeB("");
    Proxy a = proxy("node-a", issue(ca, Role.NODE, "node-a"));
    Mesh.awaitRouted(a, "example", "echo", 1);
    engine.answer(200, "hello from b");

    for (int i = 0; i < 3; i++) {
      HttpResponse<String> response =
          mesh.send(mesh.call(a, "http://example.echo", "/greet").GET().build());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("hello from b");
    }

    FakeEngine.Recorded seen = engine.next();
    assertThat(seen.uri()).isEqualTo("/greet");
    assertThat(seen.headers().get("x-wr-module")).isEqualTo("echo");
    assertThat(seen.headers().get("x-wr-via-proxy")).isNull();
    assertThat(seen.headers().names()).noneMatch(n -> n.startsWith("x-http2-"));
    await().atMost(Duration.ofSeconds(10)).until(() -> spans.named("proxy.request").size() == 3);
    for (SpanData span : spans.named("proxy.request")) {
      assertThat(span.getAttributes().get(AttributeKey.stringKey("wr.peer.node")))
          .isEqualTo("node-a");
      assertThat(span.getAttributes().get(AttributeKey.stringKey("network.protocol.version")))
          .isEqualTo("2");
    }
  }

  @Test
  void concurrentCallsFromNodeAToNodeBAreAllAnswered() throws Exception {
    nodeB("");
    Proxy a = proxy("node-a", issue(ca, Role.NODE, "node-a"));
    Mesh.awaitRouted(a, "example", "echo", 1);
    engine.mode(FakeEngine.Mode.ECHO);

    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(
          mesh.http.sendAsync(
              mesh.call(a, "http://example.echo", "/echo/" + i)
                  .POST(HttpRequest.BodyPublishers.ofString("call " + i))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    for (int i = 0; i < calls.size(); i++) {
      HttpResponse<String> response = calls.get(i).get(30, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("call " + i);
    }
  }

  @Test
  void aNodeCertificateClientNegotiatesHttp2OnThePeerPort() throws Exception {
    Proxy b = nodeB("");
    engine.answer(200, "direct");
    HttpClient client = client(issue(ca, Role.NODE, "node-c").sslContext());

    HttpResponse<String> response =
        client.send(peerCall(b, "/direct").GET().build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("direct");
  }

  @Test
  void aProxyWithACertificateOfAnotherCaIsRefused() throws Exception {
    Proxy b = nodeB("");
    CertificateAuthority other = TestCertificates.authority();
    Proxy stranger = proxy("node-x", issue(other, Role.NODE, "node-x"));
    Mesh.awaitRouted(stranger, "example", "echo", 1);

    HttpResponse<String> response =
        mesh.send(mesh.call(stranger, "http://example.echo", "/steal").GET().build());

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).contains("upstream_unavailable");
    // Even a client that trusts B's CA but holds another CA's node certificate gets nowhere.
    Issued foreign = issue(other, Role.NODE, "node-y");
    HttpClient client = client(foreign.sslContextTrusting(ca.certificate()));
    assertThatThrownBy(
            () ->
                client.send(
                    peerCall(b, "/steal").GET().build(), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
    assertThat(engine.requests).isEmpty();
  }

  @Test
  void anAdminCertificateIsRefusedOnThePeerPort() throws Exception {
    Proxy b = nodeB("");
    HttpClient client = client(issue(ca, Role.ADMIN, "ops").sslContext());

    assertThatThrownBy(
            () ->
                client.send(peerCall(b, "/x").GET().build(), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
    assertThat(engine.requests).isEmpty();
  }

  @Test
  void plaintextHttpToTheTlsPeerPortIsRefused() throws Exception {
    Proxy b = nodeB("");
    try (Socket socket = new Socket("127.0.0.1", b.peerAddress().port())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET /x HTTP/1.1\r\nhost: b\r\nx-wr-via-proxy: 1\r\n"
                      + "x-wr-destination: http://example.echo/x\r\nx-wr-version: =1.0.0\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      byte[] answer = readUntilClosed(socket.getInputStream());
      assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/");
    }
    assertThat(engine.requests).isEmpty();
  }

  @Test
  void bodiesStreamBothWaysOverTlsAndHttp2WithBoundedMemory() throws Exception {
    Proxy b = nodeB("");
    Proxy a = proxy("node-a", issue(ca, Role.NODE, "node-a"));
    Mesh.awaitRouted(a, "example", "echo", 1);
    a.bufferedBytes().resetPeak();
    b.bufferedBytes().resetPeak();

    engine.mode(FakeEngine.Mode.COUNT);
    HttpResponse<String> upload =
        mesh.send(
            mesh.call(a, "http://example.echo", "/upload")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new StreamingIT.PatternStream(SIZE)))
                .build());
    assertThat(upload.statusCode()).isEqualTo(200);
    assertThat(upload.body()).isEqualTo(SIZE + " " + StreamingIT.patternCrc(SIZE));

    engine.mode(FakeEngine.Mode.GENERATE).generate = SIZE;
    HttpResponse<InputStream> download =
        mesh.http.send(
            mesh.call(a, "http://example.echo", "/download").GET().build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(download.statusCode()).isEqualTo(200);
    CRC32 crc = new CRC32();
    long received = 0;
    try (InputStream body = download.body()) {
      byte[] buffer = new byte[65536];
      int n;
      while ((n = body.read(buffer)) >= 0) {
        crc.update(buffer, 0, n);
        received += n;
      }
    }
    assertThat(received).isEqualTo(SIZE);
    assertThat(crc.getValue()).isEqualTo(StreamingIT.patternCrc(SIZE));

    for (Proxy proxy : List.of(a, b)) {
      assertThat(proxy.bufferedBytes().peak()).isLessThan(HELD_BOUND);
      assertThat(proxy.bufferedBytes().current()).isZero();
    }
  }

  @Test
  void oneCallingNodeIsCappedWhileAnotherStillGetsThrough() throws Exception {
    Proxy b = nodeB("[limits]\nmax_requests_per_peer = 2\n");
    engine.mode(FakeEngine.Mode.ECHO);
    HttpClient nodeA = client(issue(ca, Role.NODE, "node-a").sslContext());
    HttpClient nodeC = client(issue(ca, Role.NODE, "node-c").sslContext());

    assertThat(
            nodeA
                .send(peerCall(b, "/warm").GET().build(), HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(200);
    // Two requests of node A whose bodies never end: both stay in flight at B.
    List<PipedOutputStream> bodies = new ArrayList<>();
    List<CompletableFuture<HttpResponse<InputStream>>> held = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      PipedInputStream in = new PipedInputStream();
      PipedOutputStream out = new PipedOutputStream(in);
      out.write("start ".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      bodies.add(out);
      held.add(
          nodeA.sendAsync(
              peerCall(b, "/hold").POST(HttpRequest.BodyPublishers.ofInputStream(() -> in)).build(),
              HttpResponse.BodyHandlers.ofInputStream()));
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(engine.requests).hasSize(3));

    HttpResponse<String> third =
        nodeA.send(peerCall(b, "/more").GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(third.statusCode()).isEqualTo(429);
    assertThat(third.headers().firstValue("retry-after")).hasValue("1");
    assertThat(third.body())
        .contains("\"code\":\"caller_limit\"")
        .contains("node/node-a")
        .contains("max_requests_per_peer");

    HttpResponse<String> other =
        nodeC.send(peerCall(b, "/other").GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(other.statusCode()).isEqualTo(200);

    for (PipedOutputStream body : bodies) {
      body.write("done".getBytes(StandardCharsets.US_ASCII));
      body.close();
    }
    for (CompletableFuture<HttpResponse<InputStream>> f : held) {
      HttpResponse<InputStream> response = f.get(10, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      try (InputStream in = response.body()) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII))
            .isEqualTo("start done");
      }
    }
    HttpResponse<String> again =
        nodeA.send(peerCall(b, "/again").GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(again.statusCode()).isEqualTo(200);
  }

  @Test
  void peersConnectingAtTheSameTimeAreAllServedOverHttp2() throws Exception {
    Proxy b = nodeB("");
    SSLContext context = issue(ca, Role.NODE, "node-a").sslContext();
    List<CompletableFuture<Integer>> handshakes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      handshakes.add(
          CompletableFuture.supplyAsync(
              () -> {
                try (SSLSocket socket =
                    (SSLSocket)
                        context
                            .getSocketFactory()
                            .createSocket("127.0.0.1", b.peerAddress().port())) {
                  SSLParameters parameters = socket.getSSLParameters();
                  parameters.setApplicationProtocols(new String[] {"h2"});
                  socket.setSSLParameters(parameters);
                  socket.setSoTimeout(10_000);
                  socket.startHandshake();
                  OutputStream out = socket.getOutputStream();
                  out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                  out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});
                  out.flush();
                  // The server's first frame: its SETTINGS (type 4).
                  byte[] frame = socket.getInputStream().readNBytes(9);
                  return frame.length == 9 ? (int) frame[3] : -1;
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              }));
    }
    for (CompletableFuture<Integer> handshake : handshakes) {
      assertThat(handshake.get(30, TimeUnit.SECONDS)).isEqualTo(4);
    }
  }

  @Test
  void anIdlePeerConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    Proxy b = nodeB("[timeouts]\nidle_secs = 1\n");
    SSLContext context = issue(ca, Role.NODE, "node-a").sslContext();
    try (SSLSocket socket =
        (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", b.peerAddress().port())) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setApplicationProtocols(new String[] {"http/1.1"});
      socket.setSSLParameters(parameters);
      socket.setSoTimeout(20_000);
      socket.startHandshake();
      assertThat(socket.getApplicationProtocol()).isEqualTo("http/1.1");
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }
  }

  private HttpClient client(SSLContext context) {
    HttpClient client =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(context).build();
    clients.add(client);
    return client;
  }

  private Issued issue(CertificateAuthority authority, Role role, String name) throws IOException {
    return TestCertificates.issue(authority, role, name, dir);
  }

  private static HttpRequest.Builder peerCall(Proxy peer, String path) {
    return HttpRequest.newBuilder(
            URI.create("https://127.0.0.1:" + peer.peerAddress().port() + path))
        .header("x-wr-destination", "http://example.echo" + path)
        .header("x-wr-source", "example.caller")
        .header("x-wr-version", "=1.0.0")
        .header("x-wr-via-proxy", "1")
        .timeout(Duration.ofSeconds(30));
  }

  private static byte[] readUntilClosed(InputStream in) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
      }
    } catch (IOException e) {
      // a reset is a refusal too
    }
    return out.toByteArray();
  }

  private Telemetry collecting() {
    return Telemetry.exportingTo(spans, Proxy.SERVICE_NAME);
  }
}
