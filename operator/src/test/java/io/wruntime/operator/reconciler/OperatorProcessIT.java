package io.wruntime.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.wruntime.kubetest.RealApiServer;
import io.wruntime.operator.Fixtures;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/wr-operator} as a child process against a real API server: it starts from its
 * operator.toml and the kubeconfig, leads, serves its admin endpoints, refuses a bad config with
 * exit code 2, and stops on SIGTERM with exit code 0.
 */
class OperatorProcessIT {
  private static final Path ROOT = Path.of(System.getProperty("wr.root", ".."));
  private static RealApiServer api;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    api = RealApiServer.start();
    try (KubernetesClient admin =
        new KubernetesClientBuilder().withConfig(api.adminConfig()).build()) {
      RealApiServer.installCrd(admin, ROOT.resolve("crds/wasmmodules.wruntime.io.yaml"));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (api != null) {
      api.close();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static ProcessBuilder operator(Path config, Path log) throws IOException {
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, api.adminKubeconfigYaml(), StandardCharsets.UTF_8);
    ProcessBuilder builder =
        new ProcessBuilder(
                ROOT.resolve("bin/wr-operator").toString(), "--config", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder.environment().put("POD_NAMESPACE", "default");
    builder.environment().put("POD_NAME", "wr-operator-process-0");
    return builder;
  }

  @Test
  void startsLeadsServesItsAdminEndpointsAndStopsCleanlyOnSigterm() throws Exception {
    int admin = freePort();
    Path config = dir.resolve("operator.toml");
    Files.writeString(
        config,
        Fixtures.OPERATOR_TOML
            .replace(
                "admin_address = \"127.0.0.1:0\"", "admin_address = \"127.0.0.1:" + admin + "\"")
            .replace("enabled = false", "enabled = true\nlease_namespace = \"default\""));
    Path log = dir.resolve("operator.log");
    Process process = operator(config, log).start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                HttpResponse<String> ready =
                    http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/readyz"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(ready.statusCode()).isEqualTo(200);
                HttpResponse<String> metrics =
                    http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/metrics"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.body()).contains("wr_operator_leader 1");
              });
      assertThat(Files.readString(log))
          .contains("leading: reconciling WasmModules as wr-operator-process-0");
    } finally {
      process.destroy();
    }
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
    assertThat(process.exitValue()).as(Files.readString(log)).isZero();
    assertThat(Files.readString(log)).contains("operator stopped");
  }

  @Test
  void aBadConfigIsRefusedWithExitCodeTwoNamingTheKey() throws Exception {
    Path config = dir.resolve("bad.toml");
    Files.writeString(config, Fixtures.OPERATOR_TOML.replace("image_pull_secrets", "pull_secrets"));
    Path log = dir.resolve("bad.log");
    Process process = operator(config, log).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(Files.readString(log))
        .contains(
            "wr-operator: "
                + config
                + ": engine.pull_secrets is not a known key (expected one of:");
  }
}
