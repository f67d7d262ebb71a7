package io.wruntime.proxy;

import static io.wruntime.proxy.Mesh.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wruntime.proto.v1.RoutingRule;
import io.wruntime.proto.v1.UpsertRoutingRuleRequest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Calls routed by real proxies to fake engines, with an in-process manager. */
@ExtendWith(LeakRecorder.class)
class RoutingIT {
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
  void aLocalCallReachesTheEngineWithDispatchHeadersAndWithoutSourceHeaders() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "");
    FakeEngine engine = mesh.engine();
    mesh.register("e1", engine, proxy, null, ref("example", "echo", "1.0.0"));
    Mesh.awaitRouted(proxy, "example", "echo", 1);

    HttpResponse<String> response =
        mesh.send(
            mesh.call(proxy, "http://example.echo", "/echo.EchoService/Echo?x=1")
                .header("x-wr-module", "evil")
                .header("x-wr-namespace", "evil")
                .POST(HttpRequest.BodyPublishers.ofString("hello"))
                .build());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("hello");
    assertThat(response.headers().firstValue("x-echo")).contains("1");
    FakeEngine.Recorded seen = engine.next();
    assertThat(seen.uri()).isEqualTo("/echo.EchoService/Echo?x=1");
    assertThat(seen.headers().get("x-wr-module")).isEqualTo("echo");
    assertThat(seen.headers().get("x-wr-namespace")).isEqualTo("example");
    assertThat(seen.headers().get("x-wr-version")).isEqualTo("1.0.0");
    assertThat(seen.headers().get("host")).isEqualTo("example.echo");
    assertThat(seen.headers().contains("x-wr-destination")).isFalse();
    assertThat(seen.headers().contains("x-wr-source")).isFalse();
    assertThat(seen.headers().contains("x-wr-source-ns")).isFalse();
    assertThat(seen.headers().contains("x-wr-via-proxy")).isFalse();

    // The connection to the engine is kept for the next call.
    HttpResponse<String> again =
        mesh.send(mesh.call(proxy, "http://example.echo", "/again").GET().build());
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(engine.next().uri()).isEqualTo("/again");
    assertThat(engine.closedConnections).hasValue(0);
  }

  @Test
  void aRemoteCallGoesThroughThePeerProxyOfTheEnginesNode() throws Exception {
    Proxy a = mesh.proxy("node-a", "");
    Proxy b = mesh.proxy("node-b", "");
    FakeEngine engine = mesh.engine();
    mesh.register("e-b", engine, b, null, ref("shop", "inventory", "1.2.0"));
    Mesh.awaitRouted(a, "shop", "inventory", 1);
    assertThat(a.routingTable().service("shop", "inventory").instances().get(0).local()).isFalse();

    HttpResponse<String> response =
        mesh.send(
            mesh.call(a, "http://shop.inventory", "/stock")
                .POST(HttpRequest.BodyPublishers.ofString("item-7"))
                .build());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("item-7");
    FakeEngine.Recorded seen = engine.next();
    assertThat(seen.uri()).isEqualTo("/stock");
    assertThat(seen.headers().get("x-wr-module")).isEqualTo("inventory");
    assertThat(seen.headers().get("x-wr-namespace")).isEqualTo("shop");
    assertThat(seen.headers().get("x-wr-version")).isEqualTo("1.2.0");
    assertThat(seen.headers().contains("x-wr-destination")).isFalse();
    assertThat(seen.headers().contains("x-wr-via-proxy")).isFalse();
  }

  @Test
  void wrHeadersAModuleSetsOnItsResponseNeverReachTheCaller() throws Exception {
    Proxy a = mesh.proxy("node-a", "");
    Proxy b = mesh.proxy("node-b", "");
    FakeEngine engine = mesh.engine().answer(200, "stock");
    engine.responseHeaders.put("x-wr-source", "shop.admin");
    engine.responseHeaders.put("x-wr-via-proxy", "1");
    engine.responseHeaders.put("x-wr-anything", "forged");
    engine.responseHeaders.put("x-app", "kept");
    mesh.register("e-b", engine, b, null, ref("shop", "inventory", "1.2.0"));
    Mesh.awaitRouted(a, "shop", "inventory", 1);

    HttpResponse<String> remote =
        mesh.send(mesh.call(a, "http://shop.inventory", "/stock").GET().build());
    HttpResponse<String> local =
        mesh.send(mesh.call(b, "http://shop.inventory", "/stock").GET().build());
    HttpResponse<String> fromPeerListener =
        mesh.send(
            HttpRequest.newBuilder(URI.create("http://" + b.peerAddress() + "/stock"))
                .header("x-wr-destination", "http://shop.inventory/stock")
                .header("x-wr-via-proxy", "1")
                .GET()
                .build());

    for (HttpResponse<String> response : List.of(remote, local, fromPeerListener)) {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("stock");
      assertThat(response.headers().map().keySet())
          .noneMatch(n -> n.toLowerCase(Locale.ROOT).startsWith("x-wr-"));
      assertThat(response.headers().firstValue("x-app")).hasValue("kept");
    }
  }

  @Test
  void thePeerListenerTakesOnlyProxiedCallsAndMakesNoSecondHop() throws Exception {
    Proxy a = mesh.proxy("node-a", "");
    Proxy b = mesh.proxy("node-b", "");
    mesh.register("e-a", mesh.engine(), a, null, ref("shop", "cart", "1.0.0"));
    Mesh.awaitRouted(b, "shop", "cart", 1);

    HttpRequest.Builder direct =
        HttpRequest.newBuilder(URI.create("http://" + b.peerAddress() + "/items"))
            .header("x-wr-destination", "http://shop.cart/items");
    HttpResponse<String> notProxied = mesh.send(direct.copy().GET().build());
    HttpResponse<String> secondHop =
        mesh.send(direct.copy().header("x-wr-via-proxy", "1").GET().build());

    assertThat(notProxied.statusCode()).isEqualTo(403);
    assertThat(notProxied.body())
        .contains("\"code\":\"not_via_proxy\"")
        .contains("x-wr-via-proxy: 1");
    assertThat(secondHop.statusCode()).isEqualTo(503);
    assertThat(secondHop.body())
        .contains("\"code\":\"no_healthy_instance\"")
        .contains("shop.cart has no healthy instance on this node");
  }

  @Test
  void versionRequirementsPickTheHighestMatchingHealthyVersion() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "");
    FakeEngine v1 = mesh.engine();
    FakeEngine v2 = mesh.engine();
    mesh.register("e1", v1, proxy, null, ref("example", "echo", "1.0.0"));
    mesh.register("e2", v2, proxy, null, ref("example", "echo", "2.0.0"));
    Mesh.awaitRouted(proxy, "example", "echo", 2);

    for (int i = 0; i < 5; i++) {
      HttpResponse<String> response =
          mesh.send(
              mesh.call(proxy, "http://example.echo", "/v")
                  .header("x-wr-version", "^1")
                  .GET()
                  .build());
      assertThat(response.statusCode()).isEqualTo(200);
    }
    assertThat(v1.requests).hasSize(5);
    assertThat(v2.requests).isEmpty();
    assertThat(v1.next().headers().get("x-wr-version")).isEqualTo("1.0.0");

    HttpResponse<String> none =
        mesh.send(
            mesh.call(proxy, "http://example.echo", "/v")
                .header("x-wr-version", "=3.0.0")
                .GET()
                .build());
    assertThat(none.statusCode()).isEqualTo(503);
    assertThat(none.body())
        .contains("\"code\":\"no_matching_version\"")
        .contains("example.echo has no healthy version matching =3.0.0 (available: 2.0.0, 1.0.0)")
        .contains("\"available\":[\"2.0.0\",\"1.0.0\"]");

    HttpResponse<String> invalid =
        mesh.send(
            mesh.call(proxy, "http://example.echo", "/v")
                .header("x-wr-version", "abc")
                .GET()
                .build());
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(invalid.body())
        .contains("\"code\":\"invalid_version\"")
        .contains("x-wr-version: \\\"abc\\\" (expected: a semver requirement such as ^1.2");
  }

  @Test
  void withoutARequirementEveryHealthyVersionServesAndARuleDefaultApplies() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "");
    FakeEngine v1 = mesh.engine();
    FakeEngine v2 = mesh.engine();
    mesh.register("e1", v1, proxy, null, ref("example", "echo", "1.0.0"));
    mesh.register("e2", v2, proxy, null, ref("example", "echo", "2.0.0"));
    Mesh.awaitRouted(proxy, "example", "echo", 2);

    Set<String> versions = new HashSet<>();
    for (int i = 0; i < 40 && versions.size() < 2; i++) {
      mesh.send(mesh.call(proxy, "http://example.echo", "/any").GET().build());
      FakeEngine.Recorded seen = (v1.requests.isEmpty() ? v2 : v1).next();
      versions.add(seen.headers().get("x-wr-version"));
    }
    assertThat(versions).containsExactlyInAnyOrder("1.0.0", "2.0.0");

    long before = proxy.routingTable().version();
    mesh.stub.upsertRoutingRule(
        UpsertRoutingRuleRequest.newBuilder()
            .setRule(
                RoutingRule.newBuilder()
                    .setNamespace("example")
                    .setModule("echo")
                    .setDefaultVersion("~2"))
            .build());
    await().atMost(Duration.ofSeconds(10)).until(() -> proxy.routingTable().version() > before);
    v1.requests.clear();
    v2.requests.clear();
    for (int i = 0; i < 5; i++) {
      assertThat(
              mesh.send(mesh.call(proxy, "http://example.echo", "/d").GET().build()).statusCode())
          .isEqualTo(200);
    }
    assertThat(v2.requests).hasSize(5);
    assertThat(v1.requests).isEmpty();
  }

  @Test
  void theLastTableKeepsServingWhileTheManagerIsAwayAndAFreshManagersTableIsTaken()
      throws Exception {
    Proxy proxy = mesh.proxy("node-a", "");
    FakeEngine engine = mesh.engine();
    mesh.register("e1", engine, proxy, null, ref("example", "echo", "1.0.0"));
    Mesh.awaitRouted(proxy, "example", "echo", 1);
    long before = proxy.routingTable().version();

    mesh.stopManager();
    HttpResponse<String> whileAway =
        mesh.send(mesh.call(proxy, "http://example.echo", "/x").GET().build());

    assertThat(whileAway.statusCode()).isEqualTo(200);
    assertThat(proxy.notReadyReason()).isNull();

    // A manager without a database starts again at version 1, knowing no engine.
    mesh.restartManager();
    Mesh.awaitRouted(proxy, "example", "echo", 0);
    assertThat(proxy.routingTable().version()).isLessThan(before);
    mesh.register("e1", engine, proxy, null, ref("example", "echo", "1.0.0"));
    Mesh.awaitRouted(proxy, "example", "echo", 1);
    assertThat(mesh.send(mesh.call(proxy, "http://example.echo", "/x").GET().build()).statusCode())
        .isEqualTo(200);
  }

  @Test
  void malformedAndUnknownDestinationsAreRefusedSayingWhatWasExpected() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "");
    HttpRequest.Builder base =
        HttpRequest.newBuilder(URI.create("http://" + proxy.listenAddress() + "/x"));

    HttpResponse<String> missing = mesh.send(base.copy().GET().build());
    HttpResponse<String> oneLabel =
        mesh.send(base.copy().header("x-wr-destination", "http://echo/x").GET().build());
    HttpResponse<String> relative =
        mesh.send(base.copy().header("x-wr-destination", "/x").GET().build());
    HttpResponse<String> unknown =
        mesh.send(base.copy().header("x-wr-destination", "http://example.nope/x").GET().build());

    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(missing.body())
        .contains("\"code\":\"invalid_destination\"")
        .contains("x-wr-destination is missing (expected: an absolute URI");
    assertThat(oneLabel.statusCode()).isEqualTo(400);
    assertThat(oneLabel.body()).contains("has the one-label host echo");
    assertThat(relative.statusCode()).isEqualTo(400);
    assertThat(unknown.statusCode()).isEqualTo(503);
    assertThat(unknown.body())
        .contains("\"code\":\"unknown_destination\"")
        .contains("no route to example.nope");
    assertThat(proxy.metrics().count("unknown", "unknown", 503)).isEqualTo(1);
  }

  @Test
  void egressForwardsToAllowlistedHostsWithoutWrHeadersWhenEnabled() throws Exception {
    FakeEngine external = mesh.engine().answer(200, "from outside");
    String allow =
        "[egress]\nallow_ip_literals = true\nallowed_domains = [\"" + external.address() + "\"]\n";
    Proxy enabled = mesh.proxy("node-a", allow + "enabled = true\n");
    Proxy disabled = mesh.proxy("node-b", allow);
    String destination = "http://" + external.address();

    HttpResponse<String> out =
        mesh.send(
            mesh.call(enabled, destination, "/v1/thing")
                .header("x-wr-version", "^1")
                .GET()
                .build());
    HttpResponse<String> refused =
        mesh.send(mesh.call(disabled, destination, "/v1/thing").GET().build());

    assertThat(out.statusCode()).isEqualTo(200);
    assertThat(out.body()).isEqualTo("from outside");
    FakeEngine.Recorded seen = external.next();
    assertThat(seen.uri()).isEqualTo("/v1/thing");
    assertThat(seen.headers().get("host")).isEqualTo(external.address().toString());
    assertThat(seen.headers().names()).noneMatch(n -> n.toLowerCase().startsWith("x-wr-"));
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.body()).contains("\"code\":\"egress_disabled\"");
  }

  @Test
  void egressReachesOnlyThePortTheAllowlistNames() throws Exception {
    FakeEngine external = mesh.engine().answer(200, "from outside");
    FakeEngine sameHostOtherPort = mesh.engine().answer(200, "admin");
    Proxy proxy =
        mesh.proxy(
            "node-a",
            "[egress]\nenabled = true\nallow_ip_literals = true\nallowed_domains = [\""
                + external.address()
                + "\"]\n");

    HttpResponse<String> refused =
        mesh.send(
            mesh.call(proxy, "http://" + sameHostOtherPort.address(), "/metrics").GET().build());

    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.body())
        .contains("\"code\":\"unknown_destination\"")
        .contains("no route to " + sameHostOtherPort.address());
    assertThat(sameHostOtherPort.requests).isEmpty();
  }

  @Test
  void beforeTheFirstRoutingTableCallsAreRefusedAndTheProxyIsNotReady() throws Exception {
    var config =
        io.wruntime.proxy.config.ProxyConfig.parse(
            "proxy.toml",
            """
            listen_address = "127.0.0.1:0"
            control_address = "127.0.0.1:0"
            manager_address = "127.0.0.1:1"
            admin_address = "127.0.0.1:0"
            [node]
            peer_port = 0
            """);
    try (Proxy proxy =
        Proxy.start(
            config,
            io.grpc.inprocess.InProcessChannelBuilder.forName("nobody-" + System.nanoTime())
                .build(),
            io.wruntime.common.telemetry.Telemetry.notExporting(Proxy.SERVICE_NAME),
            java.time.Clock.systemUTC())) {
      HttpResponse<String> response =
          mesh.send(mesh.call(proxy, "http://example.echo", "/x").GET().build());
      HttpResponse<String> ready =
          mesh.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:"
                              + proxy.adminAddress().orElseThrow().getPort()
                              + "/readyz"))
                  .build());

      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.headers().firstValue("retry-after")).contains("1");
      assertThat(response.body())
          .contains("\"code\":\"routing_table_unavailable\"")
          .contains("no routing table has arrived from the manager at 127.0.0.1:1 yet");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("no routing table has arrived");
    }
  }
}
