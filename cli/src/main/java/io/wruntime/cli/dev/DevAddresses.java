package io.wruntime.cli.dev;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.net.HostPort;

/**
 * Where the embedded manager and proxy listen, with the bound ports.
 *
 * @param manager the manager's ManagerService
 * @param proxy the proxy's listener for module traffic
 * @param control the proxy's NodeService
 * @param peer the proxy's peer listener
 */
public record DevAddresses(HostPort manager, HostPort proxy, HostPort control, HostPort peer) {
  public DevAddresses {
    requireNonNull(manager, "manager");
    requireNonNull(proxy, "proxy");
    requireNonNull(control, "control");
    requireNonNull(peer, "peer");
  }
}
