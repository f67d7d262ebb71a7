package io.wruntime.cli.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.common.net.HostPort;
import io.wruntime.engine.config.EngineConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EngineRewiringTest {
  private static final DevAddresses EMBEDDED =
      new DevAddresses(
          new HostPort("127.0.0.1", 9500),
          new HostPort("127.0.0.1", 9501),
          new HostPort("127.0.0.1", 9502),
          new HostPort("127.0.0.1", 9543));

  private static final String MODULE =
      """
      [[module]]
      name = "echo"
      namespace = "example"
      version = "1.0.0"
      wasm_path = "echo.wasm"
      """;

  @Test
  void replacesTheFilesProxyControlAndManagerAddressesAndKeepsTheRest() {
    EngineConfig file =
        EngineConfig.parse(
            "engine.toml",
            """
            listen_address = "127.0.0.1:9110"
            manager_address = "http://10.0.0.9:9000"
            [node]
            proxy_address = "http://127.0.0.1:9011"
            control_address = "127.0.0.1:9012"
            engine_id = "node-b-1"
            heartbeat_interval_secs = 7
            """
                + MODULE);

    EngineConfig config = EngineRewiring.pointAt(file, EMBEDDED);

    assertThat(config.managerAddress()).hasToString("127.0.0.1:9500");
    assertThat(config.node().proxyAddress()).hasToString("127.0.0.1:9501");
    assertThat(config.node().controlAddress()).hasToString("127.0.0.1:9502");
    assertThat(config.node().engineId()).isEqualTo("node-b-1");
    assertThat(config.node().heartbeatInterval()).isEqualTo(Duration.ofSeconds(7));
    assertThat(config.listenAddress()).hasToString("127.0.0.1:9110");
    assertThat(config.modules()).isEqualTo(file.modules());
    assertThat(EngineRewiring.describe(file, EMBEDDED))
        .isEqualTo(
            "engine.toml: [node] proxy_address, control_address and manager_address set to the"
                + " embedded proxy 127.0.0.1:9501 (NodeService 127.0.0.1:9502) and manager"
                + " 127.0.0.1:9500; the file's values are not used");
  }

  @Test
  void aStandaloneEngineIsMadeToRegister() {
    EngineConfig file = EngineConfig.parse("local.toml", MODULE);

    EngineConfig config = EngineRewiring.pointAt(file, EMBEDDED);

    assertThat(config.hasProxy()).isTrue();
    assertThat(config.node().proxyAddress()).hasToString("127.0.0.1:9501");
    assertThat(config.node().engineId()).isNull();
    assertThat(config.node().heartbeatInterval()).isEqualTo(Duration.ofSeconds(3));
    assertThat(EngineRewiring.describe(file, EMBEDDED)).startsWith("local.toml: no [node]");
  }
}
