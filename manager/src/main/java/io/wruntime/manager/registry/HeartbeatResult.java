package io.wruntime.manager.registry;

import java.util.List;

/**
 * The registry's answer to heartbeats.
 *
 * @param reregister engines that must register again: unknown, or of another incarnation
 * @param version the routing-table version after the heartbeats
 */
public record HeartbeatResult(List<String> reregister, long version) {
  public HeartbeatResult {
    reregister = List.copyOf(reregister);
  }
}
