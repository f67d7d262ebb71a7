package io.wruntime.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.tests.LocalCluster.CliResult;
import io.wruntime.tests.LocalCluster.Module;
import io.wruntime.tests.LocalCluster.Proxy;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The quick start as a user runs it: {@code wr-manager}, {@code wr-proxy} and one {@code wr-engine}
 * hosting echo and caller, each its own process; {@code wr-cli invoke} calls the modules through
 * the proxy.
 */
class QuickStartIT {
  private static final LocalCluster cluster = new LocalCluster("QuickStartIT");
  private static Proxy proxy;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster.startManager();
    proxy = cluster.startProxy("node-a");
    var engine = cluster.startEngine("engine-a", proxy, Module.echo("1.0.0"), Module.caller());
    cluster.awaitHealthy(List.of(engine), List.of(Module.echo("1.0.0"), Module.caller()), proxy);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    cluster.close();
  }

  @Test
  void invokingTheCallerPrintsHelloFromEcho() throws Exception {
    CliResult run = cluster.cli(proxy, "invoke", "--destination", "http://example.caller/run");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout().strip()).isEqualTo("hello");
  }

  @Test
  void invokingEchoWithJsonPrintsTheEchoResponseAsJson() throws Exception {
    CliResult run =
        cluster.cli(
            proxy,
            "invoke",
            "--destination",
            "http://example.echo/echo.EchoService/Echo",
            "--body",
            "{\"message\":\"hello\"}");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).contains("\"message\": \"hello\"");
    assertThat(run.stderr()).isEmpty();
  }
}
