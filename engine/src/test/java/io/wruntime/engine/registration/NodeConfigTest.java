package io.wruntime.engine.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.common.config.ConfigException;
import io.wruntime.common.net.HostPort;
import io.wruntime.engine.config.EngineConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@code [node]} keys that drive registration. */
class NodeConfigTest {
  private static EngineConfig.NodeConfig node(String body) {
    return EngineConfig.parse("engine.toml", "[node]\n" + body).node();
  }

  @Test
  void defaultsDeriveTheNodeServiceFromTheProxy() {
    EngineConfig.NodeConfig node = node("proxy_address = \"http://127.0.0.1:9001\"");

    assertThat(node.controlAddress()).isEqualTo(new HostPort("127.0.0.1", 9002));
    assertThat(node.engineId()).isNull();
    assertThat(node.heartbeatInterval()).isEqualTo(Duration.ofSeconds(3));
    assertThat(node("proxy_address = \"[::1]:7001\"").controlAddress())
        .isEqualTo(new HostPort("::1", 9002));
  }

  @Test
  void readsEveryKey() {
    EngineConfig.NodeConfig node =
        node(
            """
            proxy_address = "127.0.0.1:9001"
            control_address = "http://127.0.0.1:7002"
            engine_id = "pod-7f9c:engine_1.a"
            heartbeat_interval_secs = 10
            """);

    assertThat(node.controlAddress()).isEqualTo(new HostPort("127.0.0.1", 7002));
    assertThat(node.engineId()).isEqualTo("pod-7f9c:engine_1.a");
    assertThat(node.heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void anEngineIdOutsideTheManagersRuleIsRefused() {
    assertThatThrownBy(() -> node("proxy_address = \"127.0.0.1:9001\"\nengine_id = \"my engine\""))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "engine.toml: node.engine_id = \"my engine\" is not a valid engine id (expected: 1-253"
                + " characters of letters, digits, '.', '_', ':' and '-', e.g. a pod or host"
                + " name)");
    assertThatThrownBy(() -> node("proxy_address = \"127.0.0.1:9001\"\nengine_id = \"\""))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("node.engine_id = \"\" is not a valid engine id");
  }

  @Test
  void theHeartbeatIntervalIsRangeChecked() {
    assertThatThrownBy(
            () -> node("proxy_address = \"127.0.0.1:9001\"\nheartbeat_interval_secs = 0"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "engine.toml: node.heartbeat_interval_secs = 0 (expected: an integer from 1 to 3600)");
  }

  @Test
  void registrationKeysNeedAProxy() {
    assertThatThrownBy(() -> node("control_address = \"127.0.0.1:9002\""))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "engine.toml: node.control_address is set without proxy_address (expected:"
                + " proxy_address too; the engine registers only through a proxy)");
  }

  @Test
  void aMalformedControlAddressIsRefused() {
    assertThatThrownBy(
            () -> node("proxy_address = \"127.0.0.1:9001\"\ncontrol_address = \"127.0.0.1\""))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("engine.toml: node.control_address = \"127.0.0.1\" has no port");
  }
}
