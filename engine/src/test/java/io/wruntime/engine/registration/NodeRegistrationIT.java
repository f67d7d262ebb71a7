package io.wruntime.engine.registration;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.google.protobuf.ByteString;
import io.wruntime.common.config.ConfigException;
import io.wruntime.common.testing.LogLines;
import io.wruntime.engine.Engine;
import io.wruntime.engine.EngineMain;
import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.dispatch.FakeModule;
import io.wruntime.engine.host.WasiHttpModuleLoader;
import io.wruntime.engine.http.BodySink;
import io.wruntime.engine.module.GuestModuleLoader;
import io.wruntime.proto.v1.EngineHeartbeat;
import io.wruntime.proto.v1.ModuleHealth;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.ModuleRegistration;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * An engine with a {@code [node]} registers through a NodeService (a recording fake on loopback):
 * the real echo module with its schema and a fake module whose health check fails; heartbeats,
 * re-registration on request, retries, and deregistration on close.
 */
class NodeRegistrationIT {
  private static final Path ROOT =
      Path.of(requireNonNull(System.getProperty("wr.root"), "wr.root system property"));
  private static final Path ECHO_WASM = ROOT.resolve("examples/echo/echo.wasm");
  private static final Path ECHO_SCHEMA = ROOT.resolve("examples/schemas/echo.binpb");
  private static final ModuleRef ECHO = ref("echo");
  private static final ModuleRef SICK = ref("sick");

  @RegisterExtension final LogLines log = new LogLines(NodeRegistration.class);
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private FakeNodeService node;
  private Engine engine;

  @AfterEach
  void stop() throws Exception {
    if (engine != null) {
      engine.close(Duration.ofSeconds(2));
    }
    if (node != null) {
      node.close();
    }
  }

  private static ModuleRef ref(String name) {
    return ModuleRef.newBuilder().setNamespace("example").setName(name).setVersion("1.0.0").build();
  }

  /** Echo (real wasm, with its schema), sick (answers 500 to /__health) and broken (no wasm). */
  private String config(int controlPort, String nodeExtra) throws IOException {
    Path fake = dir.resolve("fake.wasm");
    Files.write(fake, new byte[] {0});
    return """
        listen_address = "127.0.0.1:0"
        [node]
        proxy_address = "http://127.0.0.1:9"
        control_address = "127.0.0.1:%d"
        heartbeat_interval_secs = 1
        %s
        [[module]]
        name = "echo"
        namespace = "example"
        version = "1.0.0"
        wasm_path = "%s"
        schema_path = "%s"
        [[module]]
        name = "sick"
        namespace = "example"
        version = "1.0.0"
        wasm_path = "%s"
        [[module]]
        name = "broken"
        namespace = "example"
        version = "1.0.0"
        wasm_path = "%s"
        """
        .formatted(controlPort, nodeExtra, ECHO_WASM, ECHO_SCHEMA, fake, dir.resolve("none.wasm"));
  }

  private Engine start(String toml) throws IOException {
    engine =
        Engine.startWith(
            EngineConfig.parse("engine.toml", toml),
            outbound -> {
              WasiHttpModuleLoader wasi = new WasiHttpModuleLoader(outbound);
              GuestModuleLoader loader =
                  definition ->
                      definition.name().equals("echo")
                          ? wasi.load(definition)
                          : new FakeModule(
                              definition.namespace(),
                              definition.name(),
                              definition.version(),
                              (request, response) -> {
                                int status =
                                    request.pathWithQuery().equals("/__health") ? 500 : 200;
                                byte[] body = "database down\n".getBytes(StandardCharsets.UTF_8);
                                BodySink sink = response.start(status, List.of());
                                sink.write(body, 0, body.length);
                                sink.finish(List.of());
                              });
              return loader;
            });
    return engine;
  }

  private Engine startRegistered(String nodeExtra) throws IOException {
    node = FakeNodeService.start(0);
    return start(config(node.port(), nodeExtra));
  }

