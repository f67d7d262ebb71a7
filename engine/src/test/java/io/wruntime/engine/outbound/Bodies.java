package io.wruntime.engine.outbound;

import io.wruntime.engine.http.BodySource;
import io.wruntime.engine.http.Pipe;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/** Test bodies: deterministic content written into pipes, read back into digests. */
final class Bodies {
  private Bodies() {}

  static byte at(long i) {
    return (byte) ((i * 31 + (i >>> 13)) & 0xff);
  }

  static byte[] pattern(long from, int n) {
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) {
      out[i] = at(from + i);
    }
    return out;
  }

  static String sha256(long size) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    for (long pos = 0; pos < size; ) {
      int n = (int) Math.min(64 * 1024, size - pos);
      digest.update(pattern(pos, n));
      pos += n;
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** A pipe a virtual thread fills with {@code size} pattern bytes, then finishes. */
  static Pipe writing(long size) {
    Pipe pipe = new Pipe();
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                for (long pos = 0; pos < size; ) {
                  pipe.awaitWritable();
                  if (pipe.isDiscarded()) {
                    return;
                  }
                  int n = (int) Math.min(32 * 1024, size - pos);
                  pipe.write(pattern(pos, n), 0, n);
                  pos += n;
                }
                pipe.finish(List.of());
              } catch (IOException | InterruptedException e) {
                pipe.abort(e.toString());
              }
            });
    return pipe;
  }

  /** A finished pipe holding {@code data}. */
  static Pipe of(byte[] data) throws IOException {
    Pipe pipe = new Pipe(Math.max(1, data.length));
    pipe.write(data, 0, data.length);
    pipe.finish(List.of());
    return pipe;
  }

  /** Reads a body to its end: {length, sha256}. */
  static String[] drain(BodySource body) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    long n = 0;
    while (true) {
      body.awaitReadable();
      byte[] data = body.read(64 * 1024);
      if (data == null) {
        return new String[] {Long.toString(n), HexFormat.of().formatHex(digest.digest())};
      }
      digest.update(data);
      n += data.length;
    }
  }

  /** Reads a body to its end as text. */
  static String text(BodySource body) throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    while (true) {
      body.awaitReadable();
      byte[] data = body.read(64 * 1024);
      if (data == null) {
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
      }
      out.write(data);
    }
  }
}
