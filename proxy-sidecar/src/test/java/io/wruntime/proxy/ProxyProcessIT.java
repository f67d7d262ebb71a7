package io.wruntime.proxy;

import static io.wruntime.proxy.Mesh.ref;
import static io.wruntime.proxy.ProxyProcesses.ADMIN;
import static io.wruntime.proxy.ProxyProcesses.LISTENING;
import static io.wruntime.proxy.ProxyProcesses.MANAGER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wruntime.proto.v1.ModuleRef;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy as a user runs it: {@code bin/wr-proxy --config F} in a child JVM with a small heap,
 * next to a {@code bin/wr-manager} child process; a fake engine registers through the proxy's
 * NodeService and takes a 256 MiB upload through it; SIGTERM stops the proxy with exit code 0.
 */
class ProxyProcessIT {
  private static final ModuleRef ECHO = ref("example", "echo", "1.0.0");
  private static final long UPLOAD = 256L * 1024 * 1024;

  @TempDir Path dir;

  @Test
  void routesAnEngineRegisteredThroughItAndStopsCleanlyOnSigterm() throws Exception {
    Files.writeString(dir.resolve("manager.toml"), "listen_address = \"127.0.0.1:0\"\n");
    try (ChildProcess manager =
            ChildProcess.start(
                "wr-manager",
                dir.resolve("manager.log"),
                "-Xmx64m",
                "--config",
                dir.resolve("manager.toml").toString());
        FakeEngine engine = new FakeEngine()) {
      int managerPort = Integer.parseInt(manager.await(MANAGER).group(1));
      Path config = dir.resolve("proxy.toml");
      Files.writeString(
          config,
          """
          listen_address = "127.0.0.1:0"
          control_address = "127.0.0.1:0"
          manager_address = "http://127.0.0.1:%d"
          admin_address = "127.0.0.1:0"
          [node]
          name = "node-a"
          peer_port = 0
          """
              .formatted(managerPort));
      try (ChildProcess proxy =
          ChildProcess.start(
              "wr-proxy", dir.resolve("proxy.log"), "-Xmx128m", "--config", config.toString())) {
        Matcher ports = proxy.await(LISTENING);
        int listen = Integer.parseInt(ports.group(1));
        int peer = Integer.parseInt(ports.group(2));
        int control = Integer.parseInt(ports.group(3));
        int admin = Integer.parseInt(proxy.await(ADMIN).group(1));
        HttpClient http = HttpClient.newHttpClient();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> get(http, admin, "/readyz").statusCode() == 200);

        ProxyProcesses.registerHealthy(control, engine, ECHO);
        engine.mode(FakeEngine.Mode.COUNT);
        HttpRequest upload =
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listen + "/upload"))
                .header("x-wr-destination", "http://example.echo/upload")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ZeroStream(UPLOAD)))
                .build();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    http.send(
                                HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + listen + "/"))
                                    .header("x-wr-destination", "http://example.echo/")
                                    .build(),
                                HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                        == 200);

        HttpResponse<String> response = http.send(upload, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(proxy.output()).isEqualTo(200);
        assertThat(response.body()).startsWith(UPLOAD + " ");
        assertThat(peer).isPositive();
        String metrics = get(http, admin, "/metrics").body();
        assertThat(metrics)
            .contains(
                "wr_proxy_requests_total{destination=\"example.echo\",source=\"unknown\","
                    + "status=\"200\"}");

        proxy.terminate();
        assertThat(proxy.awaitExit(Duration.ofSeconds(30))).as(proxy.output()).isZero();
        assertThat(proxy.output()).contains("proxy stopped");
      }
    }
  }

  @Test
  void aConfigErrorExitsWithTwoNamingTheKey() throws Exception {
    Path config = dir.resolve("proxy.toml");
    Files.writeString(
        config, "manager_address = \"http://127.0.0.1:9000\"\nlisten_adress = \"x\"\n");
    try (ChildProcess proxy =
        ChildProcess.start(
            "wr-proxy", dir.resolve("proxy.log"), "-Xmx64m", "--config", config.toString())) {
      assertThat(proxy.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
      assertThat(proxy.output())
          .contains("wr-proxy: " + config + ": listen_adress is not a known key (expected one of:");
    }
  }

  @Test
  void anAddressInUseExitsWithOne() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path config = dir.resolve("proxy.toml");
      Files.writeString(
          config,
          """
          listen_address = "127.0.0.1:%d"
          manager_address = "http://127.0.0.1:9"
          """
              .formatted(taken.getLocalPort()));
      try (ChildProcess proxy =
          ChildProcess.start(
              "wr-proxy", dir.resolve("proxy.log"), "-Xmx64m", "--config", config.toString())) {
        assertThat(proxy.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
        assertThat(proxy.output())
            .contains(
                "wr-proxy: cannot listen on listen_address 127.0.0.1:" + taken.getLocalPort());
      }
    }
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** {@code size} zero bytes. */
  private static final class ZeroStream extends InputStream {
    private long left;

    ZeroStream(long size) {
      this.left = size;
    }

    @Override
    public int read() {
      return left-- > 0 ? 0 : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left <= 0) {
        return -1;
      }
      int n = (int) Math.min(len, left);
      java.util.Arrays.fill(b, off, off + n, (byte) 0);
      left -= n;
      return n;
    }
  }
}
