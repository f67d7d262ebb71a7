package io.wruntime.common.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.common.net.HostPort;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminServerTest {
  private final AtomicReference<String> notReady = new AtomicReference<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private AdminServer admin;

  @BeforeEach
  void start() throws Exception {
    admin =
        AdminServer.start(
            new HostPort("127.0.0.1", 0), notReady::get, () -> "# TYPE up gauge\nup 1\n");
  }

  @AfterEach
  void stop() {
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
}
