package io.wruntime.proxy.http;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.wruntime.common.security.CallerIdentity;
import io.wruntime.proxy.tls.PeerTls;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline of a connection to the peer listener with TLS: {@code tls} (mutual: the calling
 * proxy's certificate must chain to the CA and name a node), then, by ALPN, either HTTP/2 ({@code
 * h2} frame codec, {@code h2-idle}, {@code multiplex} with one child channel per stream) or
 * HTTP/1.1 (the plaintext pipeline). Each HTTP/2 stream gets {@code codec} (frames to HTTP/1
 * objects), {@code messages} ({@link Http2Messages}), {@code flow}, {@code continue}, {@code idle}
 * and {@code proxy}: the same request handling as HTTP/1.1, one stream at a time. A stream's
 * request body is read only as the upstream takes it, so its HTTP/2 window holds the peer back.
 *
 * <p>The verified node is stored on the connection ({@link #PEER}) for the request handling. A
 * failed handshake (no certificate, another CA, another role, plaintext) closes the connection
 * before any request is read; it is logged once per remote address.
 */
final class PeerInitializer extends ChannelInitializer<SocketChannel> {
  private static final Logger LOG = LoggerFactory.getLogger(PeerInitializer.class);

  /** The authenticated node at the other end of a peer connection (on the connection channel). */
  static final AttributeKey<CallerIdentity> PEER = AttributeKey.valueOf("wr.peer-node");

  /**
   * Streams one HTTP/2 connection may open at least; beyond the per-caller cap a request is
   * answered 429 (which names the cap) rather than refused at the protocol level.
   */
  static final int MIN_STREAMS = 128;

  /** Remote addresses whose refusal was logged at WARN; bounded, cleared when full. */
  private static final int MAX_LOGGED_REFUSALS = 1024;

  private final Listener listener;
  private final PeerTls tls;
  private final ChannelGroup connections;
  private final Set<String> loggedRefusals = ConcurrentHashMap.newKeySet();

  PeerInitializer(Listener listener, PeerTls tls, ChannelGroup connections) {
    this.listener = requireNonNull(listener, "listener");
    this.tls = requireNonNull(tls, "tls");
    this.connections = requireNonNull(connections, "connections");
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    connections.add(ch);
    // The handshake reads as it needs; HTTP/1.1 turns reading back to one message at a time.
    ch.config().setAutoRead(true);
    SslHandler ssl = tls.server().newHandler(ch.alloc());
    ch.pipeline().addLast("tls", ssl);
    ch.pipeline().addLast("alpn", new Negotiation(ssl));
  }

  /** Where the handshake leads: the protocol's pipeline, or a closed connection. */
  private final class Negotiation extends ApplicationProtocolNegotiationHandler {
    private final SslHandler ssl;

    Negotiation(SslHandler ssl) {
      super(ApplicationProtocolNames.HTTP_1_1);
      this.ssl = ssl;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) throws Exception {
      CallerIdentity peer = PeerTls.peer(ssl);
      ctx.channel().attr(PEER).set(peer);
      ChannelPipeline p = ctx.pipeline();
      if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        Http2FrameCodec codec =
            Http2FrameCodecBuilder.forServer()
                .initialSettings(
                    Http2Settings.defaultSettings()
                        .maxConcurrentStreams(Math.max(MIN_STREAMS, listener.callers().max()))
                        .maxHeaderListSize(ProxyInitializer.MAX_HEADER_SIZE))
                .build();
        p.addLast("h2", codec);
        p.addLast("h2-idle-state", ProxyInitializer.idle(listener));
        p.addLast("h2-idle", new Http2ConnectionIdle(codec));
        p.addLast("multiplex", new Http2MultiplexHandler(new StreamInitializer()));
        p.addLast("errors", new ConnectionErrors());
        // Frames are read as they come (auto-read stays on); each stream's window is what holds
        // a sender back.
      } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
        ctx.channel().config().setAutoRead(false);
        ProxyInitializer.http1(p, listener);
        // From the tail, so that the flow handler lets the first request through.
        ctx.channel().read();
      } else {
        throw new IllegalStateException(
            "ALPN protocol: " + protocol + " (expected: h2 or http/1.1)");
      }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      refused(ctx, cause);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      refused(ctx, cause);
    }

    private void refused(ChannelHandlerContext ctx, Throwable cause) {
      String remote =
          ctx.channel().remoteAddress() instanceof InetSocketAddress inet
              ? inet.getAddress().getHostAddress()
              : String.valueOf(ctx.channel().remoteAddress());
      String why = reason(cause);
      if (loggedRefusals.size() >= MAX_LOGGED_REFUSALS) {
        loggedRefusals.clear();
      }
      if (loggedRefusals.add(remote)) {
        LOG.warn("peer connection from {} refused: {}", remote, why);
      } else {
        LOG.debug("peer connection from {} refused: {}", remote, why);
      }
      ctx.close();
    }
  }

  /** What went wrong, without echoing what the peer sent. */
  private static String reason(Throwable cause) {
    Throwable t = cause;
    while (t.getCause() != null && t.getCause() != t) {
      if (t instanceof NotSslRecordException) {
        break;
      }
      t = t.getCause();
    }
    if (t instanceof NotSslRecordException || cause instanceof NotSslRecordException) {
      // Its message holds a hex dump of the plaintext received.
      return "not a TLS connection (expected: TLS with a node certificate of the deployment's CA)";
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  /** The end of an HTTP/2 connection's pipeline: what fails there closes the connection. */
  private static final class ConnectionErrors extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("peer connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }

  private final class StreamInitializer extends ChannelInitializer<Http2StreamChannel> {
    @Override
    protected void initChannel(Http2StreamChannel ch) {
      ch.config().setAutoRead(false);
      ChannelPipeline p = ch.pipeline();
      p.addLast("codec", new Http2StreamFrameToHttpObjectCodec(true));
      p.addLast("messages", new Http2Messages());
      p.addLast("flow", new FlowControlHandler());
      p.addLast("continue", new HttpServerExpectContinueHandler());
      p.addLast("idle", ProxyInitializer.idle(listener));
      p.addLast("proxy", new ProxyHandler(listener));
    }
  }
}
