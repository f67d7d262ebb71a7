package io.wruntime.engine.host.blobstore;

import io.wruntime.engine.host.blobstore.Blob.Failure;

/** The body of an object being stored, chunk by chunk. */
interface Upload {
  /** Sends {@code chunk} on, blocking while the store applies backpressure. */
  void write(byte[] chunk) throws Failure;

  /** Ends the body; the object is stored when this returns. */
  void finish() throws Failure;

  /** Gives up: nothing is stored. Idempotent, never throws. */
  void abort();
}
