package io.wruntime.engine.outbound;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.wruntime.engine.http.BodySource;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.HttpErrorCode;
import io.wruntime.engine.http.IncomingResponse;
import io.wruntime.engine.http.OutboundException;
import io.wruntime.engine.server.ChannelBodySource;
import io.wruntime.engine.server.HttpFields;
import io.wruntime.engine.server.WritabilityGate;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One module request on one connection to the proxy. The request body is pumped from the module's
 * {@link BodySource} by a virtual thread that waits for the channel's writability before each
 * write; the response body is read from the socket only as the module consumes it. Events come from
 * the event loop (response, connection loss), the pump thread and the module's thread
 * (cancellation); {@link #done} makes the ending happen once.
 */
final class ProxyCall {
  static final int CHUNK = 64 * 1024;

  private final ProxyOutboundClient client;
  private final ProxyOutboundClient.Prepared prepared;
  private final CompletableFuture<IncomingResponse> future;
  private final boolean reused;
  private final AtomicBoolean done = new AtomicBoolean();
  private Channel channel;
  private ProxyClientHandler handler;
  private WritabilityGate gate;
  private volatile Thread pump;
  private volatile ChannelBodySource responseBody;

  // Event loop only.
  private boolean headReceived;
  private boolean skippingInformational;
  private boolean keepAlive;
  private boolean requestSent;
  private boolean responseEnded;
  private ScheduledFuture<?> firstByteTimer;
  private ScheduledFuture<?> betweenBytesTimer;

  ProxyCall(
      ProxyOutboundClient client,
      ProxyOutboundClient.Prepared prepared,
      CompletableFuture<IncomingResponse> future,
      boolean reused) {
    this.client = requireNonNull(client, "client");
    this.prepared = requireNonNull(prepared, "prepared");
    this.future = requireNonNull(future, "future");
    this.reused = reused;
  }

  /** Sends the request on {@code ch}. Event loop of {@code ch}. */
  void begin(Channel ch) {
    channel = ch;
    handler = ch.pipeline().get(ProxyClientHandler.class);
    handler.attach(this);
    gate = new WritabilityGate(ch);
    future.whenComplete(
        (r, e) -> {
          if (future.isCancelled()) {
            abort(HttpErrorCode.INTERNAL_ERROR, "the request was cancelled");
          }
        });
    if (future.isDone()) {
      return;
    }
    // The head goes out with the body when the body is known now (none, or finished before the
    // call): one write on the connection instead of one per message.
    ch.write(prepared.head())
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (f.isSuccess()) {
                    startFirstByteTimer();
                  } else {
                    connectionLost(f.cause());
                  }
                });
    ch.read();
    if (prepared.first() == null) {
      ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(this::requestWritten);
    } else if (prepared.whole()) {
      LastHttpContent last = new DefaultLastHttpContent(Unpooled.wrappedBuffer(prepared.first()));
      List<Field> trailers = prepared.request().body().trailers();
      if (prepared.chunked() && !trailers.isEmpty()) {
        try {
          HttpFields.addTo(last.trailingHeaders(), trailers, Set.of());
        } catch (IllegalArgumentException e) {
          last.release();
          ch.flush();
          abort(
              HttpErrorCode.HTTP_REQUEST_TRAILER_SIZE,
              "invalid request trailer: " + e.getMessage());
          return;
        }
      }
      ch.writeAndFlush(last).addListener(this::requestWritten);
    } else {
      // The pump flushes the head with the body's first bytes, or alone when they are not there.
      pump = Thread.ofVirtual().name("wr-outbound-body").start(this::pump);
    }
  }

  private void startFirstByteTimer() {
    Duration timeout = prepared.firstByteTimeout();
    if (timeout != null && !headReceived && !done.get()) {
      firstByteTimer =
          channel
              .eventLoop()
              .schedule(
                  () -> {
                    if (!headReceived) {
                      abort(
                          HttpErrorCode.CONNECTION_READ_TIMEOUT,
                          "no response from the proxy within "
                              + timeout.toMillis()
                              + " ms (first-byte-timeout)");
                    }
                  },
                  timeout.toNanos(),
                  TimeUnit.NANOSECONDS);
    }
  }

  // ---- request body (pump thread)

  private void pump() {
    BodySource body = prepared.request().body();
    long max = client.maxRequestBodyBytes();
    long declared = prepared.declaredLength();
    long sent = 0;
    byte[] chunk = prepared.first();
    try {
      while (chunk != null) {
        if (chunk.length > 0) {
          sent += chunk.length;
          if (sent > max) {
            abort(HttpErrorCode.HTTP_REQUEST_BODY_SIZE, LimitedBodySource.message(max));
            return;
          }
          if (declared >= 0 && sent > declared) {
            abort(
                HttpErrorCode.HTTP_REQUEST_BODY_SIZE,
                "the request body is longer than its content-length of " + declared);
            return;
          }
          gate.await();
          if (done.get() || !channel.isActive()) {
            return;
          }
          HttpContent content = new DefaultHttpContent(Unpooled.wrappedBuffer(chunk));
          if (body.isReadable()) {
            byte[] next = body.read(CHUNK);
            if (next == null) {
              // The body ended right behind this chunk: both go out with the end, in one write.
              channel.write(content);
              break;
            }
            channel.writeAndFlush(content);
            chunk = next;
            continue;
          }
          channel.writeAndFlush(content);
        } else if (!body.isReadable()) {
          // The module has not written the body yet: the head (written unflushed) goes out now.
          channel.flush();
        }
        body.awaitReadable();
        chunk = body.read(CHUNK);
      }
      if (declared >= 0 && sent != declared) {
        abort(
            HttpErrorCode.HTTP_REQUEST_BODY_SIZE,
            "the request body has " + sent + " bytes, but its content-length said " + declared);
        return;
      }
      LastHttpContent last = LastHttpContent.EMPTY_LAST_CONTENT;
      List<Field> trailers = body.trailers();
      if (prepared.chunked() && !trailers.isEmpty()) {
        last = new DefaultLastHttpContent();
        HttpFields.addTo(last.trailingHeaders(), trailers, Set.of());
      }
      if (!done.get()) {
        channel.writeAndFlush(last).addListener(this::requestWritten);
      } else {
        last.release();
      }
    } catch (IOException e) {
      abort(HttpErrorCode.INTERNAL_ERROR, "the request body failed: " + e.getMessage());
    } catch (InterruptedException e) {
      abort(HttpErrorCode.INTERNAL_ERROR, "interrupted while sending the request body");
    } catch (IllegalArgumentException e) {
      abort(HttpErrorCode.HTTP_REQUEST_TRAILER_SIZE, "invalid request trailer: " + e.getMessage());
    }
  }

  private void requestWritten(io.netty.util.concurrent.Future<? super Void> f) {
    if (f.isSuccess()) {
      requestSent = true;
      maybeFinish();
    }
  }

  void writabilityChanged() {
    gate.changed();
  }

  // ---- response (event loop)

  void onResponseHead(HttpResponse head) {
    if (done.get()) {
      return;
    }
    if (!head.decoderResult().isSuccess()) {
      abort(
          HttpErrorCode.HTTP_PROTOCOL_ERROR,
          "malformed response from the proxy: " + head.decoderResult().cause().getMessage());
      return;
    }
    int status = head.status().code();
    if (status >= 100 && status < 200) {
      // Informational responses come before the real one; their (empty) end is skipped too.
      skippingInformational = true;
      channel.read();
      return;
    }
    cancel(firstByteTimer);
    headReceived = true;
    keepAlive = HttpUtil.isKeepAlive(head);
    ChannelBodySource body =
        new ChannelBodySource(
            channel.eventLoop(),
            this::readResponse,
            this::responseDiscarded,
            ProxyOutboundClient.RESPONSE_HIGH_WATER,
            client.gauge());
    responseBody = body;
    if (!future.complete(
        new IncomingResponse(status, HttpFields.fromHeaders(head.headers()), body))) {
      abort(HttpErrorCode.INTERNAL_ERROR, "the request was cancelled");
      return;
    }
    body.start();
  }

  void onContent(HttpContent content) {
    if (skippingInformational) {
      boolean last = content instanceof LastHttpContent;
      content.release();
      if (last) {
        skippingInformational = false;
      }
      channel.read();
      return;
    }
    ChannelBodySource body = responseBody;
    if (body == null || done.get()) {
      content.release();
      return;
    }
    cancel(betweenBytesTimer);
    if (!content.decoderResult().isSuccess()) {
      content.release();
      abort(
          HttpErrorCode.HTTP_PROTOCOL_ERROR,
          "malformed response body from the proxy: "
              + content.decoderResult().cause().getMessage());
      return;
    }
    boolean last = content instanceof LastHttpContent;
    body.onContent(content);
    if (last) {
      responseEnded = true;
      maybeFinish();
    }
  }

  /** The response body asks for the next message. Event loop. */
  private void readResponse() {
    channel.read();
    Duration timeout = prepared.betweenBytesTimeout();
    if (timeout != null) {
      cancel(betweenBytesTimer);
      betweenBytesTimer =
          channel
              .eventLoop()
              .schedule(
                  () ->
                      abort(
                          HttpErrorCode.CONNECTION_READ_TIMEOUT,
                          "no response bytes from the proxy for "
                              + timeout.toMillis()
                              + " ms (between-bytes-timeout)"),
                  timeout.toNanos(),
                  TimeUnit.NANOSECONDS);
    }
  }

  /** The module dropped the response body before its end: the connection cannot be reused. */
  private void responseDiscarded() {
    if (done.compareAndSet(false, true)) {
      prepared.request().body().discard();
      channel.close();
    }
  }

  private void maybeFinish() {
    if (!responseEnded) {
      return;
    }
    if (!requestSent) {
      // The proxy answered before the request body was sent: stop sending, drop the connection.
      if (done.compareAndSet(false, true)) {
        prepared.request().body().discard();
        channel.close();
      }
      return;
    }
    if (done.compareAndSet(false, true)) {
      handler.detach(this);
      cancel(betweenBytesTimer);
      if (keepAlive) {
        client.release(channel);
      } else {
        channel.close();
      }
    }
  }

  // ---- failures

  /** The connection closed or failed. Event loop. */
  void connectionLost(Throwable cause) {
    gate.changed();
    if (done.get()) {
      return;
    }
    if (!headReceived) {
      if (reused
          && prepared.first() == null
          && (cause == null || cause instanceof IOException)
          && done.compareAndSet(false, true)) {
        // A pooled connection the proxy had closed, and a request without a body: it goes again
        // on a fresh connection.
        handler.detach(this);
        cancel(firstByteTimer);
        client.retry(prepared, future);
        return;
      }
      if (cause instanceof DecoderException) {
        abort(
            HttpErrorCode.HTTP_PROTOCOL_ERROR,
            "malformed response from the proxy: " + cause.getMessage());
      } else {
        abort(
            HttpErrorCode.CONNECTION_TERMINATED,
            "the proxy "
                + client.proxy()
                + " closed the connection before responding"
                + (cause == null ? "" : ": " + cause.getMessage()));
      }
    } else if (!responseEnded) {
      abort(
          HttpErrorCode.HTTP_RESPONSE_INCOMPLETE,
          "the proxy closed the connection before the response body ended");
    }
  }

  /** Ends the call with an error the module sees. Any thread. */
  void abort(HttpErrorCode code, String message) {
    if (!done.compareAndSet(false, true)) {
      return;
    }
    future.completeExceptionally(new OutboundException(code, message));
    prepared.request().body().discard();
    Thread pumping = pump;
    if (pumping != null && pumping != Thread.currentThread()) {
      // The pump may wait for body bytes that will never come now.
      pumping.interrupt();
    }
    Channel ch = channel;
    if (ch == null) {
      return;
    }
    ch.eventLoop()
        .execute(
            () -> {
              cancel(firstByteTimer);
              cancel(betweenBytesTimer);
              ChannelBodySource body = responseBody;
              if (body != null) {
                body.fail(new IOException(message));
              }
              ch.close();
            });
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }
}
