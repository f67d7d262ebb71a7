package io.wruntime.engine.host.blobstore;

import io.wruntime.engine.host.abi.Blocking;
import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.host.blobstore.Blob.ErrorKind;
import io.wruntime.engine.host.blobstore.Blob.Failure;
import io.wruntime.engine.host.blobstore.Blob.Meta;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Arrays;
import software.amazon.awssdk.core.ResponseInputStream;

/**
 * A {@code wruntime:blobstore/store.incoming-object}: an object being read, straight from the
 * store's response, one chunk per {@code read}.
 */
final class IncomingObjectResource implements WitResource {
  static final String WIT = "wruntime:blobstore/store.incoming-object";

  private final ResponseInputStream<?> body;
  private final Meta meta;
  private final String what;
  private final OpenObjects owner;
  private boolean ended;
  private boolean closed;

  IncomingObjectResource(ResponseInputStream<?> body, Meta meta, String what, OpenObjects owner) {
    this.body = body;
    this.meta = meta;
    this.what = what;
    this.owner = owner;
  }

  Meta meta() {
    return meta;
  }

  /** Up to {@code max} bytes; empty at the end. */
  byte[] read(int max) throws Failure {
    if (ended) {
      return new byte[0];
    }
    byte[] buffer = new byte[max];
    try {
      int n;
      do {
        n = body.read(buffer, 0, max);
      } while (n == 0);
      if (n < 0) {
        ended = true;
        return new byte[0];
      }
      return n == max ? buffer : Arrays.copyOf(buffer, n);
    } catch (InterruptedIOException e) {
      throw Blocking.interrupted(new InterruptedException(e.getMessage()));
    } catch (IOException e) {
      throw new Failure(ErrorKind.IO, what + ": reading the body failed (" + e.getMessage() + ")");
    }
  }

  @Override
  public String witName() {
    return WIT;
  }

  /** A drop, or the end of the request: ends the exchange with the store; frees its slot. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!ended) {
      body.abort();
    }
    try {
      body.close();
    } catch (IOException | RuntimeException e) {
      // the exchange is over either way
    }
    owner.open--;
  }
}
