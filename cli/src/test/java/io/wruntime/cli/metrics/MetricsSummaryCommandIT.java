package io.wruntime.cli.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wruntime.cli.CliRun;
import io.wruntime.cli.FakeHttpServer;
import io.wruntime.cli.FakeHttpServer.Response;
import io.wruntime.cli.WrCli;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code metrics summary} against a fake proxy admin endpoint serving Prometheus text. */
class MetricsSummaryCommandIT {
  private static Response metrics(String text) {
    return new Response(200, "text/plain; version=0.0.4", text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void printsCountErrorsMeanAndP99PerSourceAndDestination() {
    try (FakeHttpServer admin = FakeHttpServer.start(request -> metrics(RequestSummaryTest.TEXT))) {
      CliRun run = CliRun.run("metrics", "summary", "--proxy-admin", admin.address());

      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(admin.requests().getFirst().path()).isEqualTo("/metrics");
      assertThat(run.out())
          .isEqualTo(
              """
              requests since the proxy started
              SOURCE  DESTINATION  REQUESTS  ERRORS  MEAN    P99
              a.b     c.d          100       2       20.0ms  750.0ms
              a.b     e.f          1         0       -       -
              """);
    }
  }

  @Test
  void jsonOutputHasOneObjectPerPair() throws Exception {
    try (FakeHttpServer admin = FakeHttpServer.start(request -> metrics(RequestSummaryTest.TEXT))) {
      CliRun run =
          CliRun.run(
              Map.of("WR_PROXY_ADMIN", admin.address()), "metrics", "summary", "--output", "json");

      JsonNode json = new ObjectMapper().readTree(run.out());
      assertThat(json.get("windowSeconds").isNull()).isTrue();
      JsonNode first = json.get("pairs").get(0);
      assertThat(first.get("requests").asLong()).isEqualTo(100);
      assertThat(first.get("errors").asLong()).isEqualTo(2);
      assertThat(first.get("p99Seconds").asDouble()).isEqualTo(0.75);
      assertThat(json.get("pairs").get(1).get("meanSeconds").isNull()).isTrue();
    }
  }

  @Test
  void sinceReportsOnlyWhatHappenedBetweenTwoReadings() {
    AtomicInteger reads = new AtomicInteger();
    try (FakeHttpServer admin =
        FakeHttpServer.start(
            request ->
                metrics(
                    "wr_proxy_requests_total{source=\"a.b\",destination=\"c.d\",status=\"200\"} "
                        + (reads.incrementAndGet() == 1 ? 40 : 47)
                        + "\n"))) {
      CliRun run =
          CliRun.run("metrics", "summary", "--proxy-admin", admin.address(), "--since", "50ms");

      assertThat(run.exitCode()).isZero();
      assertThat(reads).hasValue(2);
      assertThat(run.out())
          .isEqualTo(
              """
              requests during 50ms
              SOURCE  DESTINATION  REQUESTS  ERRORS  MEAN  P99
              a.b     c.d          7         0       -     -
              """);
    }
  }

  @Test
  void missingAdminAddressIsAUsageError() {
    CliRun run = CliRun.run("metrics", "summary");

    assertThat(run.exitCode()).isEqualTo(WrCli.EXIT_USAGE);
    assertThat(run.err()).contains("--proxy-admin URL or WR_PROXY_ADMIN");
  }

  @Test
  void unreachableAdminEndpointIsOneLineAndExitOne() {
    String nowhere = CliRun.unusedAddress();
    CliRun run = CliRun.run("metrics", "summary", "--proxy-admin", nowhere);

    assertThat(run.exitCode()).isEqualTo(WrCli.EXIT_FAILURE);
    assertThat(run.err())
        .isEqualTo(
            "wr-cli: cannot reach the proxy's admin endpoint at "
                + nowhere
                + ": connection refused\n");
  }

  @Test
  void textThatIsNotPrometheusFailsNamingTheLine() {
    try (FakeHttpServer admin = FakeHttpServer.start(request -> metrics("<html>oops</html>\n"))) {
      CliRun run = CliRun.run("metrics", "summary", "--proxy-admin", admin.address());

      assertThat(run.exitCode()).isEqualTo(WrCli.EXIT_FAILURE);
      assertThat(run.err())
          .startsWith("wr-cli: GET " + admin.address() + "/metrics did not answer Prometheus text:")
          .contains("line 1");
    }
  }
}
