package io.wruntime.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.wruntime.tests.LocalCluster.Engine;
import io.wruntime.tests.LocalCluster.Module;
import io.wruntime.tests.LocalCluster.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A module that sets the mesh's routing headers on its own outgoing calls ({@code x-wr-source},
 * {@code x-wr-via-proxy}, {@code x-wr-destination}, ..., and a {@code traceparent}) cannot pass for
 * another module or a proxy: through a real manager, proxy and engine, the module it calls sees
 * only what its proxy set, and a host outside the mesh sees no {@code x-wr-*} at all. The module is
 * the engine's fanout test guest ({@code /forge} calls, {@code /forged} reports what it got).
 */
class HeaderTrustIT {
  private static final String FORGED_TRACE = "0123456789abcdef0123456789abcdef";
  private static final Module FANOUT =
      new Module(
          "fanout",
          "1.0.0",
          Path.of("target/test-guests/http/fanout.wasm").toAbsolutePath(),
          ServerProcess.root().resolve("examples/schemas/caller.binpb"),
          "");

  private static final LocalCluster cluster = new LocalCluster("HeaderTrustIT");
  private static final Map<String, Map<String, List<String>>> outside = new ConcurrentHashMap<>();
  private static HttpServer external;
  private static Proxy proxy;

  @BeforeAll
  static void startCluster() throws Exception {
    external = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    external.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    external.createContext(
        "/",
        exchange -> {
          try (exchange) {
            outside.put(
                exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()));
            byte[] body = "from outside".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
          }
        });
    external.start();
    cluster.startManager();
    proxy =
        cluster.startProxy(
            "node-a",
            """

            [egress]
            enabled = true
            allow_ip_literals = true
            allowed_domains = ["%s"]
            """
                .formatted(externalAuthority()));
    Engine engine = cluster.startEngine("engine-a", proxy, FANOUT);
    cluster.awaitHealthy(List.of(engine), List.of(FANOUT), proxy);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    cluster.close();
    if (external != null) {
      external.stop(0);
    }
  }

  private static String externalAuthority() {
    return "127.0.0.1:" + external.getAddress().getPort();
  }

  private static HttpResponse<String> forge(String to) throws Exception {
    return LocalCluster.HTTP.send(
        proxy.request("http://example.fanout/forge").header("x-forge-to", to).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theCalledModuleSeesOnlyTheRoutingHeadersItsProxySet() throws Exception {
    HttpResponse<String> response = forge("example.fanout");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    // /forged lists the x-wr-* headers, traceparent and x-app it was called with.
    assertThat(response.body())
        .startsWith(
            "status=200 body=x-wr-namespace: example\n"
                + "x-wr-module: fanout\n"
                + "x-wr-version: 1.0.0\n"
                + "traceparent: 00-")
        .endsWith("x-app: kept\n")
        .doesNotContain("x-wr-source", "x-wr-via-proxy", "x-wr-destination", "evil")
        .doesNotContain(FORGED_TRACE);
  }

  @Test
  void aHostOutsideTheMeshGetsNoRoutingHeaders() throws Exception {
    HttpResponse<String> response = forge(externalAuthority());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("status=200 body=from outside");
    Map<String, List<String>> seen = outside.get("/forged");
    assertThat(seen.keySet()).noneMatch(name -> name.toLowerCase().startsWith("x-wr-"));
    assertThat(seen.get("X-app")).containsExactly("kept");
    assertThat(seen.get("Traceparent")).hasSize(1);
    assertThat(seen.get("Traceparent").get(0)).doesNotContain(FORGED_TRACE);
  }
}
