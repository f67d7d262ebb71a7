package io.wruntime.engine.http;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded in-memory body: one thread writes through the {@link BodySink} side, another reads
 * through the {@link BodySource} side. The writer sees {@link #capacity()} drop to 0 when {@code
 * limit} bytes are buffered, which is the backpressure between the two.
 */
public final class Pipe implements BodySink, BodySource {
  /**
   * Default buffer bound: enough for a few network reads, small enough to never matter for memory.
   */
  public static final int DEFAULT_LIMIT = 64 * 1024;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
  private final int limit;
  private int headOffset;
  private long buffered;
  private boolean finished;
  private boolean discarded;
  private String failure;
  private List<Field> trailers = List.of();
  // Both sides' listeners hear every change: a listener only wakes a poll, which re-checks.
  private final java.util.concurrent.CopyOnWriteArrayList<Runnable> listeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  public Pipe(int limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
    }
    this.limit = limit;
  }

  public Pipe() {
    this(DEFAULT_LIMIT);
  }

  static Pipe completed() {
    Pipe pipe = new Pipe(1);
    pipe.finished = true;
    return pipe;
  }

  /** The reading side, for code that should not see the writing methods. */
  public BodySource source() {
    return this;
  }

  /** The writing side, for code that should not see the reading methods. */
  public BodySink sink() {
    return this;
  }

  // ---- writer side

  @Override
  public long capacity() throws IOException {
    lock.lock();
    try {
      checkWritable();
      return Math.max(0, limit - buffered);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void write(byte[] data, int offset, int length) throws IOException {
    if (length == 0) {
      return;
    }
    byte[] copy = java.util.Arrays.copyOfRange(data, offset, offset + length);
    lock.lock();
    try {
      checkWritable();
      if (discarded) {
        return; // the reader went away: drop quietly, as a closed socket would
      }
      chunks.addLast(copy);
      buffered += length;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    fireAll();
  }

  @Override
  public void awaitWritable() throws InterruptedException {
    lock.lock();
    try {
      while (!writableLocked()) {
        changed.await();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean isWritable() {
    lock.lock();
    try {
      return writableLocked();
    } finally {
      lock.unlock();
    }
  }

  private boolean writableLocked() {
    return finished || failure != null || discarded || buffered < limit;
  }

  @Override
  public void finish(List<Field> trailers) throws IOException {
    lock.lock();
    try {
      checkWritable();
      this.trailers = trailers == null ? List.of() : List.copyOf(trailers);
      finished = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    fireAll();
  }

  @Override
  public void abort(String reason) {
    lock.lock();
    try {
      if (finished || failure != null) {
        return;
      }
      failure = reason == null ? "body aborted" : reason;
      chunks.clear();
      buffered = 0;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    fireAll();
  }

  private void checkWritable() throws IOException {
    if (failure != null) {
      throw new IOException(failure);
    }
    if (finished) {
      throw new IOException("body already finished");
    }
  }

  // ---- reader side

  @Override
  public byte[] read(int max) throws IOException {
    byte[] out;
    lock.lock();
    try {
      if (failure != null) {
        throw new IOException(failure);
      }
      if (chunks.isEmpty()) {
        return finished ? null : new byte[0];
      }
      byte[] head = chunks.peekFirst();
      int available = head.length - headOffset;
      int n = Math.min(Math.max(max, 0), available);
      if (n == 0) {
        return new byte[0];
      }
      if (headOffset == 0 && n == head.length) {
        out = chunks.pollFirst();
      } else {
        out = java.util.Arrays.copyOfRange(head, headOffset, headOffset + n);
        headOffset += n;
        if (headOffset == head.length) {
          chunks.pollFirst();
          headOffset = 0;
        }
      }
      buffered -= n;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    fireAll();
    return out;
  }

  @Override
  public void awaitReadable() throws InterruptedException {
    lock.lock();
    try {
      while (!readableLocked()) {
        changed.await();
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
    return !chunks.isEmpty() || finished || failure != null;
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
    lock.lock();
    try {
      discarded = true;
      chunks.clear();
      buffered = 0;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    fireAll();
  }

  /** True once the reader discarded the body: a writer may stop producing. */
  public boolean isDiscarded() {
    lock.lock();
    try {
      return discarded;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void addListener(Runnable listener) {
    listeners.add(listener);
  }

  private void fireAll() {
    for (Runnable listener : listeners) {
      listener.run();
    }
  }
}
