package io.wruntime.proxy.http;

/** Which listener a connection came in on; it decides what a request may do. */
public enum ListenerKind {
  /** {@code listen_address} (:9001): calls of the local engines, routed anywhere. */
  INTERNAL("listen_address"),
  /**
   * {@code peer_listen_address} (:9443): calls other proxies forward here, with {@code
   * x-wr-via-proxy: 1}, for this node's instances only.
   */
  PEER("peer_listen_address");

  private final String configKey;

  ListenerKind(String configKey) {
    this.configKey = configKey;
  }

  /** The configuration key of the listener's address. */
  public String configKey() {
    return configKey;
  }
}
