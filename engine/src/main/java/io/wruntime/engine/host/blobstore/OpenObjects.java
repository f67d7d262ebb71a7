package io.wruntime.engine.host.blobstore;

import io.wruntime.engine.host.blobstore.Blob.ErrorKind;
import io.wruntime.engine.host.blobstore.Blob.Failure;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The blob objects a request has open, against its cap ({@code [limits] blob_objects}), and the
 * bytes the engine holds for their bodies (parts of bodies of unknown size, chunks of sized bodies
 * not yet taken by the store), against {@link #MAX_BUFFERED}: a module can write the same chunk of
 * its memory into many objects, so without this cap a request of a few KiB of guest memory could
 * make the engine hold {@code blob_objects} times a few MiB. Chunks are given back by the threads
 * that send them to the store.
 */
final class OpenObjects {
  /** The most the engine holds of one request's bodies at once. */
  static final long MAX_BUFFERED = 16L * 1024 * 1024;

  int open;
  private final AtomicLong buffered = new AtomicLong();

  /** Takes {@code bytes} more of the request's buffer cap for {@code what}, or fails with io. */
  void buffer(long bytes, String what) throws Failure {
    long held;
    do {
      held = buffered.get();
      if (held + bytes > MAX_BUFFERED) {
        throw new Failure(
            ErrorKind.IO,
            what
                + ": this request's bodies already hold "
                + held
                + " bytes in the engine, and this one needs "
                + bytes
                + " more (expected: at most "
                + MAX_BUFFERED
                + " bytes held at once per request: up to one 5 MiB part per body of unknown"
                + " size, the chunks a slow store has not taken yet of sized ones; finish an"
                + " object first)");
      }
    } while (!buffered.compareAndSet(held, held + bytes));
  }

  /** Gives {@code bytes} back to the request's buffer cap (from any thread). */
  void release(long bytes) {
    buffered.addAndGet(-bytes);
  }
}
