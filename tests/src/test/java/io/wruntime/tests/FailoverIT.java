package io.wruntime.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.proto.v1.RoutingTable;
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
 * Two engines host the same echo version behind one proxy: calls spread over both, and when one
 * engine is killed (SIGKILL, no deregistration) its route turns unhealthy within the manager's
 * heartbeat timeout and every later call is served by the survivor.
 */
class FailoverIT {
  private static final Module ECHO = Module.echo("1.0.0");
  private static final String DESTINATION = "http://example.echo/echo.EchoService/Echo";

  private static final LocalCluster cluster = new LocalCluster("FailoverIT");
  private static Proxy proxy;
  private static Engine a;
  private static Engine b;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster.startManager();
    proxy = cluster.startProxy("node-a");
    var launchedA = cluster.launchEngine("engine-a", proxy, "-Xmx256m", ECHO);
    var launchedB = cluster.launchEngine("engine-b", proxy, "-Xmx256m", ECHO);
    a = LocalCluster.awaitListening(launchedA);
    b = LocalCluster.awaitListening(launchedB);
    cluster.awaitHealthy(List.of(a, b), List.of(ECHO), proxy);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    cluster.close();
  }

  private static void callEcho(int calls) throws Exception {
    for (int i = 0; i < calls; i++) {
      String message = "call " + i;
      HttpResponse<String> response =
          LocalCluster.HTTP.send(
              proxy
                  .request(DESTINATION)
                  .header("content-type", "text/plain")
                  .POST(HttpRequest.BodyPublishers.ofString(message))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("call %d: %s", i, response.body()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(message);
    }
  }

  @Test
  void callsReachBothEnginesAndSurviveTheLossOfOne() throws Exception {
    long beforeA = LocalCluster.okRequests(a, ECHO);
    long beforeB = LocalCluster.okRequests(b, ECHO);
    long start = System.nanoTime();
    callEcho(100);
    long servedA = LocalCluster.okRequests(a, ECHO) - beforeA;
    long servedB = LocalCluster.okRequests(b, ECHO) - beforeB;
    // The engines' counters include their own health probes: one per module per second.
    long probes = Duration.ofNanos(System.nanoTime() - start).toSeconds() + 2;
    assertThat(servedA + servedB).isBetween(100L, 100 + 2 * probes);
    assertThat(servedA).as("engine-a's share of 100 calls").isGreaterThanOrEqualTo(10);
    assertThat(servedB).as("engine-b's share of 100 calls").isGreaterThanOrEqualTo(10);

    b.process().sigkill();
    long killed = System.nanoTime();
    RoutingTable table =
        cluster.awaitRoutingTable(
            Duration.ofSeconds(30),
            t ->
                t.getRoutesList().stream()
                    .anyMatch(r -> r.getEngineId().equals("engine-b") && !r.getHealthy()),
            proxy);
    Duration unhealthyAfter = Duration.ofNanos(System.nanoTime() - killed);
    // The engine's last heartbeat may reach the manager up to a second late (the proxy batches
    // them), the monitor looks every second, and the new table then travels to the proxy: 4 s at
    // most, plus a second of slack for a busy machine.
    assertThat(unhealthyAfter)
        .as("time until engine-b's route is unhealthy")
        .isLessThanOrEqualTo(LocalCluster.ENGINE_HEARTBEAT_TIMEOUT.plusSeconds(4));
    assertThat(table.getRoutesList())
        .filteredOn(r -> r.getEngineId().equals("engine-a"))
        .singleElement()
        .satisfies(r -> assertThat(r.getHealthy()).isTrue());

    long survivorBefore = LocalCluster.okRequests(a, ECHO);
    callEcho(50);
    assertThat(LocalCluster.okRequests(a, ECHO) - survivorBefore).isGreaterThanOrEqualTo(50);
  }
}
