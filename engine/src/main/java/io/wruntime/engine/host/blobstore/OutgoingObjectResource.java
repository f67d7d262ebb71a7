package io.wruntime.engine.host.blobstore;

import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.host.blobstore.Blob.ErrorKind;
import io.wruntime.engine.host.blobstore.Blob.Failure;

/**
 * A {@code wruntime:blobstore/store.outgoing-object}: an object being written. Its body goes to the
 * store as it is written; dropped (or left open at the end of the request) before {@code finish},
 * the upload is aborted and nothing is stored.
 */
final class OutgoingObjectResource implements WitResource {
  static final String WIT = "wruntime:blobstore/store.outgoing-object";

  final String bucket;
  final String storedKey;
  final String key;
  final String what;
  private final Upload upload;
  private final Long declaredSize;
  private final long maxObjectSize;
  private final OpenObjects owner;
  private long written;
  private boolean finished;
  private String failed;
  private boolean closed;

  OutgoingObjectResource(
      String bucket,
      String storedKey,
      String key,
      String what,
      Upload upload,
      Long declaredSize,
      long maxObjectSize,
      OpenObjects owner) {
    this.bucket = bucket;
    this.storedKey = storedKey;
    this.key = key;
    this.what = what;
    this.upload = upload;
    this.declaredSize = declaredSize;
    this.maxObjectSize = maxObjectSize;
    this.owner = owner;
  }

  void write(byte[] chunk) throws Failure {
    usable();
    long total = written + chunk.length;
    if (total > maxObjectSize) {
      fail();
      throw new Failure(
          ErrorKind.TOO_LARGE,
          what
              + ": the body passed "
              + maxObjectSize
              + " bytes (expected: at most max_object_size = "
              + maxObjectSize
              + " bytes; nothing was stored)");
    }
    if (declaredSize != null && total > declaredSize) {
      fail();
      throw new Failure(
          ErrorKind.IO,
          what
              + ": the body passed its declared size of "
              + declaredSize
              + " bytes (expected: exactly the size given to put; nothing was stored)");
    }
    try {
      upload.write(chunk);
    } catch (Failure f) {
      fail();
      throw f;
    }
    written = total;
  }

  void finish() throws Failure {
    usable();
    if (declaredSize != null && written != declaredSize) {
      fail();
      throw new Failure(
          ErrorKind.IO,
          what
              + ": finished after "
              + written
              + " bytes of the "
              + declaredSize
              + " declared (expected: exactly the size given to put; nothing was stored)");
    }
    try {
      upload.finish();
    } catch (Failure f) {
      fail();
      throw f;
    }
    finished = true;
  }

  long written() {
    return written;
  }

  private void usable() throws Failure {
    if (finished) {
      throw new Failure(ErrorKind.IO, what + ": the object is finished already");
    }
    if (failed != null) {
      throw new Failure(ErrorKind.IO, what + ": the object failed earlier; nothing was stored");
    }
  }

  private void fail() {
    failed = "failed";
    upload.abort();
  }

  @Override
  public String witName() {
    return WIT;
  }

  /** A drop, or the end of the request: an unfinished upload is aborted; frees its slot. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!finished) {
      upload.abort();
    }
    owner.open--;
  }
}
