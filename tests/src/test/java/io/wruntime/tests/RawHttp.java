package io.wruntime.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP/1.1 over a raw socket for the streaming tests: the JDK's HttpClient sends a whole HTTP/1.1
 * body before it reads, which would deadlock against a pipeline that (rightly) buffers nothing, so
 * these tests write the request body on one thread ({@link #writeAsync}) while they read the
 * response ({@link #readHead}, {@link #readBody}) on theirs.
 */
final class RawHttp {
  static final int CHUNK = 64 * 1024;

  private RawHttp() {}

  /** A response's status and headers (names lower-cased). */
  record Head(int status, Map<String, String> headers) {}

  /** Takes the bytes of a body as they are read. */
  interface Sink {
    void accept(byte[] bytes, int offset, int length) throws IOException;
  }

  /** Status line and headers. */
  static Head readHead(InputStream in) throws IOException {
    String status = readLine(in);
    assertThat(status).as("the status line").startsWith("HTTP/1.1 ");
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      headers.put(
          line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          line.substring(colon + 1).trim());
    }
    return new Head(Integer.parseInt(status.substring(9, 12)), headers);
  }

  /**
   * Reads the body (chunked, content-length, or to the end of the stream) into {@code sink} until
   * it ends or {@code limit} bytes were read; returns how many bytes were read.
   */
  static long readBody(InputStream in, Head head, long limit, Sink sink) throws IOException {
    byte[] buf = new byte[CHUNK];
    long total = 0;
    if ("chunked".equalsIgnoreCase(head.headers().get("transfer-encoding"))) {
      for (long size = chunkSize(in); size > 0; size = chunkSize(in)) {
        for (long left = size; left > 0; ) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, left));
          assertThat(n).as("bytes read after %d of the body", total).isPositive();
          sink.accept(buf, 0, n);
          left -= n;
          total += n;
          if (total >= limit) {
            return total;
          }
        }
        readLine(in); // the CRLF after the chunk
      }
      readLine(in); // the CRLF after the last chunk
    } else {
      String length = head.headers().get("content-length");
      long expected = length == null ? Long.MAX_VALUE : Long.parseLong(length);
      for (int n; total < expected && (n = in.read(buf)) > 0; ) {
        sink.accept(buf, 0, n);
        total += n;
        if (total >= limit) {
          return total;
        }
      }
    }
    return total;
  }

  /**
   * Writes {@code size} pseudo-random bytes to {@code out} on a thread of its own ("body-writer"),
   * cheap to make: a random 1 MiB block read at a moving offset, each 64 KiB chunk stamped with its
   * index so that a reordered or repeated chunk changes the digest. {@code digest} takes every byte
   * written, {@code written} counts them. With {@code failuresExpected} a write failing (the
   * connection closed under the writer) ends the writing quietly; otherwise it fails the future.
   */
  static CompletableFuture<Void> writeAsync(
      OutputStream out,
      MessageDigest digest,
      long size,
      AtomicLong written,
      boolean failuresExpected) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            writeBody(out, digest, size, written);
          } catch (IOException e) {
            if (!failuresExpected) {
              throw new IllegalStateException("writing the body failed", e);
            }
          }
        },
        runnable -> Thread.ofPlatform().name("body-writer").start(runnable));
  }

  private static void writeBody(
      OutputStream out, MessageDigest digest, long size, AtomicLong written) throws IOException {
    byte[] block = new byte[1024 * 1024];
    new Random(42).nextBytes(block);
    byte[] chunk = new byte[CHUNK];
    for (long index = 0; index * CHUNK < size; index++) {
      int offset = (int) ((index * CHUNK) % block.length);
      System.arraycopy(block, offset, chunk, 0, CHUNK);
      ByteBuffer.wrap(chunk).putLong(index);
      int n = (int) Math.min(CHUNK, size - index * CHUNK);
      digest.update(chunk, 0, n);
      out.write(chunk, 0, n);
      written.addAndGet(n);
    }
    out.flush();
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long chunkSize(InputStream in) throws IOException {
    return Long.parseLong(readLine(in).split(";")[0].trim(), 16);
  }

  /** A line without its CR LF (ISO-8859-1). */
  static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }
}
