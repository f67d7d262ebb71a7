package io.wruntime.cli.dev;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.config.EngineConfig.NodeConfig;
import java.time.Duration;

/**
 * Points an engine configuration at the embedded proxy and manager: {@code [node] proxy_address},
 * {@code control_address} and {@code manager_address} are replaced, whatever the file says, and an
 * engine configured standalone (no {@code [node]}) gets one, so that every engine of {@code dev up}
 * registers. The engine id and heartbeat interval of a {@code [node]} stay.
 */
final class EngineRewiring {
  private EngineRewiring() {}

  static EngineConfig pointAt(EngineConfig config, DevAddresses addresses) {
    requireNonNull(config, "config");
    requireNonNull(addresses, "addresses");
    NodeConfig node = config.node();
    String engineId = node == null ? null : node.engineId();
    Duration heartbeat =
        node == null
            ? Duration.ofSeconds(NodeConfig.DEFAULT_HEARTBEAT_INTERVAL_SECS)
            : node.heartbeatInterval();
    return new EngineConfig(
        config.source(),
        config.listenAddress(),
        addresses.manager(),
        config.allowNonLoopbackInternal(),
        config.maxOutboundBodyBytes(),
        config.adminAddress(),
        new NodeConfig(addresses.proxy(), addresses.control(), engineId, heartbeat),
        config.pool(),
        config.limits(),
        config.modules(),
        config.artifacts(),
        config.listener(),
        config.database());
  }

  /** The one log line that tells the user which of the file's addresses are not used. */
  static String describe(EngineConfig config, DevAddresses addresses) {
    return config.source()
        + ": "
        + (config.hasProxy()
            ? "[node] proxy_address, control_address and manager_address"
            : "no [node] (standalone): [node] proxy_address, control_address and manager_address")
        + " set to the embedded proxy "
        + addresses.proxy()
        + " (NodeService "
        + addresses.control()
        + ") and manager "
        + addresses.manager()
        + (config.hasProxy() ? "; the file's values are not used" : "");
  }
}
