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

/**
 * The pipeline of a plaintext client connection: {@code codec} (HTTP/1.1, no aggregation: bodies
 * stream), {@code flow} (one message per {@code read()}, so reading follows the upstream's pace),
 * {@code continue} (answers {@code Expect: 100-continue} and drops the header), {@code idle} and
 * {@code proxy} ({@link ProxyHandler}).
 */
final class ProxyInitializer extends ChannelInitializer<SocketChannel> {
  static final int MAX_INITIAL_LINE = 8192;
  static final int MAX_HEADER_SIZE = 16384;
  static final int MAX_CHUNK_SIZE = 65536;

  private final Listener listener;
  private final ChannelGroup connections;

  ProxyInitializer(Listener listener, ChannelGroup connections) {
    this.listener = requireNonNull(listener, "listener");
    this.connections = requireNonNull(connections, "connections");
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    connections.add(ch);
    http1(ch.pipeline(), listener);
  }

  /** Adds the HTTP/1.1 handlers of a client connection at the end of {@code p}. */
  static void http1(ChannelPipeline p, Listener listener) {
    p.addLast(
        "codec",
        new HttpServerCodec(
            new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(MAX_HEADER_SIZE)
                .setMaxChunkSize(MAX_CHUNK_SIZE)));
    p.addLast("flow", new FlowControlHandler());
    p.addLast("continue", new HttpServerExpectContinueHandler());
    p.addLast("idle", idle(listener));
    p.addLast("proxy", new ProxyHandler(listener));
  }

  static IdleStateHandler idle(Listener listener) {
    return new IdleStateHandler(
        0, 0, listener.forwarding().timeouts().idle().toMillis(), TimeUnit.MILLISECONDS);
  }
}
