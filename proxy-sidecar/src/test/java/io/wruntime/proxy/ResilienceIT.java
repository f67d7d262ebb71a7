package io.wruntime.proxy;

import static io.wruntime.proxy.Mesh.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.wruntime.proto.v1.ModuleRef;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Failing upstreams, circuit breakers, timeouts and resets. */
@ExtendWith(LeakRecorder.class)
class ResilienceIT {
  private static final ModuleRef ECHO = ref("example", "echo", "1.0.0");
  private static final ModuleRef BROKEN = ref("example", "broken", "1.0.0");
  private static final ModuleRef HEALTHY = ref("example", "healthy", "1.0.0");

  private Mesh mesh;

  @BeforeEach
  void start() throws Exception {
    mesh = new Mesh();
  }

  @AfterEach
  void stop() throws Exception {
    mesh.close();
  }

  @Test
  void fiveUnavailableAnswersOpenTheCircuitAndTheSixthCallIsRefusedWithRetryAfter()
      throws Exception {
    Proxy proxy = mesh.proxy("node-a", "[circuit_breaker]\nopen_duration_secs = 30\n");
    FakeEngine engine = mesh.engine().answer(503, "overloaded");
    mesh.register("e1", engine, proxy, null, ECHO);
    Mesh.awaitRouted(proxy, "example", "echo", 1);

    for (int i = 0; i < 5; i++) {
      HttpResponse<String> failed =
          mesh.send(mesh.call(proxy, "http://example.echo", "/f").GET().build());
      assertThat(failed.statusCode()).isEqualTo(503);
      assertThat(failed.body()).isEqualTo("overloaded");
    }
    HttpResponse<String> refused =
        mesh.send(mesh.call(proxy, "http://example.echo", "/f").GET().build());

    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.body()).contains("\"code\":\"circuit_open\"");
    assertThat(refused.headers().firstValue("retry-after"))
        .hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isBetween(1, 30));
    assertThat(engine.requests).hasSize(5);
    assertThat(proxy.circuitBreakers().openCount()).isEqualTo(1);
    assertThat(proxy.metrics().render()).contains("wr_proxy_open_circuits 1");
  }

  @Test
  void applicationErrorsOfOneModuleOpenNoCircuitByDefault() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "");
    FakeEngine engine = mesh.engine().answer(200, "fine").answer("broken", 500);
    mesh.register("e1", engine, proxy, null, BROKEN, HEALTHY);
    Mesh.awaitRouted(proxy, "example", "broken", 1);
    Mesh.awaitRouted(proxy, "example", "healthy", 1);

    for (int i = 0; i < 10; i++) {
      HttpResponse<String> failed =
          mesh.send(mesh.call(proxy, "http://example.broken", "/f").GET().build());
      assertThat(failed.statusCode()).isEqualTo(500);
    }
    HttpResponse<String> other =
        mesh.send(mesh.call(proxy, "http://example.healthy", "/f").GET().build());

    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(other.body()).isEqualTo("fine");
    assertThat(engine.requests).hasSize(11);
    assertThat(proxy.circuitBreakers().openCount()).isZero();
  }

  @Test
  void withCountServerErrorsApplicationErrorsOpenTheCircuitOfThatModuleOnly() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "[circuit_breaker]\ncount_server_errors = true\n");
    FakeEngine engine = mesh.engine().answer(200, "fine").answer("broken", 500);
    mesh.register("e1", engine, proxy, null, BROKEN, HEALTHY);
    Mesh.awaitRouted(proxy, "example", "broken", 1);
    Mesh.awaitRouted(proxy, "example", "healthy", 1);

    for (int i = 0; i < 5; i++) {
      mesh.send(mesh.call(proxy, "http://example.broken", "/f").GET().build());
    }
    HttpResponse<String> refused =
        mesh.send(mesh.call(proxy, "http://example.broken", "/f").GET().build());
    HttpResponse<String> other =
        mesh.send(mesh.call(proxy, "http://example.healthy", "/f").GET().build());

    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.body()).contains("\"code\":\"circuit_open\"");
    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(other.body()).isEqualTo("fine");
    assertThat(proxy.circuitBreakers().openCount()).isEqualTo(1);
  }

  @Test
  void unavailableAnswersOfOneModuleLeaveAnotherModuleOfTheSameEngineReachable() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "");
    FakeEngine engine = mesh.engine().answer(200, "fine").answer("broken", 503);
    mesh.register("e1", engine, proxy, null, BROKEN, HEALTHY);
    Mesh.awaitRouted(proxy, "example", "broken", 1);
    Mesh.awaitRouted(proxy, "example", "healthy", 1);

    for (int i = 0; i < 5; i++) {
      mesh.send(mesh.call(proxy, "http://example.broken", "/f").GET().build());
    }
    HttpResponse<String> refused =
        mesh.send(mesh.call(proxy, "http://example.broken", "/f").GET().build());
    HttpResponse<String> other =
        mesh.send(mesh.call(proxy, "http://example.healthy", "/f").GET().build());

    assertThat(refused.body()).contains("\"code\":\"circuit_open\"");
    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(other.body()).isEqualTo("fine");
  }

  @Test
  void anOpenCircuitIsSkippedWhileAnotherInstanceIsHealthy() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "[circuit_breaker]\nfailure_threshold = 2\n");
    FakeEngine failing = mesh.engine().answer(503, "down");
    FakeEngine healthy = mesh.engine().answer(200, "up");
    mesh.register("e1", failing, proxy, null, ECHO);
    mesh.register("e2", healthy, proxy, null, ECHO);
    Mesh.awaitRouted(proxy, "example", "echo", 2);

    for (int i = 0; i < 30 && failing.requests.size() < 2; i++) {
      mesh.send(mesh.call(proxy, "http://example.echo", "/x").GET().build());
    }
    assertThat(failing.requests).hasSize(2);
    healthy.requests.clear();

    for (int i = 0; i < 10; i++) {
      HttpResponse<String> response =
          mesh.send(mesh.call(proxy, "http://example.echo", "/x").GET().build());
      assertThat(response.body()).isEqualTo("up");
    }
    assertThat(failing.requests).hasSize(2);
    assertThat(healthy.requests).hasSize(10);
  }

  @Test
  void anEngineThatRefusesConnectionsGets502AndCountsAsAFailure() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "[circuit_breaker]\nfailure_threshold = 2\n");
    FakeEngine gone = mesh.engine();
    mesh.register("e1", gone, proxy, null, ECHO);
    Mesh.awaitRouted(proxy, "example", "echo", 1);
    gone.close();

    HttpResponse<String> first =
        mesh.send(mesh.call(proxy, "http://example.echo", "/x").GET().build());
    HttpResponse<String> second =
        mesh.send(mesh.call(proxy, "http://example.echo", "/x").GET().build());
    HttpResponse<String> third =
        mesh.send(mesh.call(proxy, "http://example.echo", "/x").GET().build());

    assertThat(first.statusCode()).isEqualTo(502);
    assertThat(first.body())
        .contains("\"code\":\"upstream_unavailable\"")
        .contains("cannot connect to " + gone.address());
    assertThat(second.statusCode()).isEqualTo(502);
    assertThat(third.statusCode()).isEqualTo(503);
    assertThat(third.body()).contains("\"code\":\"circuit_open\"");
  }

  @Test
  void anUpstreamThatClosesBeforeAnsweringGets502() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "");
    FakeEngine engine = mesh.engine().mode(FakeEngine.Mode.RESET);
    mesh.register("e1", engine, proxy, null, ECHO);
    Mesh.awaitRouted(proxy, "example", "echo", 1);

    HttpResponse<String> response =
        mesh.send(mesh.call(proxy, "http://example.echo", "/x").GET().build());

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body())
        .contains("\"code\":\"upstream_reset\"")
        .contains("closed the connection before answering");
  }

  @Test
  void anUpstreamThatClosesMidResponseClosesTheClientConnection() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "");
    FakeEngine engine = mesh.engine().mode(FakeEngine.Mode.RESET_MID_RESPONSE);
    mesh.register("e1", engine, proxy, null, ECHO);
    Mesh.awaitRouted(proxy, "example", "echo", 1);

    assertThatThrownBy(() -> mesh.send(mesh.call(proxy, "http://example.echo", "/x").GET().build()))
        .isInstanceOf(IOException.class);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> proxy.metrics().count("unknown", "example.echo", 200) == 1);
  }

  @Test
  void aClientThatGoesAwayMidBodyClosesTheUpstreamConnection() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "");
    FakeEngine engine = mesh.engine();
    mesh.register("e1", engine, proxy, null, ECHO);
    Mesh.awaitRouted(proxy, "example", "echo", 1);

    try (Socket socket = new Socket("127.0.0.1", proxy.listenAddress().port())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /x HTTP/1.1\r\nhost: proxy\r\nx-wr-destination: http://example.echo/x\r\n"
                  + "transfer-encoding: chunked\r\n\r\n5\r\nhello\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      engine.next();
      await().atMost(Duration.ofSeconds(10)).until(() -> engine.bodyBytes.get() == 5);
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> engine.closedConnections.get() == 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> proxy.metrics().count("unknown", "example.echo", 499) == 1);
  }

  @Test
  void anUpstreamThatDoesNotAnswerInTimeGets504() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "[timeouts]\nrequest_secs = 1\n");
    FakeEngine engine = mesh.engine().mode(FakeEngine.Mode.SILENT);
    mesh.register("e1", engine, proxy, null, ECHO);
    Mesh.awaitRouted(proxy, "example", "echo", 1);

    HttpResponse<String> response =
        mesh.send(mesh.call(proxy, "http://example.echo", "/slow").GET().build());

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(response.body())
        .contains("\"code\":\"upstream_timeout\"")
        .contains("did not answer within 1 s");
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.closedConnections.get() == 1);
  }

  @Test
  void aConnectThatTakesTooLongGets504() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "[timeouts]\nconnect_ms = 300\n");
    // A listener whose backlog is full leaves further connects hanging (SYNs dropped).
    try (ServerSocket full = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Socket[] fillers = new Socket[4];
      try {
        for (int i = 0; i < fillers.length; i++) {
          fillers[i] = new Socket();
          fillers[i].connect(full.getLocalSocketAddress(), 200);
        }
      } catch (IOException backlogFull) {
        // the backlog is full: the next connect hangs
      }
      mesh.stub.registerEngine(
          io.wruntime.proto.v1.RegisterEngineRequest.newBuilder()
              .setEngineId("e1")
              .setEngineAddress("127.0.0.1:" + full.getLocalPort())
              .setNode(proxy.node())
              .addModules(io.wruntime.proto.v1.ModuleRegistration.newBuilder().setRef(ECHO))
              .build());
      mesh.stub.heartbeat(
          io.wruntime.proto.v1.HeartbeatRequest.newBuilder()
              .addHeartbeats(
                  io.wruntime.proto.v1.EngineHeartbeat.newBuilder()
                      .setEngineId("e1")
                      .addModules(
                          io.wruntime.proto.v1.ModuleHealth.newBuilder()
                              .setRef(ECHO)
                              .setHealthy(true)))
              .build());
      Mesh.awaitRouted(proxy, "example", "echo", 1);

      HttpResponse<String> response =
          mesh.send(mesh.call(proxy, "http://example.echo", "/x").GET().build());

      assertThat(response.statusCode()).isEqualTo(504);
      assertThat(response.body())
          .contains("\"code\":\"upstream_connect_timeout\"")
          .contains("took longer than 300 ms");
      for (Socket s : fillers) {
        if (s != null) {
          s.close();
        }
      }
    }
  }

  @Test
  void metricsCountRequestsBySourceDestinationAndStatus() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "admin_address = \"127.0.0.1:0\"\n");
    // The calling module is in the routing table too: a known source gets its own series.
    mesh.register("e1", mesh.engine(), proxy, null, ECHO, ref("example", "caller", "1.0.0"));
    Mesh.awaitRouted(proxy, "example", "echo", 1);
    Mesh.awaitRouted(proxy, "example", "caller", 1);
    mesh.send(mesh.call(proxy, "http://example.echo", "/m").GET().build());
    mesh.send(mesh.call(proxy, "http://example.echo", "/m").GET().build());

    int admin = proxy.adminAddress().orElseThrow().getPort();
    HttpResponse<String> metrics =
        mesh.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/metrics")).build());
    HttpResponse<String> ready =
        mesh.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/readyz")).build());

    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains(
            "wr_proxy_requests_total{destination=\"example.echo\",source=\"example.caller\","
                + "status=\"200\"} 2")
        .contains(
            "wr_proxy_request_duration_seconds_count{destination=\"example.echo\","
                + "source=\"example.caller\",status=\"200\"} 2")
        .contains("wr_proxy_routing_table_version " + proxy.routingTable().version())
        .contains("wr_proxy_open_circuits 0");
    assertThat(ready.statusCode()).isEqualTo(200);
  }
}
