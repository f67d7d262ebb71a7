package io.wruntime.manager;

import static io.wruntime.manager.Fixtures.engine;
import static io.wruntime.manager.Fixtures.heartbeat;
import static io.wruntime.manager.Fixtures.module;
import static io.wruntime.manager.Fixtures.ref;
import static io.wruntime.manager.Fixtures.schema;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.wruntime.proto.v1.EngineInfo;
import io.wruntime.proto.v1.GetEngineRequest;
import io.wruntime.proto.v1.GetRoutingTableRequest;
import io.wruntime.proto.v1.HeartbeatRequest;
import io.wruntime.proto.v1.ManagerServiceGrpc;
import io.wruntime.proto.v1.ManagerServiceGrpc.ManagerServiceBlockingStub;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.RoutingTable;
import io.wruntime.proto.v1.WatchRoutingTableRequest;
import io.wruntime.proto.v1.WatchRoutingTableResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manager as a user runs it: {@code bin/wr-manager --config F} in a child JVM, reached over
 * real gRPC (Netty) on loopback, stopped with SIGTERM.
 */
class ManagerProcessIT {
  private static final Pattern LISTENING = Pattern.compile("manager listening on [^\\s]+:(\\d+)");
  private static final Pattern ADMIN = Pattern.compile("admin endpoints on [^\\s]+:(\\d+)");
  private static final ModuleRef ECHO = ref("example", "echo", "1.0.0");

  @TempDir Path dir;

