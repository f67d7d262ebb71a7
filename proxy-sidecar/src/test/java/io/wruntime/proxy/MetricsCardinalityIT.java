package io.wruntime.proxy;

import static io.wruntime.proxy.Mesh.ref;
import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.proto.v1.ModuleRef;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Callers choose {@code x-wr-source} and the destination host: however many they make up, the
 * proxy's {@code /metrics} keeps a bounded number of series, and the modules of the routing table
 * keep theirs.
 */
@ExtendWith(LeakRecorder.class)
class MetricsCardinalityIT {
  private static final ModuleRef ECHO = ref("example", "echo", "1.0.0");
  private static final int REQUESTS = 10_000;
  private static final int CLIENTS = 4;

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
  void randomSourcesAndDestinationsDoNotGrowTheSeries() throws Exception {
    Proxy proxy = mesh.proxy("node-a", "admin_address = \"127.0.0.1:0\"\n");
    mesh.register("e1", mesh.engine(), proxy, null, ECHO);
    Mesh.awaitRouted(proxy, "example", "echo", 1);
    AtomicInteger echoed = new AtomicInteger();
    AtomicInteger unrouted = new AtomicInteger();

    try (ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        done.add(
            clients.submit(
                () -> {
                  for (int i = 0; i < REQUESTS / CLIENTS; i++) {
                    String random = UUID.randomUUID().toString().substring(0, 8);
                    String destination =
                        i % 2 == 0 ? "http://example.echo" : "http://ns" + random + ".m" + random;
                    HttpResponse<String> response =
                        mesh.send(
                            HttpRequest.newBuilder(
                                    URI.create("http://" + proxy.listenAddress() + "/x"))
                                .header("x-wr-destination", destination + "/x")
                                .header("x-wr-source", "caller-" + random)
                                .timeout(Duration.ofSeconds(30))
                                .GET()
                                .build());
                    (response.statusCode() == 200 ? echoed : unrouted).incrementAndGet();
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    }
    for (int i = 0; i < 3; i++) {
      mesh.send(
          mesh.call(proxy, "http://example.echo", "/x")
              .setHeader("x-wr-source", "example.echo")
              .GET()
              .build());
    }

    String metrics =
        mesh.send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + proxy.adminAddress().get().getPort()
                                + "/metrics"))
                    .GET()
                    .build())
            .body();
    List<String> samples = metrics.lines().filter(l -> !l.startsWith("#")).toList();
    assertThat(echoed.get()).isEqualTo(REQUESTS / 2);
    assertThat(unrouted.get()).isEqualTo(REQUESTS / 2);
    assertThat(samples).hasSizeLessThan(200);
    assertThat(metrics).doesNotContain("caller-").doesNotContain("\"ns");
    assertThat(metrics)
        .contains(
            "wr_proxy_requests_total{destination=\"example.echo\",source=\"unknown\",status=\"200\"}"
                + " 5000")
        .contains(
            "wr_proxy_requests_total{destination=\"unknown\",source=\"unknown\",status=\"503\"}"
                + " 5000")
        .contains(
            "wr_proxy_requests_total{destination=\"example.echo\",source=\"example.echo\","
                + "status=\"200\"} 3");
  }
}
