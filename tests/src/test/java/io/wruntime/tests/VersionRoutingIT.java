package io.wruntime.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.tests.LocalCluster.Engine;
import io.wruntime.tests.LocalCluster.Module;
import io.wruntime.tests.LocalCluster.Proxy;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code example.echo} at 1.0.0 and 2.0.0 (the same wasm twice in one engine) behind a proxy: an
 * {@code x-wr-version} requirement picks the version that serves the call. Which version answered
 * is told by the engine's per-module-version request counters.
 */
class VersionRoutingIT {
  private static final Module V1 = Module.echo("1.0.0");
  private static final Module V2 = Module.echo("2.0.0");
  private static final String DESTINATION = "http://example.echo/echo.EchoService/Echo";
  private static final int CALLS = 30;

  private static final LocalCluster cluster = new LocalCluster("VersionRoutingIT");
  private static Proxy proxy;
  private static Engine engine;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster.startManager();
    proxy = cluster.startProxy("node-a");
    engine = cluster.startEngine("engine-a", proxy, V1, V2);
    cluster.awaitHealthy(List.of(engine), List.of(V1, V2), proxy);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    cluster.close();
  }

  private static HttpResponse<String> call(String requirement, String body) throws Exception {
    return LocalCluster.HTTP.send(
        proxy
            .request(DESTINATION)
            .header("x-wr-version", requirement)
            .header("content-type", "text/plain")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Sends {@link #CALLS} calls with {@code requirement} and checks which version served them. */
  private static void assertServedOnlyBy(String requirement, Module chosen, Module other)
      throws Exception {
    long chosenBefore = LocalCluster.okRequests(engine, chosen);
    long otherBefore = LocalCluster.okRequests(engine, other);
    long start = System.nanoTime();
    for (int i = 0; i < CALLS; i++) {
      HttpResponse<String> response = call(requirement, "call " + i);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("call " + i);
    }
    long chosenServed = LocalCluster.okRequests(engine, chosen) - chosenBefore;
    long otherServed = LocalCluster.okRequests(engine, other) - otherBefore;
    // Both counters also count the engine's health probes: one per module per second.
    long probes = Duration.ofNanos(System.nanoTime() - start).toSeconds() + 2;
    assertThat(chosenServed).as(chosen.label()).isBetween((long) CALLS, CALLS + probes);
    assertThat(otherServed).as(other.label()).isLessThanOrEqualTo(probes).isLessThan(CALLS);
  }

  @Test
  void aCaretRequirementIsServedByTheMatchingVersionOnly() throws Exception {
    assertServedOnlyBy("^1", V1, V2);
    assertServedOnlyBy("^2", V2, V1);
  }

  @Test
  void anExactVersionThatNoEngineServesIs503NamingTheAvailableOnes() throws Exception {
    HttpResponse<String> response = call("=3.0.0", "x");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body())
        .contains("\"code\":\"no_matching_version\"")
        .contains("=3.0.0")
        .contains("1.0.0")
        .contains("2.0.0");
  }

  @Test
  void aMalformedRequirementIs400() throws Exception {
    HttpResponse<String> response = call("abc", "x");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("\"code\":\"invalid_version\"").contains("abc");
  }
}
