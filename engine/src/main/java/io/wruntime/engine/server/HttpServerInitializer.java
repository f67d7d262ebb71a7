package io.wruntime.engine.server;

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
import io.wruntime.common.netty.ConnectionLimit;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of an engine connection: {@code limit} (closes a connection beyond the listener's
 * {@code max_connections}, then leaves the pipeline), {@code codec} (HTTP/1.1, no aggregation:
 * bodies stream), {@code flow} (one message per {@code read()}, so that reading follows the body's
 * reader and a pipelined request waits), {@code continue} (answers {@code Expect: 100-continue}),
 * {@code idle} (closes connections idle between requests) and {@code exchange}.
 */
final class HttpServerInitializer extends ChannelInitializer<SocketChannel> {
  static final int MAX_INITIAL_LINE = 8192;
  static final int MAX_HEADER_SIZE = 16384;
  static final int MAX_CHUNK_SIZE = 16384;

  private final RequestHandler handler;
  private final BufferGauge gauge;
  private final int bodyHighWater;
  private final long idleSeconds;
  private final ChannelGroup connections;
  private final ConnectionLimit limit;

  HttpServerInitializer(
      RequestHandler handler,
      BufferGauge gauge,
      int bodyHighWater,
      long idleSeconds,
      ChannelGroup connections,
      ConnectionLimit limit) {
    this.handler = requireNonNull(handler, "handler");
    this.gauge = requireNonNull(gauge, "gauge");
    this.bodyHighWater = bodyHighWater;
    this.idleSeconds = idleSeconds;
    this.connections = requireNonNull(connections, "connections");
    this.limit = requireNonNull(limit, "limit");
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    connections.add(ch);
    ChannelPipeline p = ch.pipeline();
    p.addLast("limit", limit);
    p.addLast(
        "codec",
        new HttpServerCodec(
            new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(MAX_HEADER_SIZE)
                .setMaxChunkSize(MAX_CHUNK_SIZE)));
    p.addLast("flow", new FlowControlHandler());
    p.addLast("continue", new HttpServerExpectContinueHandler());
    p.addLast("idle", new IdleStateHandler(0, 0, idleSeconds, TimeUnit.SECONDS));
    p.addLast("exchange", new HttpExchangeHandler(handler, gauge, bodyHighWater));
  }
}
