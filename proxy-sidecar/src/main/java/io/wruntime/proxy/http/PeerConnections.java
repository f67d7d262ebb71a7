package io.wruntime.proxy.http;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.wruntime.common.net.HostPort;
import io.wruntime.proxy.tls.PeerTls;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections to other proxies' peer ports over mutual TLS. Per event loop and peer address there
 * is one HTTP/2 connection, and every exchange to that peer is one stream on it: a stream channel
 * whose pipeline ({@code codec}, {@code messages}, {@code flow}, {@code idle}, {@code relay}) looks
 * like an HTTP/1.1 upstream connection to the {@link Exchange}. Keeping the connection on the loop
 * of the exchanges that use it keeps each exchange on a single thread, as with {@link
 * UpstreamPool}. A connection with no stream closes after the idle timeout.
 *
 * <p>A peer that negotiates {@code http/1.1} instead gets one TLS connection per exchange, closed
 * after it.
 */
final class PeerConnections implements Upstreams, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerConnections.class);

  private final PeerTls tls;
  private final Bootstrap bootstrap;
  private final long connectMillis;
  private final long idleMillis;
  // Each loop's map is only touched on that loop.
  private final ConcurrentHashMap<EventLoop, Map<HostPort, Connection>> connections =
      new ConcurrentHashMap<>();
  private final ExecutorService resolver =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("resolve-peer-", 0).factory());

  PeerConnections(PeerTls tls, Duration connectTimeout, Duration idleTimeout) {
    this.tls = requireNonNull(tls, "tls");
    this.connectMillis = Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
    this.idleMillis = idleTimeout.toMillis();
    this.bootstrap =
        new Bootstrap()
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectMillis);
  }

  @Override
  public Future<Channel> acquire(EventLoop loop, HostPort address) {
    Map<HostPort, Connection> here = connections.computeIfAbsent(loop, l -> new HashMap<>());
    Connection connection = here.get(address);
    if (connection == null || connection.isClosed()) {
      connection = new Connection(loop, address);
      here.put(address, connection);
      connection.connect();
    }
    return connection.openStream();
  }

  /** A stream ended; an HTTP/1.1 connection is not reused. */
  @Override
  public void release(Channel ch, HostPort address) {
    ch.close();
  }

  @Override
  public void remove(Channel ch) {
    // Nothing is pooled per stream: a closed stream leaves nothing to forget.
  }

  /** Closes every connection (each on its own loop). */
  @Override
  public void close() {
    for (Map.Entry<EventLoop, Map<HostPort, Connection>> e : connections.entrySet()) {
      if (e.getKey().isShuttingDown()) {
        continue;
      }
      e.getKey()
          .execute(
              () -> {
                for (Connection c : List.copyOf(e.getValue().values())) {
                  c.close();
                }
              });
    }
    resolver.shutdownNow();
  }

  /** One TLS connection to a peer and the exchanges waiting for it. */
  private final class Connection {
    private final EventLoop loop;
    private final HostPort address;
    private final List<Promise<Channel>> waiting = new ArrayList<>();
    private Channel channel;
    private Http2FrameCodec codec;
    private boolean http2;
    private boolean failed;
    private Throwable failure;

    Connection(EventLoop loop, HostPort address) {
      this.loop = loop;
      this.address = address;
    }

    /** Whether new streams must go elsewhere: failed, closed, or told to go away by the peer. */
    boolean isClosed() {
      return failed
          || (channel != null && !channel.isActive())
          || (codec != null && codec.connection().goAwayReceived());
    }

    void close() {
      if (channel != null) {
        channel.close();
      }
    }

    Future<Channel> openStream() {
      Promise<Channel> promise = loop.newPromise();
      if (failed) {
        promise.setFailure(failure);
      } else if (http2) {
        open(promise);
      } else {
        waiting.add(promise);
      }
      return promise;
    }

    void connect() {
      String host = address.host();
      if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
        connect(new InetSocketAddress(host, address.port()));
        return;
      }
      resolver.execute(
          () -> {
            try {
              InetAddress resolved = InetAddress.getByName(host);
              loop.execute(() -> connect(new InetSocketAddress(resolved, address.port())));
            } catch (UnknownHostException e) {
              loop.execute(() -> fail(e));
            }
          });
    }

    private void connect(InetSocketAddress remote) {
      ChannelFuture connect =
          bootstrap
              .clone(loop)
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      SslHandler ssl =
                          tls.client().newHandler(ch.alloc(), address.host(), address.port());
                      ssl.setHandshakeTimeoutMillis(Math.max(connectMillis, 1000));
                      ch.pipeline().addLast("tls", ssl);
                      ch.pipeline().addLast("alpn", new Negotiation());
                    }
                  })
              .connect(remote);
      channel = connect.channel();
      connect.addListener(
          f -> {
            if (!f.isSuccess()) {
              fail(f.cause());
            }
          });
      channel
          .closeFuture()
          .addListener(
              f -> {
                Map<HostPort, Connection> here = connections.get(loop);
                if (here != null) {
                  here.remove(address, this);
                }
                if (!http2 && !failed) {
                  fail(new SSLHandshakeException("the connection closed during the TLS handshake"));
                }
              });
    }

    private void fail(Throwable cause) {
      if (failed) {
        return;
      }
      failed = true;
      failure = cause;
      for (Promise<Channel> p : waiting) {
        p.tryFailure(cause);
      }
      waiting.clear();
      Map<HostPort, Connection> here = connections.get(loop);
      if (here != null) {
        here.remove(address, this);
      }
    }

    private void ready(ChannelPipeline p, String protocol) {
      if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        Http2FrameCodec codec =
            Http2FrameCodecBuilder.forClient()
                .initialSettings(
                    Http2Settings.defaultSettings()
                        .pushEnabled(false)
                        .maxHeaderListSize(ProxyInitializer.MAX_HEADER_SIZE))
                .build();
        p.addLast("h2", codec);
        p.addLast("h2-idle-state", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
        p.addLast("h2-idle", new Http2ConnectionIdle(codec));
        this.codec = codec;
        p.addLast("multiplex", new Http2MultiplexHandler(new NoPushedStreams()));
        p.addLast("errors", new ConnectionErrors());
        http2 = true;
        for (Promise<Channel> promise : waiting) {
          open(promise);
        }
        waiting.clear();
        return;
      }
      // HTTP/1.1 over TLS: this connection serves the first waiting exchange only.
      Map<HostPort, Connection> here = connections.get(loop);
      if (here != null) {
        here.remove(address, this);
      }
      channel.config().setAutoRead(false);
      p.addLast(
          "codec",
          new HttpClientCodec(
              new HttpDecoderConfig()
                  .setMaxInitialLineLength(ProxyInitializer.MAX_INITIAL_LINE)
                  .setMaxHeaderSize(ProxyInitializer.MAX_HEADER_SIZE)
                  .setMaxChunkSize(ProxyInitializer.MAX_CHUNK_SIZE),
              false,
              false));
      p.addLast("flow", new FlowControlHandler());
      p.addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
      p.addLast("relay", new UpstreamHandler(PeerConnections.this));
      List<Promise<Channel>> queued = new ArrayList<>(waiting);
      waiting.clear();
      if (queued.isEmpty()) {
        channel.close();
        return;
      }
      if (!queued.getFirst().trySuccess(channel)) {
        channel.close();
      }
      for (Promise<Channel> promise : queued.subList(1, queued.size())) {
        acquire(loop, address).addListener(f -> relay(f, promise));
      }
    }

    private void open(Promise<Channel> promise) {
      new Http2StreamChannelBootstrap(channel)
          .handler(
              new ChannelInitializer<Http2StreamChannel>() {
                @Override
                protected void initChannel(Http2StreamChannel ch) {
                  ch.config().setAutoRead(false);
                  ch.pipeline()
                      .addLast("codec", new Http2StreamFrameToHttpObjectCodec(false))
                      .addLast("messages", new Http2Messages())
                      .addLast("flow", new FlowControlHandler())
                      .addLast(
                          "idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS))
                      .addLast("relay", new UpstreamHandler(PeerConnections.this));
                }
              })
          .open()
          .addListener(
              f -> {
                if (f.isSuccess()) {
                  Channel stream = (Channel) f.getNow();
                  if (!promise.trySuccess(stream)) {
                    stream.close();
                  }
                } else {
                  promise.tryFailure(f.cause());
                }
              });
    }

    /** The handshake's outcome: HTTP/2 (or HTTP/1.1) on a verified node, or a failure. */
    private final class Negotiation extends ApplicationProtocolNegotiationHandler {
      Negotiation() {
        super(ApplicationProtocolNames.HTTP_1_1);
      }

      @Override
      protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        ready(ctx.pipeline(), protocol);
      }

      @Override
      protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("TLS to peer {} failed: {}", address, cause.toString());
        fail(cause);
        ctx.close();
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause);
        ctx.close();
      }
    }
  }

  private static void relay(Future<? super Channel> from, Promise<Channel> to) {
    if (from.isSuccess()) {
      Channel ch = (Channel) from.getNow();
      if (!to.trySuccess(ch)) {
        ch.close();
      }
    } else {
      to.tryFailure(from.cause());
    }
  }

  /** Peers do not push (push is disabled in the settings); anything pushed is dropped. */
  private static final class NoPushedStreams extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
      ctx.close();
    }
  }

  /** The end of an HTTP/2 connection's pipeline: what fails there closes the connection. */
  private static final class ConnectionErrors extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("peer connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }
}
