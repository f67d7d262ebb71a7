package io.wruntime.manager.registry;

import static java.util.Objects.requireNonNull;

/**
 * The node an engine runs on.
 *
 * @param name the node's stable name; empty when the registration named none
 * @param proxyAddress where other proxies reach the node's proxy ({@code host:port}); may be empty
 */
public record NodeRef(String name, String proxyAddress) {
  /** No node stated. */
  public static final NodeRef NONE = new NodeRef("", "");

  public NodeRef {
    requireNonNull(name, "name");
    requireNonNull(proxyAddress, "proxyAddress");
  }
}
