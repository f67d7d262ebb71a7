package io.wruntime.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.wruntime.common.net.HostPort;

/**
 * Where exchanges get their upstream connections. A connection's pipeline ends with an {@link
 * UpstreamHandler}; it is used on the event loop it was acquired for only.
 */
interface Upstreams {
  /** A connection to {@code address} on {@code loop}. Runs on {@code loop}. */
  Future<Channel> acquire(EventLoop loop, HostPort address);

  /** Takes back a connection whose exchange ended cleanly. Runs on its event loop. */
  void release(Channel ch, HostPort address);

  /** Forgets an idle connection that closed. Runs on its event loop. */
  void remove(Channel ch);
}
