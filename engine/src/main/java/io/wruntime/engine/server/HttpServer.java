package io.wruntime.engine.server;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.wruntime.common.net.HostPort;
import io.wruntime.common.netty.ConnectionLimit;
import io.wruntime.engine.config.ListenerLimits;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A Netty HTTP/1.1 listener. Reading is driven by the consumers of request bodies ({@code
 * AUTO_READ} off) and writing is bounded by water marks, so that bodies stream through with
 * backpressure in both directions. The event loop group belongs to the caller.
 */
public final class HttpServer implements AutoCloseable {
  /** Outbound buffer per connection above which a response writer is told to wait. */
  public static final WriteBufferWaterMark WATER_MARK =
      new WriteBufferWaterMark(64 * 1024, 128 * 1024);

  /** Unread request-body bytes per connection above which the socket is no longer read. */
  public static final int BODY_HIGH_WATER = 64 * 1024;

  private final Channel serverChannel;
  private final ChannelGroup connections;
  private final HostPort address;

  private HttpServer(Channel serverChannel, ChannelGroup connections, HostPort address) {
    this.serverChannel = serverChannel;
    this.connections = connections;
    this.address = address;
  }

  /**
   * Binds {@code address} (port 0: any free port) and serves requests through {@code handler}, with
   * the default {@link ListenerLimits}.
   *
   * @param what names the listener in the error when binding fails (e.g. {@code listen_address})
   * @throws IOException when the address cannot be bound
   */
  public static HttpServer start(
      String what,
      HostPort address,
      RequestHandler handler,
      EventLoopGroup group,
      BufferGauge gauge)
      throws IOException {
    return start(what, address, handler, group, gauge, ListenerLimits.defaults());
  }

  /**
   * Binds {@code address} (port 0: any free port) and serves requests through {@code handler}: at
   * most {@code limits.maxConnections()} connections at once (more are closed at once), each closed
   * after {@code limits.idleTimeout()} without traffic between requests.
   *
   * @param what names the listener in the error when binding fails (e.g. {@code listen_address})
   * @throws IOException when the address cannot be bound
   */
  public static HttpServer start(
      String what,
      HostPort address,
      RequestHandler handler,
      EventLoopGroup group,
      BufferGauge gauge,
      ListenerLimits limits)
      throws IOException {
    requireNonNull(address, "address");
    requireNonNull(handler, "handler");
    requireNonNull(group, "group");
    requireNonNull(gauge, "gauge");
    requireNonNull(limits, "limits");
    ChannelGroup connections = new DefaultChannelGroup(what, GlobalEventExecutor.INSTANCE);
    ConnectionLimit limit =
        new ConnectionLimit(
            what + " (max_connections = " + limits.maxConnections() + ")", limits.maxConnections());
    HttpServerInitializer initializer =
        new HttpServerInitializer(
            handler, gauge, BODY_HIGH_WATER, limits.idleTimeout().toSeconds(), connections, limit);
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            .childHandler(initializer);
    ChannelFuture bind = bootstrap.bind(address.toSocketAddress()).awaitUninterruptibly();
    if (!bind.isSuccess()) {
      Throwable cause = bind.cause();
      throw new IOException(
          "cannot listen on " + address + " (" + what + "): " + cause.getMessage(), cause);
    }
    InetSocketAddress bound = (InetSocketAddress) bind.channel().localAddress();
    return new HttpServer(bind.channel(), connections, address.withPort(bound.getPort()));
  }

  /** The address it listens on, with the real port when 0 was asked for. */
  public HostPort address() {
    return address;
  }

  public int port() {
    return address.port();
  }

  /** Stops accepting connections; open connections carry on. */
  public void stopAccepting() {
    serverChannel.close().awaitUninterruptibly();
  }

  /** Stops accepting and closes every open connection (in-flight exchanges are cut). */
  @Override
  public void close() {
    stopAccepting();
    connections.close().awaitUninterruptibly();
  }
}
