package io.wruntime.engine.host.blobstore;

import io.wruntime.engine.host.abi.Blocking;
import io.wruntime.engine.host.blobstore.Blob.ErrorKind;
import io.wruntime.engine.host.blobstore.Blob.Failure;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * A body of known size: one {@code PutObject} whose body is read, on a thread of its own, from the
 * chunks the module writes. At most {@link #QUEUED_CHUNKS} chunks wait between the two, so an
 * object of any size holds at most a few MiB of the engine's memory (counted against the request's
 * {@link OpenObjects#MAX_BUFFERED}); when the store is slower than the module, {@link #write}
 * blocks. The last chunk written is held back until {@link #finish}, and the exchange starts with
 * the first chunk passed on (or at {@code finish}), so the store never has the whole declared
 * length before the module finishes: an abort ends the body early, the store sees fewer bytes than
 * declared and stores nothing.
 */
final class PipedUpload implements Upload {
  static final int QUEUED_CHUNKS = 4;

  private static final byte[] END = new byte[0];
  private static final byte[] ABORT = new byte[0];

  private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS + 1);
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final AtomicBoolean aborted = new AtomicBoolean();
  private final String what;
  private final OpenObjects owner;
  private final Runnable exchange;
  private boolean started;
  private Thread exchangeThread;
  private byte[] pending;

  PipedUpload(
      S3Client client,
      String bucket,
      String storedKey,
      String contentType,
      long size,
      String what,
      OpenObjects owner) {
    this.what = what;
    this.owner = owner;
    PutObjectRequest request =
        PutObjectRequest.builder()
            .bucket(bucket)
            .key(storedKey)
            .contentType(contentType)
            .contentLength(size)
            .build();
    AtomicBoolean opened = new AtomicBoolean();
    RequestBody body =
        RequestBody.fromContentProvider(
            () -> {
              if (!opened.compareAndSet(false, true)) {
                // A retry would need the body again: it is gone, so the attempt fails instead.
                throw new IllegalStateException("the body of " + what + " cannot be sent twice");
              }
              return new ChunkStream();
            },
            size,
            contentType == null ? "application/octet-stream" : contentType);
    exchange =
        () -> {
          try {
            client.putObject(request, body);
            done.complete(null);
          } catch (Throwable t) {
            done.completeExceptionally(t);
          }
        };
  }

  @Override
  public void write(byte[] chunk) throws Failure {
    if (chunk.length == 0) {
      return;
    }
    // Counted until the exchange takes it; pending or queued, an abort gives it back.
    owner.buffer(chunk.length, what);
    byte[] previous = pending;
    pending = chunk;
    if (previous != null) {
      offer(previous);
    }
  }

  @Override
  public void finish() throws Failure {
    byte[] last = pending;
    pending = null;
    if (last != null) {
      offer(last);
    }
    offer(END);
    try {
      done.get();
    } catch (InterruptedException e) {
      abort();
      throw Blocking.interrupted(e);
    } catch (ExecutionException e) {
      throw failure(e.getCause());
    }
  }

  @Override
  public void abort() {
    if (pending != null) {
      owner.release(pending.length);
      pending = null;
    }
    List<byte[]> dropped = new ArrayList<>();
    queue.drainTo(dropped); // what the exchange has not taken: it releases what it took
    dropped.forEach(chunk -> owner.release(chunk.length));
    if (aborted.compareAndSet(false, true) && started) {
      queue.offer(ABORT);
      // A store that stopped reading leaves the exchange blocked in a socket write, which has no
      // timeout: interrupted, a virtual thread's socket is closed, so neither it nor its pooled
      // connection outlives the object.
      exchangeThread.interrupt();
    }
  }

  private void offer(byte[] chunk) throws Failure {
    if (!started) {
      started = true;
      exchangeThread = Thread.ofVirtual().name("wr-blob-put").start(exchange);
    }
    boolean queued = false;
    try {
      while (!(queued = queue.offer(chunk, 50, TimeUnit.MILLISECONDS))) {
        if (done.isDone()) {
          break;
        }
      }
    } catch (InterruptedException e) {
      owner.release(chunk.length);
      abort();
      throw Blocking.interrupted(e);
    }
    if (!queued) {
      owner.release(chunk.length); // neither pending nor queued any more
    }
    if (done.isDone() && chunk != END) {
      // The store ended the exchange before the body did: report why.
      try {
        done.get();
      } catch (InterruptedException e) {
        throw Blocking.interrupted(e);
      } catch (ExecutionException e) {
        throw failure(e.getCause());
      }
      throw new Failure(ErrorKind.IO, what + ": the store took the object before its end");
    }
  }

  private Failure failure(Throwable cause) {
    if (cause instanceof SdkException e) {
      return BlobErrors.of(what, e);
    }
    return new Failure(ErrorKind.IO, what + ": " + cause);
  }

  /** The body as the S3 client reads it: the queued chunks, in order. */
  private final class ChunkStream extends InputStream {
    private byte[] current = new byte[0];
    private int at;
    private boolean ended;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (at == current.length) {
        if (ended) {
          return -1;
        }
        byte[] next;
        try {
          next = queue.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
        if (next == ABORT) {
          throw new IOException("the module dropped the object before finishing it");
        }
        if (next == END) {
          ended = true;
          return -1;
        }
        owner.release(next.length);
        current = next;
        at = 0;
      }
      int n = Math.min(len, current.length - at);
      System.arraycopy(current, at, b, off, n);
      at += n;
      return n;
    }
  }
}
