package io.wruntime.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.proto.v1.Route;
import io.wruntime.proto.v1.RoutingTable;
import io.wruntime.tests.LocalCluster.Engine;
import io.wruntime.tests.LocalCluster.Module;
import io.wruntime.tests.LocalCluster.Proxy;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Restarts through real processes: an engine replaced by a new process with the same engine id (the
 * old one deregisters late), and a manager restarted under a proxy that is serving calls.
 */
class RestartIT {
  private static final Module ECHO = Module.echo("1.0.0");
  private static final String DESTINATION = "http://example.echo/echo.EchoService/Echo";

  private static HttpResponse<String> callEcho(Proxy proxy, String message) throws Exception {
    return LocalCluster.HTTP.send(
        proxy
            .request(DESTINATION)
            .header("content-type", "text/plain")
            .POST(HttpRequest.BodyPublishers.ofString(message))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static Route routeOf(RoutingTable table, String engineId) {
    return table.getRoutesList().stream()
        .filter(r -> r.getEngineId().equals(engineId))
        .findFirst()
        .orElse(null);
  }

  @Test
  void aLateDeregistrationOfTheStoppedProcessLeavesItsSuccessorRoutable() throws Exception {
    try (LocalCluster cluster = new LocalCluster("RestartIT-engine")) {
      cluster.startManager();
      Proxy proxy = cluster.startProxy("node-a");
      Engine old = cluster.startEngine("engine-x", proxy, ECHO);
      cluster.awaitHealthy(List.of(old), List.of(ECHO), proxy);

      Engine successor =
          LocalCluster.awaitListening(
              cluster.launchEngine("engine-x", "engine-x-2", proxy, "-Xmx256m", 0, ECHO),
              "engine-x");
      String successorAddress = "http://127.0.0.1:" + successor.port();
      cluster.awaitRoutingTable(
          Duration.ofSeconds(30),
          t ->
              routeOf(t, "engine-x") != null
                  && routeOf(t, "engine-x").getAddress().equals(successorAddress),
          proxy);
      // The old process stops after its successor registered: it deregisters engine-x.
      old.process().sigterm();
      old.process().await(Pattern.compile("deregistered engine engine-x through node service"));
      assertThat(old.process().awaitExit(Duration.ofSeconds(30))).isZero();

      RoutingTable table =
          cluster.awaitRoutingTable(
              Duration.ofSeconds(30),
              t -> {
                Route route = routeOf(t, "engine-x");
                return route != null
                    && route.getHealthy()
                    && route.getAddress().equals(successorAddress);
              },
              proxy);
      assertThat(table.getRoutesList()).hasSize(1);

      long before = LocalCluster.okRequests(successor, ECHO);
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> response = callEcho(proxy, "call " + i);
        assertThat(response.statusCode()).as("call %d: %s", i, response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("call " + i);
      }
      assertThat(LocalCluster.okRequests(successor, ECHO) - before).isGreaterThanOrEqualTo(20);
    }
  }

  @Test
  void callsKeepBeingAnsweredWhileTheManagerRestarts() throws Exception {
    // Longer than the new manager's start plus the proxy's longest backoff (10 s and jitter), so
    // that the proxy resubscribes while the table is incomplete, and long enough for the engine
    // to re-register and report healthy on a busy machine.
    String resync = "startup_resync_secs = 30\n";
    try (LocalCluster cluster = new LocalCluster("RestartIT-manager")) {
      cluster.startManager(resync, java.util.Map.of());
      Proxy proxy = cluster.startProxy("node-a");
      Engine engine = cluster.startEngine("engine-a", proxy, ECHO);
      cluster.awaitHealthy(List.of(engine), List.of(ECHO), proxy);

      List<String> failures = new CopyOnWriteArrayList<>();
      AtomicInteger answered = new AtomicInteger();
      AtomicBoolean calling = new AtomicBoolean(true);
      Thread caller =
          Thread.ofPlatform()
              .name("echo-caller")
              .start(
                  () -> {
                    int i = 0;
                    while (calling.get()) {
                      try {
                        HttpResponse<String> response = callEcho(proxy, "call " + i);
                        if (response.statusCode() != 200) {
                          failures.add(response.statusCode() + " " + response.body());
                        }
                        answered.incrementAndGet();
                        i++;
                        // Pacing, not waiting: the machine is shared.
                        Thread.sleep(20);
                      } catch (InterruptedException e) {
                        return;
                      } catch (Exception e) {
                        failures.add(e.toString());
                      }
                    }
                  });
      try {
        LocalCluster.Manager restarted = cluster.restartManager(resync);
        restarted
            .process()
            .await(
                Pattern.compile("startup resync window of 30 s is over"), Duration.ofSeconds(90));
        proxy.process().await(Pattern.compile("routing table stream to the manager restored"));
        cluster.awaitRoutingTable(
            Duration.ofSeconds(30),
            t ->
                !t.getIncomplete()
                    && routeOf(t, "engine-a") != null
                    && routeOf(t, "engine-a").getHealthy());
        int before = answered.get();
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> answered.get() >= before + 20);
      } finally {
        calling.set(false);
        caller.join();
      }

      assertThat(failures).isEmpty();
      assertThat(proxy.process().output())
          .contains("is incomplete while engines re-register: serving version");
    }
  }
}
