package io.wruntime.engine.server;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.wruntime.engine.http.BodySink;
import io.wruntime.engine.http.EngineError;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.ResponseSink;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A response written to a Netty channel from a module's thread. Writes are handed to the event loop
 * by Netty (which counts them against the channel's water marks at once), so {@link #capacity()}
 * follows the channel's writability and a slow client holds the module back.
 */
final class ChannelResponse implements ResponseSink, BodySink {
  /** Runs on the event loop once the last byte was written; {@code reusable}: keep-alive. */
  interface Completion {
    void responseDone(ChannelResponse response, boolean reusable);
  }

  private enum State {
    NEW,
    STARTED,
    FINISHED,
    ABORTED
  }

  private static final Set<String> FRAMING = Set.of("content-length");

  private final ChannelHandlerContext ctx;
  private final boolean keepAlive;
  private final boolean http10;
  private final boolean headRequest;
  private final WritabilityGate gate;
  private final Completion completion;
  private final ReentrantLock lock = new ReentrantLock();
  private State state = State.NEW;
  private String closedReason;
  private volatile boolean clientClosed;
  private boolean chunked;
  private boolean noBody;
  private long declaredLength = -1;
  private long written;

  ChannelResponse(
      ChannelHandlerContext ctx,
      boolean keepAlive,
      boolean http10,
      boolean headRequest,
      WritabilityGate gate,
      Completion completion) {
    this.ctx = requireNonNull(ctx, "ctx");
    this.keepAlive = keepAlive;
    this.http10 = http10;
    this.headRequest = headRequest;
    this.gate = requireNonNull(gate, "gate");
    this.completion = requireNonNull(completion, "completion");
  }

  // ---- ResponseSink

  @Override
  public BodySink start(int status, List<Field> headers) throws IOException {
    requireNonNull(headers, "headers");
    if (status < 200 || status > 999) {
      throw new IOException("response status " + status + " (expected: 200 to 999)");
    }
    HttpResponse head =
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
    long length = -1;
    String lengthText = Field.first(headers, "content-length");
    if (lengthText != null) {
      try {
        length = Long.parseLong(lengthText.trim());
      } catch (NumberFormatException e) {
        length = -1;
      }
      if (length < 0) {
        throw new IOException(
            "content-length: " + lengthText + " (expected: a non-negative integer)");
      }
    }
    try {
      HttpFields.addTo(head.headers(), headers, FRAMING);
    } catch (IllegalArgumentException e) {
      throw new IOException("invalid response header: " + e.getMessage(), e);
    }
    boolean bodiless = status == 204 || status == 304;
    lock.lock();
    try {
      if (state != State.NEW) {
        throw new IOException(
            closedReason != null ? closedReason : "the response was already started");
      }
      if (!ctx.channel().isActive()) {
        state = State.ABORTED;
        closedReason = "the client closed the connection";
        clientClosed = true;
        throw new IOException(closedReason);
      }
      noBody = bodiless || headRequest;
      if (length >= 0) {
        head.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
        declaredLength = bodiless ? 0 : length;
      } else if (!bodiless && !http10) {
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        chunked = true;
      }
      if (!keepAlive || (length < 0 && !chunked && !bodiless)) {
        head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      state = State.STARTED;
      // Not flushed (and so not waking the event loop): the head goes out with the first body
      // bytes or the end of the response, in one write. A flush also follows when the module has
      // to wait for the channel (capacity, awaitWritable, isWritable) or the response is aborted.
      ctx.write(head).addListener(this::onWritten);
    } finally {
      lock.unlock();
    }
    return this;
  }

  @Override
  public void fail(EngineError error) {
    requireNonNull(error, "error");
    State current;
    lock.lock();
    try {
      current = state;
    } finally {
      lock.unlock();
    }
    if (current == State.NEW) {
      try {
        Responses.sendError(this, error, null);
        return;
      } catch (IOException e) {
        // The client went away or the response was started concurrently: fall through to abort.
      }
    }
    abort(error.message());
  }

  @Override
  public boolean isStarted() {
    lock.lock();
    try {
      return state != State.NEW;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean clientClosed() {
    return clientClosed;
  }

  // ---- BodySink

  @Override
  public long capacity() throws IOException {
    lock.lock();
    try {
      checkOpenLocked();
    } finally {
      lock.unlock();
    }
    if (!ctx.channel().isActive()) {
      clientClosed = true;
      throw new IOException("the client closed the connection");
    }
    if (!ctx.channel().isWritable()) {
      ctx.channel().flush(); // what waits unflushed (a large head) must drain for writability
      return 0;
    }
    return Math.max(1, ctx.channel().bytesBeforeUnwritable());
  }

  @Override
  public void write(byte[] data, int offset, int length) throws IOException {
    if (length == 0) {
      return;
    }
    lock.lock();
    try {
      checkOpenLocked();
      if (declaredLength >= 0 && written + length > declaredLength) {
        abortLocked("the module wrote more than its content-length of " + declaredLength);
        throw new IOException(closedReason);
      }
      written += length;
      if (noBody) {
        return;
      }
      ByteBuf buf = ctx.alloc().buffer(length);
      buf.writeBytes(data, offset, length);
      ctx.writeAndFlush(new DefaultHttpContent(buf)).addListener(this::onWritten);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void awaitWritable() throws InterruptedException {
    if (!gate.isOpenForWrite()) {
      ctx.channel().flush();
    }
    gate.await();
  }

  @Override
  public boolean isWritable() {
    if (gate.isOpenForWrite()) {
      return true;
    }
    ctx.channel().flush();
    return false;
  }

  @Override
  public void finish(List<Field> trailers) throws IOException {
    lock.lock();
    try {
      checkOpenLocked();
      if (declaredLength >= 0 && written != declaredLength && !noBody) {
        abortLocked(
            "the module ended a body of "
                + written
                + " bytes, but its content-length said "
                + declaredLength);
        throw new IOException(closedReason);
      }
      state = State.FINISHED;
      LastHttpContent last = LastHttpContent.EMPTY_LAST_CONTENT;
      if (chunked && trailers != null && !trailers.isEmpty()) {
        last = new DefaultLastHttpContent();
        try {
          HttpFields.addTo(last.trailingHeaders(), trailers, Set.of());
        } catch (IllegalArgumentException e) {
          last.release();
          abortLocked("invalid response trailer: " + e.getMessage());
          throw new IOException(closedReason, e);
        }
      }
      ctx.writeAndFlush(last)
          .addListener(
              (ChannelFutureListener)
                  f -> {
                    if (f.isSuccess()) {
                      boolean reusable =
                          keepAlive && (chunked || declaredLength >= 0 || noBody) && !http10;
                      completion.responseDone(this, reusable);
                    } else {
                      f.channel().close();
                    }
                  });
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void abort(String reason) {
    lock.lock();
    try {
      if (state == State.FINISHED || state == State.ABORTED) {
        return;
      }
      abortLocked(reason == null ? "the response was aborted" : reason);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void addListener(Runnable listener) {
    gate.addListener(listener);
  }

  // ---- from the handler

  /** The connection closed: writes fail from now on. Event loop. */
  void connectionClosed() {
    lock.lock();
    try {
      if (state == State.NEW || state == State.STARTED) {
        state = State.ABORTED;
        closedReason = "the client closed the connection";
        clientClosed = true;
      }
    } finally {
      lock.unlock();
    }
    gate.changed();
  }

  private void onWritten(io.netty.util.concurrent.Future<? super Void> f) {
    if (!f.isSuccess()) {
      if (!ctx.channel().isActive()) {
        clientClosed = true;
      }
      abort("writing the response failed: " + f.cause());
    }
  }

  private void abortLocked(String reason) {
    state = State.ABORTED;
    closedReason = reason;
    // A response cut short must not look complete: closing the connection is how HTTP/1.1 says so.
    // What was written goes out first (the head may still wait unflushed).
    ctx.channel().flush();
    ctx.channel().close();
  }

  private void checkOpenLocked() throws IOException {
    switch (state) {
      case NEW -> throw new IOException("the response was not started");
      case FINISHED -> throw new IOException("the response body was already finished");
      case ABORTED -> throw new IOException(closedReason);
      case STARTED -> {}
    }
  }
}
