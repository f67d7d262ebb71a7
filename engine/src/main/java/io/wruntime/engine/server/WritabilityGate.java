package io.wruntime.engine.server;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lets a thread outside the event loop wait until a channel can take more writes (its outbound
 * buffer is below the high water mark) or is closed. One gate per exchange, so that listeners end
 * with it; the channel's handler calls {@link #changed} on every writability change and on close.
 */
public final class WritabilityGate {
  private final Channel channel;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition signal = lock.newCondition();
  private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();

  public WritabilityGate(Channel channel) {
    this.channel = requireNonNull(channel, "channel");
  }

  /** True when a write would not overrun the channel, or when it is closed (writes then fail). */
  public boolean isOpenForWrite() {
    return channel.isWritable() || !channel.isActive();
  }

  /** Blocks until {@link #isOpenForWrite()}. */
  public void await() throws InterruptedException {
    lock.lock();
    try {
      // The state lives in the channel, not under this lock; a bounded wait guards against a
      // change that fired between the check and the wait on a path we do not see.
      while (!isOpenForWrite()) {
        signal.await(50, TimeUnit.MILLISECONDS);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Adds a callback run whenever writability may have changed; it must not block. */
  public void addListener(Runnable listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  /** Wakes waiters and listeners; called from the event loop. */
  public void changed() {
    lock.lock();
    try {
      signal.signalAll();
    } finally {
      lock.unlock();
    }
    for (Runnable listener : listeners) {
      listener.run();
    }
  }
}