  @Test
  void registersAnEngineOverNettyAndStopsCleanlyOnSigterm() throws Exception {
    Path config = write("127.0.0.1:0", "admin_address = \"127.0.0.1:0\"\n");
    try (ManagerProcess manager = ManagerProcess.start(config)) {
      int port = manager.awaitPort(LISTENING);
      int adminPort = manager.awaitPort(ADMIN);
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      try {
        ManagerServiceBlockingStub stub =
            ManagerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        BlockingQueue<Object> watched = new LinkedBlockingQueue<>();
        ManagerServiceGrpc.newStub(channel)
            .watchRoutingTable(
                WatchRoutingTableRequest.newBuilder().setNode("node-a").build(), collect(watched));

        stub.registerEngine(
            engine("e1", "node-a", module(ECHO, schema("echo", "EchoService", "Echo"))));
        stub.heartbeat(
            HeartbeatRequest.newBuilder().addHeartbeats(heartbeat("e1", ECHO, true)).build());

        EngineInfo info =
            stub.getEngine(GetEngineRequest.newBuilder().setEngineId("e1").build()).getEngine();
        assertThat(info.getHealthy()).isTrue();
        assertThat(info.getModules(0).getRef()).isEqualTo(ECHO);
        RoutingTable table =
            stub.getRoutingTable(GetRoutingTableRequest.getDefaultInstance()).getTable();
        assertThat(table.getVersion()).isEqualTo(3);
        assertThat(table.getRoutes(0).getHealthy()).isTrue();

        RoutingTable pushed;
        do {
          pushed =
              (RoutingTable) requireNonNull(watched.poll(30, TimeUnit.SECONDS), "a pushed table");
        } while (pushed.getVersion() < 3);
        assertThat(pushed.getRoutes(0).getLocal()).isTrue();

        HttpResponse<String> metrics =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body())
            .contains("wr_manager_routing_table_version 3")
            .contains("wr_manager_routes{healthy=\"true\"} 1")
            .contains("wr_manager_routing_table_watchers 1");

        manager.terminate();

        assertThat(manager.awaitExit(Duration.ofSeconds(30))).as(manager.output()).isZero();
        assertThat(watched.poll(10, TimeUnit.SECONDS)).isEqualTo("completed");
        assertThat(manager.output()).as(manager.output()).contains("manager stopped");
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void theOtelEnvironmentNamesTheServiceAndItsResourceOnMetrics() throws Exception {
    Path config = write("127.0.0.1:0", "admin_address = \"127.0.0.1:0\"\n");
    try (ManagerProcess manager =
        ManagerProcess.start(
            config,
            java.util.Map.of(
                "OTEL_SERVICE_NAME", "manager-east",
                "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=staging"))) {
      int adminPort = manager.awaitPort(ADMIN);

      String metrics =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();

      assertThat(metrics)
          .containsPattern(
              "target_info\\{[^}]*deployment_environment=\"staging\"[^}]*"
                  + "service_name=\"manager-east\"")
          .contains("wr_manager_routing_table_version ");
      manager.terminate();
      assertThat(manager.awaitExit(Duration.ofSeconds(30))).as(manager.output()).isZero();
    }
  }

  @Test
  void anUnusableOtelVariableStopsTheStartNamingIt() throws Exception {
    Path config = write("127.0.0.1:0", "");
    try (ManagerProcess manager =
        ManagerProcess.start(config, java.util.Map.of("OTEL_METRICS_EXPORTER", "statsd"))) {
      assertThat(manager.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
      assertThat(manager.output())
          .contains("wr-manager: the OTEL_* environment is not usable: ")
          .contains("statsd");
    }
  }

  @Test
  void aConfigErrorExitsWithTwoNamingTheKey() throws Exception {
    Path config = write("127.0.0.1:0", "module_heartbeat_timeout = 5\n");
    try (ManagerProcess manager = ManagerProcess.start(config)) {
      assertThat(manager.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
      assertThat(manager.output())
          .contains(config + ": module_heartbeat_timeout is not a known key (expected one of:");
    }
  }

  @Test
  void plaintextOnANonLoopbackAddressExitsWithTwoNamingTheWaysOut() throws Exception {
    Path config = write("0.0.0.0:0", "");
    try (ManagerProcess manager = ManagerProcess.start(config)) {
      assertThat(manager.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
      assertThat(manager.output())
          .contains(config + ": listen_address = \"0.0.0.0:0\" is not a loopback address")
          .contains("[tls]")
          .contains("allow_plaintext = true");
    }
  }

  @Test
  void anAddressInUseExitsWithOne() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Path config = write("127.0.0.1:" + taken.getLocalPort(), "");
      try (ManagerProcess manager = ManagerProcess.start(config)) {
        assertThat(manager.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
        assertThat(manager.output())
            .contains(
                "wr-manager: cannot serve on listen_address 127.0.0.1:" + taken.getLocalPort());
      }
    }
  }

  private Path write(String listen, String extra) throws IOException {
    Path file = dir.resolve("manager.toml");
    Files.writeString(
        file, "listen_address = \"" + listen + "\"\nhealth_check_interval_secs = 1\n" + extra);
    return file;
  }

  private static StreamObserver<WatchRoutingTableResponse> collect(BlockingQueue<Object> into) {
    return new StreamObserver<>() {
      @Override
      public void onNext(WatchRoutingTableResponse value) {
        into.add(value.getTable());
      }

      @Override
      public void onError(Throwable t) {
        into.add("error: " + t);
      }

      @Override
      public void onCompleted() {
        into.add("completed");
      }
    };
  }

  /**
   * A {@code bin/wr-manager} child process. Its output goes to a file: reading a pipe races with
   * the JDK closing it at process exit, which can lose the last lines.
   */
  private static final class ManagerProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ManagerProcess(Process process, Path log) {
      this.process = process;
      this.log = log;
    }

    static ManagerProcess start(Path config) throws IOException {
      return start(config, java.util.Map.of());
    }

    static ManagerProcess start(Path config, java.util.Map<String, String> env) throws IOException {
      Path root = Path.of(requireNonNull(System.getProperty("wr.root"), "wr.root system property"));
      Path log = config.resolveSibling("manager.log");
      ProcessBuilder builder =
          new ProcessBuilder(
                  root.resolve("bin/wr-manager").toString(), "--config", config.toString())
              .directory(root.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      builder.environment().put("JAVA_OPTS", "-Xmx64m");
      builder.environment().putAll(env);
      return new ManagerProcess(builder.start(), log);
    }

    /** The first group of the first output line that matches, waiting up to 60 s. */
    int awaitPort(Pattern pattern) {
      AtomicReference<Matcher> found = new AtomicReference<>();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                Matcher m = pattern.matcher(output());
                if (m.find()) {
                  found.set(m);
                  return true;
                }
                if (!process.isAlive()) {
                  throw new IllegalStateException(
                      "manager exited without a line matching " + pattern + ":\n" + output());
                }
                return false;
              });
      return Integer.parseInt(found.get().group(1));
    }

    int awaitExit(Duration timeout) throws InterruptedException {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            "manager did not exit within " + timeout + ":\n" + output());
      }
      return process.exitValue();
    }

    void terminate() {
      process.destroy(); // SIGTERM
    }

    String output() {
      try {
        return Files.exists(log) ? Files.readString(log) : "";
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() throws InterruptedException {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }
}
