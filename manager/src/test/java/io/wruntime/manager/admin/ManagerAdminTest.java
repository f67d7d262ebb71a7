package io.wruntime.manager.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.common.admin.AdminServer;
import io.wruntime.common.net.HostPort;
import io.wruntime.common.telemetry.Telemetry;
import io.wruntime.manager.registry.RegistryStats;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ManagerAdminTest {
  private final AtomicBoolean ready = new AtomicBoolean(true);
  private final HttpClient http = HttpClient.newHttpClient();
  private final Telemetry telemetry = Telemetry.notExporting("wr-manager");
  private AdminServer admin;

  @BeforeEach
  void start() throws Exception {
    RegistryStats stats = new RegistryStats(7, 3, 1, 1, 5, 2, 1, 4, 2);
    ManagerMetrics metrics = new ManagerMetrics(telemetry, () -> stats, () -> 2);
    admin = ManagerAdmin.start(new HostPort("127.0.0.1", 0), ready::get, metrics::render);
  }

  @AfterEach
  void stop() {
    admin.close();
    telemetry.close();
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.address().getPort() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void readyzFollowsWhetherTheServiceAcceptsCalls() throws Exception {
    assertThat(send("GET", "/readyz").statusCode()).isEqualTo(200);

    ready.set(false);

    HttpResponse<String> response = send("GET", "/readyz");
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).contains("not accepting calls");
  }

  @Test
  void metricsAreRegistryGaugesInPrometheusText() throws Exception {
    HttpResponse<String> response = send("GET", "/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(response.body())
        .contains("# TYPE wr_manager_routing_table_version gauge\n")
        .contains("\nwr_manager_routing_table_version 7.0\n")
        .contains("\nwr_manager_engines{state=\"healthy\"} 1.0\n")
        .contains("\nwr_manager_engines{state=\"unhealthy\"} 1.0\n")
        .contains("\nwr_manager_engines{state=\"deregistered\"} 1.0\n")
        .contains("\nwr_manager_routes{healthy=\"true\"} 2.0\n")
        .contains("\nwr_manager_routes{healthy=\"false\"} 3.0\n")
        .contains("\nwr_manager_routing_table_watchers 2.0\n");
  }
}
