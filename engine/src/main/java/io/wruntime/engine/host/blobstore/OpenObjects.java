package io.wruntime.engine.host.blobstore;

import io.wruntime.engine.host.blobstore.Blob.ErrorKind;
import io.wruntime.engine.host.blobstore.Blob.Failure;

/**
 * The blob objects a request has open, against its cap ({@code [limits] blob_objects}), and the
 * bytes the engine buffers for its bodies of unknown size, against {@link #MAX_BUFFERED}: a module
 * can write the same chunk of its memory into many such objects, so without this cap a request of a
 * few KiB of guest memory could make the engine hold {@code blob_objects} parts of 5 MiB.
 */
final class OpenObjects {
  /** The most the engine buffers for one request's bodies of unknown size. */
  static final long MAX_BUFFERED = 16L * 1024 * 1024;

  int open;
  private long buffered;

  /** Takes {@code bytes} more of the request's buffer cap for {@code what}, or fails with io. */
  void buffer(long bytes, String what) throws Failure {
    if (buffered + bytes > MAX_BUFFERED) {
      throw new Failure(
          ErrorKind.IO,
          what
              + ": this request's bodies of unknown size already hold "
              + buffered
              + " bytes in the engine, and this one needs "
              + bytes
              + " more (expected: at most "
              + MAX_BUFFERED
              + " bytes buffered at once per request, up to one 5 MiB part per body; give put"
              + " the body's size to stream it instead, or finish an object first)");
    }
    buffered += bytes;
  }

  /** Gives {@code bytes} back to the request's buffer cap. */
  void release(long bytes) {
    buffered -= bytes;
  }
}
