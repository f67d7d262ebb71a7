package io.wruntime.common.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wruntime.common.net.HostPort;
import io.wruntime.common.testing.Sockets;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminServerTest {
  private final AtomicReference<String> notReady = new AtomicReference<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private AdminServer admin;
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    admin =
        AdminServer.start(
            new HostPort("127.0.0.1", 0), notReady::get, () -> "# TYPE up gauge\nup 1\n");
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    admin.close();
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.address().getPort() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthzAnswersOk() throws Exception {
    HttpResponse<String> response = send("GET", "/healthz");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.body()).isEqualTo("{\"status\":\"ok\"}");
  }

  @Test
  void readyzGivesTheReasonTheServerIsNotReady() throws Exception {
    assertThat(send("GET", "/readyz").body()).isEqualTo("{\"status\":\"ready\"}");

    notReady.set("no routing table from \"m:9000\" yet");

    HttpResponse<String> response = send("GET", "/readyz");
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body())
        .isEqualTo(
            "{\"status\":\"not ready\",\"detail\":\"no routing table from \\\"m:9000\\\" yet\"}");
  }

  @Test
  void metricsAreServedAsPrometheusText() throws Exception {
    HttpResponse<String> response = send("GET", "/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(response.body()).isEqualTo("# TYPE up gauge\nup 1\n");
  }

  @Test
  void headAnswersWithoutABody() throws Exception {
    HttpResponse<String> response = send("HEAD", "/healthz");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEmpty();
  }

  @Test
  void otherPathsAndMethodsAreRefusedWithAJsonError() throws Exception {
    HttpResponse<String> missing = send("GET", "/nope");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body())
        .isEqualTo(
            "{\"error\":\"no admin endpoint at /nope (expected: /healthz, /readyz or /metrics)\","
                + "\"code\":\"not_found\"}");

    HttpResponse<String> post = send("POST", "/healthz");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
    assertThat(post.body()).contains("\"code\":\"method_not_allowed\"");
  }

  private Socket socket() throws IOException {
    Socket s = Sockets.connect(admin.address().getPort());
    sockets.add(s);
    return s;
  }

  @Test
  void connectionsBeyondTheCapAreClosedAndProbesWorkAgainOnceOneEnds() throws Exception {
    for (int i = 0; i < AdminServer.MAX_CONNECTIONS; i++) {
      socket();
    }

    Socket refused = socket();

    await().atMost(Duration.ofSeconds(10)).until(() -> Sockets.closedByServer(refused));
    sockets.get(0).close();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(send("GET", "/healthz").statusCode()).isEqualTo(200));
  }

  @Test
  void aRequestThatDoesNotArriveWholeWithinTheRequestTimeoutLosesItsConnection() throws Exception {
    Socket slow = socket();
    slow.getOutputStream()
        .write("GET /healthz HTTP/1.1\r\nhost: a".getBytes(StandardCharsets.UTF_8));

    await()
        .atMost(AdminServer.REQUEST_TIMEOUT.plusSeconds(10))
        .until(() -> Sockets.closedByServer(slow));
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    Socket s = socket();
    s.getOutputStream()
        .write(
            ("GET /metrics HTTP/1.1\r\nhost: a\r\n\r\nGET /healthz HTTP/1.1\r\nhost: a\r\n"
                    + "connection: close\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
    s.setSoTimeout(10_000);

    String both = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(both.indexOf("up 1")).isPositive().isLessThan(both.indexOf("{\"status\":\"ok\"}"));
  }
}
