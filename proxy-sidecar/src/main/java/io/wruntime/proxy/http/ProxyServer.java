package io.wruntime.proxy.http;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.wruntime.common.net.HostPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The proxy's HTTP listeners (internal and peer) on one Netty event loop group, with the upstream
 * connection pool they share. Client and upstream connections of an exchange live on the same event
 * loop.
 */
public final class ProxyServer implements AutoCloseable {
  private final EventLoopGroup group;
  private final UpstreamPool pool;
  private final Forwarding forwarding;
  private final ChannelGroup connections =
      new DefaultChannelGroup("proxy-connections", GlobalEventExecutor.INSTANCE);
  private final List<Channel> listeners = new ArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();

  /**
   * @param threads event loop threads
   */
  public ProxyServer(Forwarding forwarding, int threads) {
    this.forwarding = requireNonNull(forwarding, "forwarding");
    this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    this.pool = new UpstreamPool(forwarding.timeouts().connect(), forwarding.timeouts().idle());
  }

  /**
   * Binds one listener.
   *
   * @return the bound address, with the real port when {@code address} asked for port 0
   * @throws IOException naming the listener's configuration key when the address cannot be bound
   */
  public HostPort listen(ListenerKind kind, HostPort address) throws IOException {
    requireNonNull(kind, "kind");
    requireNonNull(address, "address");
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ProxyInitializer(kind, forwarding, pool, connections, inFlight));
    ChannelFuture bind = bootstrap.bind(address.toSocketAddress()).awaitUninterruptibly();
    if (!bind.isSuccess()) {
      throw new IOException(
          "cannot listen on " + kind.configKey() + " " + address + ": " + bind.cause().getMessage(),
          bind.cause());
    }
    synchronized (listeners) {
      listeners.add(bind.channel());
    }
    return address.withPort(((InetSocketAddress) bind.channel().localAddress()).getPort());
  }

  /** Stops accepting connections; open ones carry on. */
  public void stopAccepting() {
    synchronized (listeners) {
      for (Channel listener : listeners) {
        listener.close().awaitUninterruptibly();
      }
      listeners.clear();
    }
  }

  /** Requests being answered now. */
  public int inFlight() {
    return inFlight.get();
  }

  /**
   * Stops: no new connections; requests in flight get until {@code grace} to finish, then every
   * connection is closed and the event loops stop.
   *
   * @return true when no request was cut at the deadline
   */
  public boolean stop(Duration grace) throws InterruptedException {
    stopAccepting();
    long deadline = System.nanoTime() + grace.toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    boolean clean = inFlight.get() == 0;
    connections.close().awaitUninterruptibly();
    pool.close();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    return clean;
  }

  @Override
  public void close() {
    try {
      stop(Duration.ZERO);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
