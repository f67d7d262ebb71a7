package io.wruntime.engine.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.wruntime.common.netty.ConnectionLimit;
import io.wruntime.common.testing.LogLines;
import io.wruntime.common.testing.Sockets;
import io.wruntime.engine.Engine;
import io.wruntime.engine.config.EngineConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The engine's listener under a connection flood: {@code max_connections} open at once, idle ones
 * closed after {@code idle_timeout_secs}; a real engine on loopback, driven over bare sockets.
 */
class ListenerLimitsIT {
  @RegisterExtension final LogLines log = new LogLines(ConnectionLimit.class);

  private final List<RawHttp> sockets = new ArrayList<>();
  private Engine engine;

  @AfterEach
  void stop() throws IOException {
    for (RawHttp s : sockets) {
      s.close();
    }
    if (engine != null) {
      engine.close(Duration.ofSeconds(1));
    }
  }

  private void start(String toml) throws IOException {
    engine =
        Engine.start(
            EngineConfig.parse("limits.toml", "listen_address = \"127.0.0.1:0\"\n" + toml),
            definition -> {
              throw new AssertionError("no modules here");
            });
  }

  private RawHttp open() throws IOException {
    RawHttp s = new RawHttp(engine.port());
    sockets.add(s);
    return s;
  }

  private static boolean closedByServer(RawHttp s) throws IOException {
    return Sockets.closedByServer(s.socket);
  }

  private static int healthz(RawHttp s) throws IOException {
    s.send("GET /healthz HTTP/1.1\r\nhost: engine\r\n\r\n");
    return s.read().status();
  }

  @Test
  void connectionsBeyondMaxConnectionsAreClosedAndTheListenerServesAgainOnceOneEnds()
      throws Exception {
    start("max_connections = 3\n");
    List<RawHttp> held = List.of(open(), open(), open());
    for (RawHttp s : held) {
      assertThat(healthz(s)).isEqualTo(200);
    }

    RawHttp refused = open();

    await().atMost(Duration.ofSeconds(10)).until(() -> closedByServer(refused));
    assertThat(log.at(Level.WARN))
        .containsExactly(
            "listen_address (max_connections = 3): 3 connections are open, the most allowed;"
                + " new connections are closed until one ends");
    // The connections within the cap are served on.
    assertThat(healthz(held.get(0))).isEqualTo(200);

    held.get(1).close();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(healthz(open())).isEqualTo(200));
  }

  @Test
  void aConnectionWithoutRequestsIsClosedAfterIdleTimeoutSecs() throws Exception {
    start("idle_timeout_secs = 1\n");
    RawHttp idle = open();
    assertThat(healthz(idle)).isEqualTo(200);

    await().atMost(Duration.ofSeconds(10)).until(() -> closedByServer(idle));
    assertThat(healthz(open())).isEqualTo(200);
  }

  @Test
  void badLimitsNameTheKey() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> EngineConfig.parse("limits.toml", "max_connections = 0\n"))
        .hasMessage("limits.toml: max_connections = 0 (expected: an integer from 1 to 1000000)");
  }
}
