package io.wruntime.proxy.http;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.wruntime.common.net.HostPort;
import io.wruntime.common.netty.ConnectionLimit;
import io.wruntime.proxy.config.ProxyConfig;
import io.wruntime.proxy.tls.PeerTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The proxy's HTTP listeners (internal and peer) on one Netty event loop group, with the upstream
 * connection pool they share and, with TLS, the HTTP/2 connections to other proxies. Client and
 * upstream connections of an exchange live on the same event loop. Each listener caps its open
 * connections and each caller's requests in flight ({@code [limits]}).
 */
public final class ProxyServer implements AutoCloseable {
  private final EventLoopGroup group;
  private final UpstreamPool pool;
  private final Forwarding forwarding;
  private final ChannelGroup connections =
      new DefaultChannelGroup("proxy-connections", GlobalEventExecutor.INSTANCE);
  private final List<Channel> listeners = new ArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final PeerTls tls;
  private final PeerConnections peers;
  private final ProxyConfig.Limits limits;

  /**
   * A server without TLS and with the default limits.
   *
   * @param threads event loop threads
   */
  public ProxyServer(Forwarding forwarding, int threads) {
    this(forwarding, threads, null, ProxyConfig.Limits.DEFAULTS);
  }

  /**
   * @param threads event loop threads
   * @param tls the peer port's TLS (listener and client), or null for plaintext
   * @param limits connection and per-caller caps
   */
  public ProxyServer(Forwarding forwarding, int threads, PeerTls tls, ProxyConfig.Limits limits) {
    this.forwarding = requireNonNull(forwarding, "forwarding");
    this.limits = requireNonNull(limits, "limits");
    this.group =
        new MultiThreadIoEventLoopGroup(
            threads, new DefaultThreadFactory("wr-proxy-io"), NioIoHandler.newFactory());
    this.pool = new UpstreamPool(forwarding.timeouts().connect(), forwarding.timeouts().idle());
    this.tls = tls;
    this.peers =
        tls == null
            ? null
            : new PeerConnections(
                tls, forwarding.timeouts().connect(), forwarding.timeouts().idle());
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
            .childHandler(limited(connectionLimit(kind), initializer(kind)));
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

  private ConnectionLimit connectionLimit(ListenerKind kind) {
    return switch (kind) {
      case INTERNAL ->
          new ConnectionLimit(
              kind.configKey()
                  + " ([limits] max_internal_connections = "
                  + limits.maxInternalConnections()
                  + ")",
              limits.maxInternalConnections());
      case PEER ->
          new ConnectionLimit(
              kind.configKey()
                  + " ([limits] max_peer_connections = "
                  + limits.maxPeerConnections()
                  + ")",
              limits.maxPeerConnections());
    };
  }

  /** Every accepted connection passes {@code limit} first: beyond the cap it closes, unread. */
  private static ChannelInitializer<SocketChannel> limited(
      ConnectionLimit limit, ChannelInitializer<SocketChannel> initializer) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(SocketChannel channel) {
        channel.pipeline().addLast(limit, initializer);
      }
    };
  }

  private ChannelInitializer<SocketChannel> initializer(ListenerKind kind) {
    Upstreams toPeers = peers == null ? pool : peers;
    return switch (kind) {
      case INTERNAL ->
          new ProxyInitializer(
              new Listener(
                  kind,
                  forwarding,
                  pool,
                  toPeers,
                  new CallerLimits(limits.maxRequestsPerModule(), "max_requests_per_module"),
                  false,
                  inFlight),
              connections);
      case PEER -> {
        Listener listener =
            new Listener(
                kind,
                forwarding,
                pool,
                toPeers,
                new CallerLimits(limits.maxRequestsPerPeer(), "max_requests_per_peer"),
                tls != null,
                inFlight);
        yield tls == null
            ? new ProxyInitializer(listener, connections)
            : new PeerInitializer(listener, tls, connections);
      }
    };
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
    if (peers != null) {
      peers.close();
    }
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
