package io.wruntime.engine.server;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.EventExecutor;
import io.wruntime.engine.http.BodySource;
import io.wruntime.engine.http.Field;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A body arriving on a Netty channel whose {@code AUTO_READ} is off, read by one thread outside the
 * event loop. It asks the channel for the next message only while fewer than {@code highWater}
 * bytes wait unread, and again once the reader brought that below half of it: a slow reader stops
 * the socket, so the sender is held back by TCP instead of filling the heap.
 *
 * <p>Buffer ownership: contents handed to {@link #onContent} belong to this source, which releases
 * each buffer when it was copied out, discarded or failed.
 */
public final class ChannelBodySource implements BodySource {
  private final EventExecutor eventLoop;
  private final Runnable requestRead;
  private final Runnable onDiscard;
  private final int highWater;
  private final BufferGauge gauge;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<ByteBuf> chunks = new ArrayDeque<>();
  private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();
  private long buffered;
  private boolean readInFlight;
  private boolean ended;
  private boolean discarded;
  private IOException failure;
  private List<Field> trailers = List.of();

  /**
   * @param eventLoop the channel's event loop, where {@code requestRead} must run
   * @param requestRead asks the channel for one more message ({@code ctx.read()})
   * @param onDiscard runs (on the reader's thread) when the reader discards an unfinished body
   * @param highWater unread bytes above which no more is read from the socket
   */
  public ChannelBodySource(
      EventExecutor eventLoop,
      Runnable requestRead,
      Runnable onDiscard,
      int highWater,
      BufferGauge gauge) {
    this.eventLoop = requireNonNull(eventLoop, "eventLoop");
    this.requestRead = requireNonNull(requestRead, "requestRead");
    this.onDiscard = requireNonNull(onDiscard, "onDiscard");
    if (highWater <= 0) {
      throw new IllegalArgumentException("highWater: " + highWater + " (expected: > 0)");
    }
    this.highWater = highWater;
    this.gauge = requireNonNull(gauge, "gauge");
  }

  // ---- event-loop side

  /** Starts reading the body from the channel. Event loop only. */
  public void start() {
    boolean read;
    lock.lock();
    try {
      read = wantsReadLocked();
      if (read) {
        readInFlight = true;
      }
    } finally {
      lock.unlock();
    }
    if (read) {
      requestRead.run();
    }
  }

  /**
   * Takes one message of the body (and ownership of its buffer), then asks for the next one while
   * below the high-water mark. Event loop only.
   */
  public void onContent(HttpContent content) {
    ByteBuf data = content.content();
    boolean last = content instanceof LastHttpContent;
    boolean read;
    lock.lock();
    try {
      readInFlight = false;
      if (failure != null || discarded || ended || !data.isReadable()) {
        data.release();
      } else {
        chunks.addLast(data);
        buffered += data.readableBytes();
        gauge.add(data.readableBytes());
      }
      if (last && !ended) {
        ended = true;
        trailers = HttpFields.fromHeaders(((LastHttpContent) content).trailingHeaders());
      }
      read = wantsReadLocked();
      if (read) {
        readInFlight = true;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    fire();
    if (read) {
      requestRead.run();
    }
  }

  /**
   * Ends an unfinished body with a failure the reader sees; releases what is buffered. A body that
   * arrived whole stays readable. Any thread.
   */
  public void fail(IOException cause) {
    requireNonNull(cause, "cause");
    lock.lock();
    try {
      if (failure != null || ended || discarded) {
        return;
      }
      failure = cause;
      releaseLocked();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    fire();
  }

  /** True once the last message of the body arrived (whether or not it was read). */
  public boolean isEnded() {
    lock.lock();
    try {
      return ended;
    } finally {
      lock.unlock();
    }
  }

  /** True while a read this source asked for has not delivered its message yet. */
  public boolean isReadPending() {
    lock.lock();
    try {
      return readInFlight;
    } finally {
      lock.unlock();
    }
  }

  private boolean wantsReadLocked() {
    return !readInFlight && !ended && !discarded && failure == null && buffered < highWater;
  }

  // ---- reader side

  @Override
  public byte[] read(int max) throws IOException {
    byte[] out;
    boolean resume = false;
    lock.lock();
    try {
      if (failure != null) {
        throw new IOException(failure.getMessage(), failure);
      }
      if (chunks.isEmpty()) {
        return ended || discarded ? null : new byte[0];
      }
      ByteBuf head = chunks.peekFirst();
      int n = Math.min(Math.max(max, 0), head.readableBytes());
      out = new byte[n];
      head.readBytes(out);
      if (!head.isReadable()) {
        chunks.pollFirst().release();
      }
      buffered -= n;
      gauge.remove(n);
      if (!readInFlight && !ended && buffered <= highWater / 2) {
        readInFlight = true;
        resume = true;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (resume) {
      eventLoop.execute(requestRead);
    }
    return out;
  }

  @Override
  public void awaitReadable() throws InterruptedException {
    lock.lock();
    try {
      while (!readableLocked()) {
        changed.await(1, TimeUnit.SECONDS);
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean isReadable() {
    lock.lock();
    try {
      return readableLocked();
    } finally {
      lock.unlock();
    }
  }

  private boolean readableLocked() {
    return !chunks.isEmpty() || ended || failure != null || discarded;
  }

  @Override
  public List<Field> trailers() {
    lock.lock();
    try {
      return trailers;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void discard() {
    boolean unfinished;
    lock.lock();
    try {
      if (discarded) {
        return;
      }
      discarded = true;
      unfinished = !ended && failure == null;
      releaseLocked();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    fire();
    if (unfinished) {
      onDiscard.run();
    }
  }

  @Override
  public void addListener(Runnable listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  private void releaseLocked() {
    ByteBuf chunk;
    while ((chunk = chunks.pollFirst()) != null) {
      chunk.release();
    }
    gauge.remove(buffered);
    buffered = 0;
  }

  private void fire() {
    for (Runnable listener : listeners) {
      listener.run();
    }
  }
}