  private int get(String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.port() + path));
    headers.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private int callEcho() throws Exception {
    return get(
        "/echo.EchoService/Echo",
        Map.of("x-wr-namespace", "example", "x-wr-module", "echo", "x-wr-version", "1.0.0"));
  }

  /** The last heartbeat of {@code engineId} so far, or null. */
  private EngineHeartbeat lastHeartbeat(String engineId) {
    EngineHeartbeat last = null;
    for (var request : node.heartbeats) {
      for (EngineHeartbeat h : request.getHeartbeatsList()) {
        if (h.getEngineId().equals(engineId)) {
          last = h;
        }
      }
    }
    return last;
  }

  @Test
  void registersEachLoadedModuleWithItsSchema() throws Exception {
    startRegistered("engine_id = \"engine-a\"");

    await().atMost(Duration.ofSeconds(10)).until(() -> !node.registers.isEmpty());

    var request = node.registers.get(0);
    assertThat(request.getEngineId()).isEqualTo("engine-a");
    assertThat(engine.engineId()).isEqualTo("engine-a");
    assertThat(request.getEngineAddress()).isEqualTo("http://127.0.0.1:" + engine.port());
    assertThat(request.hasNode()).isFalse();
    assertThat(java.util.UUID.fromString(request.getIncarnationId())).isNotNull();
    assertThat(request.getModulesList())
        .containsExactly(
            ModuleRegistration.newBuilder()
                .setRef(ECHO)
                .setSchema(ByteString.copyFrom(Files.readAllBytes(ECHO_SCHEMA)))
                .build(),
            ModuleRegistration.newBuilder().setRef(SICK).build());
    // The node service records the request before the engine has its answer and logs.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(log.at(Level.INFO))
                    .anySatisfy(
                        line ->
                            assertThat(line).startsWith("registered engine engine-a at http://")));
  }

  @Test
  void heartbeatsCarryEachModulesHealthFromItsHealthCheck() throws Exception {
    startRegistered("engine_id = \"engine-a\"");

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              EngineHeartbeat last = lastHeartbeat("engine-a");
              assertThat(last).isNotNull();
              assertThat(last.getModulesList())
                  .containsExactly(
                      ModuleHealth.newBuilder().setRef(ECHO).setHealthy(true).build(),
                      ModuleHealth.newBuilder()
                          .setRef(SICK)
                          .setHealthy(false)
                          .setDetail("GET /__health: 500 database down")
                          .build());
              assertThat(last.hasObservedAt()).isTrue();
              assertThat(last.getIncarnationId())
                  .isNotEmpty()
                  .isEqualTo(node.registers.get(0).getIncarnationId());
            });
    // One heartbeat per interval (1 s), not one per module or per probe.
    int before = node.heartbeats.size();
    await().atMost(Duration.ofSeconds(5)).until(() -> node.heartbeats.size() >= before + 2);
  }

  @Test
  void registersAgainWhenAHeartbeatAnswerAsks() throws Exception {
    startRegistered("engine_id = \"engine-a\"");
    await().atMost(Duration.ofSeconds(10)).until(() -> lastHeartbeat("engine-a") != null);

    node.reregister.add("engine-a");

    await().atMost(Duration.ofSeconds(10)).until(() -> node.registers.size() == 2);
    assertThat(node.registers.get(1)).isEqualTo(node.registers.get(0));
    int heartbeats = node.heartbeats.size();
    await().atMost(Duration.ofSeconds(5)).until(() -> node.heartbeats.size() > heartbeats);
    assertThat(node.registers).hasSize(2);
  }

  @Test
  void deregistersOnCloseWhileTheListenerStillServes() throws Exception {
    startRegistered("engine_id = \"engine-a\"");
    await().atMost(Duration.ofSeconds(10)).until(() -> !node.registers.isEmpty());
    AtomicInteger statusDuringDeregister = new AtomicInteger();
    int port = engine.port();
    node.onDeregister =
        () -> {
          try {
            statusDuringDeregister.set(get("/healthz", Map.of()));
          } catch (Exception e) {
            statusDuringDeregister.set(-1);
          }
        };

    engine.close(Duration.ofSeconds(2));

    assertThat(node.deregisters).hasSize(1);
    assertThat(node.deregisters.get(0).getEngineId()).isEqualTo("engine-a");
    assertThat(node.deregisters.get(0).getIncarnationId())
        .isNotEmpty()
        .isEqualTo(node.registers.get(0).getIncarnationId());
    assertThat(statusDuringDeregister.get()).isEqualTo(200);
    assertThatThrownBy(
            () ->
                http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                        .build(),
                    HttpResponse.BodyHandlers.discarding()))
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void retriesWhileRefusedAndLogsOncePerChange() throws Exception {
    node = FakeNodeService.start(0);
    node.refuseRegisters.set(3);
    start(config(node.port(), "engine_id = \"engine-a\""));

    assertThat(callEcho()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(15)).until(() -> node.registers.size() == 1);

    assertThat(node.registerAttempts).hasSize(4);
    assertThat(log.at(Level.WARN))
        .containsExactly(
            "registering engine engine-a through node service 127.0.0.1:"
                + node.port()
                + " failed: UNAVAILABLE: manager 127.0.0.1:9000 unreachable; retrying with backoff");
    // The node service records the call before the engine has its answer and logs it.
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(log.at(Level.INFO))
                    .filteredOn(l -> l.startsWith("registered "))
                    .hasSize(1));
  }

  @Test
  void servesWhileTheNodeServiceIsDownAndRegistersWhenItComesUp() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    start(config(port, ""));

    assertThat(callEcho()).isEqualTo(200);
    assertThat(get("/healthz", Map.of())).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> log.at(Level.WARN).stream().anyMatch(l -> l.contains("UNAVAILABLE")));

    node = FakeNodeService.start(port);

    await().atMost(Duration.ofSeconds(20)).until(() -> !node.registers.isEmpty());
    String id = node.registers.get(0).getEngineId();
    assertThat(id)
        .isEqualTo(engine.engineId())
        .matches("[A-Za-z0-9._:-]{1,253}")
        .contains("-" + engine.port() + "-");
    await().atMost(Duration.ofSeconds(5)).until(() -> lastHeartbeat(id) != null);
    assertThat(log.at(Level.WARN)).hasSize(1);
  }

  @Test
  void aSchemaThatIsNotAFileDescriptorSetIsAConfigError() throws Exception {
    Path bad = dir.resolve("echo.binpb");
    Files.writeString(bad, "not a schema");
    String toml = config(9, "").replace(ECHO_SCHEMA.toString(), bad.toString());

    assertThatThrownBy(() -> start(toml))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "engine.toml: module[0].schema_path = \""
                + bad
                + "\" (example.echo@1.0.0) is not a"
                + " FileDescriptorSet");

    Path file = dir.resolve("engine.toml");
    Files.writeString(file, toml);
    StringWriter err = new StringWriter();
    int code =
        new CommandLine(new EngineMain())
            .setErr(new PrintWriter(err, true))
            .execute("--config", file.toString());
    assertThat(code).isEqualTo(EngineMain.EXIT_CONFIG);
    assertThat(err.toString())
        .startsWith("wr-engine: " + file + ": module[0].schema_path = \"" + bad + "\"")
        .contains("(expected: a compiled schema");
  }
}
