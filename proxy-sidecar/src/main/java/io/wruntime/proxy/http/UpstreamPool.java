package io.wruntime.proxy.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.wruntime.common.net.HostPort;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Connections to upstreams (engines, peer proxies, egress hosts), kept alive between requests.
 * There is one pool per event loop, and a connection is only ever used on the loop of the
 * downstream connection it serves, so an exchange runs on a single thread and needs no locks. Idle
 * connections close after the idle timeout.
 *
 * <p>Pipeline of an upstream connection: {@code codec} (HTTP/1.1, no aggregation), {@code flow}
 * (one message per {@code read()}), {@code idle}, {@code relay} ({@link UpstreamHandler}).
 */
final class UpstreamPool implements Upstreams, AutoCloseable {
  static final int MAX_IDLE_PER_ADDRESS = 64;

  private final Bootstrap bootstrap;
  private final ConcurrentHashMap<EventLoop, Map<HostPort, ArrayDeque<Channel>>> idle =
      new ConcurrentHashMap<>();
  private final ExecutorService resolver =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("resolve-", 0).factory());

  UpstreamPool(Duration connectTimeout, Duration idleTimeout) {
    long idleMillis = idleTimeout.toMillis();
    this.bootstrap =
        new Bootstrap()
            .channel(NioSocketChannel.class)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(
                            "codec",
                            new HttpClientCodec(
                                new HttpDecoderConfig()
                                    .setMaxInitialLineLength(ProxyInitializer.MAX_INITIAL_LINE)
                                    .setMaxHeaderSize(ProxyInitializer.MAX_HEADER_SIZE)
                                    .setMaxChunkSize(ProxyInitializer.MAX_CHUNK_SIZE),
                                false,
                                false))
                        .addLast("flow", new FlowControlHandler())
                        .addLast(
                            "idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                        .addLast("relay", new UpstreamHandler(UpstreamPool.this));
                  }
                });
  }

  /**
   * A connection to {@code address} on {@code loop}: an idle one, or a new one. Runs on {@code
   * loop}. Host names are looked up off the event loop.
   */
  @Override
  public Future<Channel> acquire(EventLoop loop, HostPort address) {
    ArrayDeque<Channel> idleHere = idleOf(loop).get(address);
    if (idleHere != null) {
      Channel ch;
      while ((ch = idleHere.pollLast()) != null) {
        if (ch.isActive()) {
          return loop.newSucceededFuture(ch);
        }
      }
    }
    Promise<Channel> promise = loop.newPromise();
    String host = address.host();
    if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
      connect(loop, new InetSocketAddress(host, address.port()), promise);
    } else {
      resolver.execute(
          () -> {
            try {
              InetAddress resolved = InetAddress.getByName(host);
              loop.execute(
                  () -> connect(loop, new InetSocketAddress(resolved, address.port()), promise));
            } catch (UnknownHostException e) {
              promise.tryFailure(e);
            }
          });
    }
    return promise;
  }

  private void connect(EventLoop loop, InetSocketAddress address, Promise<Channel> promise) {
    ChannelFuture connect = bootstrap.clone(loop).connect(address);
    connect.addListener(
        f -> {
          if (f.isSuccess()) {
            if (!promise.trySuccess(connect.channel())) {
              connect.channel().close();
            }
          } else {
            promise.tryFailure(f.cause());
          }
        });
  }

  /**
   * Takes back a connection whose exchange ended cleanly. It waits for the next request with a read
   * pending, so that a close by the upstream is noticed while it is idle. Runs on its event loop.
   */
  @Override
  public void release(Channel ch, HostPort address) {
    if (!ch.isActive()) {
      return;
    }
    ArrayDeque<Channel> idleHere =
        idleOf(ch.eventLoop()).computeIfAbsent(address, a -> new ArrayDeque<>());
    if (idleHere.size() >= MAX_IDLE_PER_ADDRESS) {
      ch.close();
      return;
    }
    idleHere.addLast(ch);
    ch.read();
  }

  /** Forgets an idle connection that closed. Runs on its event loop. */
  @Override
  public void remove(Channel ch) {
    Map<HostPort, ArrayDeque<Channel>> byAddress = idle.get(ch.eventLoop());
    if (byAddress != null) {
      for (ArrayDeque<Channel> channels : byAddress.values()) {
        channels.remove(ch);
      }
    }
  }

  private Map<HostPort, ArrayDeque<Channel>> idleOf(EventLoop loop) {
    return idle.computeIfAbsent(loop, l -> new HashMap<>());
  }

  /** Closes every idle connection (each on its own loop). */
  @Override
  public void close() {
    for (Map.Entry<EventLoop, Map<HostPort, ArrayDeque<Channel>>> e : idle.entrySet()) {
      if (e.getKey().isShuttingDown()) {
        continue;
      }
      e.getKey()
          .execute(
              () -> {
                for (ArrayDeque<Channel> channels : e.getValue().values()) {
                  for (Channel ch : channels.toArray(new Channel[0])) {
                    ch.close();
                  }
                }
              });
    }
    resolver.shutdownNow();
  }
}
