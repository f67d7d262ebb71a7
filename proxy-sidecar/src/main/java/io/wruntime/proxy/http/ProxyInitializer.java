package io.wruntime.proxy.http;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pipeline of a client connection: {@code codec} (HTTP/1.1, no aggregation: bodies stream),
 * {@code flow} (one message per {@code read()}, so reading follows the upstream's pace), {@code
 * continue} (answers {@code Expect: 100-continue} and drops the header), {@code idle} and {@code
 * proxy} ({@link ProxyHandler}).
 */
final class ProxyInitializer extends ChannelInitializer<SocketChannel> {
  static final int MAX_INITIAL_LINE = 8192;
  static final int MAX_HEADER_SIZE = 16384;
  static final int MAX_CHUNK_SIZE = 65536;

  private final ListenerKind kind;
  private final Forwarding forwarding;
  private final UpstreamPool pool;
  private final ChannelGroup connections;
  private final AtomicInteger inFlight;

  ProxyInitializer(
      ListenerKind kind,
      Forwarding forwarding,
      UpstreamPool pool,
      ChannelGroup connections,
      AtomicInteger inFlight) {
    this.kind = requireNonNull(kind, "kind");
    this.forwarding = requireNonNull(forwarding, "forwarding");
    this.pool = requireNonNull(pool, "pool");
    this.connections = requireNonNull(connections, "connections");
    this.inFlight = requireNonNull(inFlight, "inFlight");
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    connections.add(ch);
    ChannelPipeline p = ch.pipeline();
    p.addLast(
        "codec",
        new HttpServerCodec(
            new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(MAX_HEADER_SIZE)
                .setMaxChunkSize(MAX_CHUNK_SIZE)));
    p.addLast("flow", new FlowControlHandler());
    p.addLast("continue", new HttpServerExpectContinueHandler());
    p.addLast(
        "idle",
        new IdleStateHandler(0, 0, forwarding.timeouts().idle().toMillis(), TimeUnit.MILLISECONDS));
    p.addLast("proxy", new ProxyHandler(kind, forwarding, pool, inFlight));
  }
}
