package io.wruntime.cli.dev;

/**
 * The loopback ports of the embedded manager and proxy; 0 asks the system for a free one.
 *
 * @param manager the manager's gRPC ManagerService
 * @param proxy the proxy's listener for module traffic from the engines (and {@code wr-cli invoke})
 * @param control the proxy's NodeService, where the engines register
 * @param peer the proxy's peer listener (traffic from other proxies)
 */
public record DevPorts(int manager, int proxy, int control, int peer) {
  /** The ports of ARCHITECTURE §3: 9000, 9001, 9002 and 9443. */
  public static final DevPorts DEFAULTS = new DevPorts(9000, 9001, 9002, 9443);

  public DevPorts {
    check("manager", manager);
    check("proxy", proxy);
    check("control", control);
    check("peer", peer);
  }

  private static void check(String name, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(name + " port: " + port + " (expected: 0 to 65535)");
    }
  }
}
