package io.wruntime.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wruntime.tests.LocalCluster.Engine;
import io.wruntime.tests.LocalCluster.Module;
import io.wruntime.tests.LocalCluster.Proxy;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes and one manager: node A runs proxy A and an engine with {@code caller}; node B runs
 * proxy B and an engine with {@code echo}. The caller's call to echo leaves node A through proxy A,
 * enters node B through proxy B's peer listener and reaches echo there.
 */
class TwoNodesIT {
  private static final Module ECHO = Module.echo("1.0.0");
  private static final Module CALLER = Module.caller();
  private static final String CALLER_TO_ECHO =
      "wr_proxy_requests_total{destination=\"example.echo\",source=\"example.caller\","
          + "status=\"200\"}";

  private static final LocalCluster cluster = new LocalCluster("TwoNodesIT");
  private static Proxy proxyA;
  private static Proxy proxyB;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster.startManager();
    proxyA = cluster.startProxy("node-a");
    proxyB = cluster.startProxy("node-b");
    var launchedA = cluster.launchEngine("engine-a", proxyA, "-Xmx256m", CALLER);
    var launchedB = cluster.launchEngine("engine-b", proxyB, "-Xmx256m", ECHO);
    Engine a = LocalCluster.awaitListening(launchedA);
    Engine b = LocalCluster.awaitListening(launchedB);
    cluster.awaitHealthy(List.of(a), List.of(CALLER), proxyA, proxyB);
    cluster.awaitHealthy(List.of(b), List.of(ECHO), proxyA, proxyB);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    cluster.close();
  }

  private static double callerToEcho(Proxy proxy) throws Exception {
    return LocalCluster.metric(LocalCluster.get(proxy.adminPort(), "/metrics"), CALLER_TO_ECHO);
  }

  @Test
  void theCallerOnNodeAReachesEchoOnNodeBThroughBothProxies() throws Exception {
    double leftA = callerToEcho(proxyA);
    double enteredB = callerToEcho(proxyB);

    HttpResponse<String> response =
        LocalCluster.HTTP.send(
            proxyA.request("http://example.caller/run").GET().build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("hello\n");
    // A proxy counts an exchange when it ends, which may be just after the client read it.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(callerToEcho(proxyA))
                  .as("caller -> echo calls through proxy A")
                  .isEqualTo(leftA + 1);
              assertThat(callerToEcho(proxyB))
                  .as("caller -> echo calls through proxy B")
                  .isEqualTo(enteredB + 1);
            });
  }
}
