package io.wruntime.proxy.routing;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.names.SemVer;
import io.wruntime.common.net.HostPort;

/**
 * One healthy place a module version is served.
 *
 * @param version the module version it serves
 * @param engineId the engine serving it; empty for a routing rule's static route
 * @param node the node it runs on
 * @param local whether it runs on this proxy's node: then {@code target} is the engine itself
 * @param target where this proxy sends the request: the engine's address when local, else the peer
 *     proxy of its node
 */
public record Instance(
    SemVer version, String engineId, String node, boolean local, HostPort target) {
  public Instance {
    requireNonNull(version, "version");
    requireNonNull(engineId, "engineId");
    requireNonNull(node, "node");
    requireNonNull(target, "target");
  }

  /**
   * The address load balancing and circuit breaking count per: the engine for a local instance, the
   * peer proxy for a remote one.
   */
  public String address() {
    return target.toString();
  }
}
