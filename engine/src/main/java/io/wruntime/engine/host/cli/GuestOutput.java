package io.wruntime.engine.host.cli;

import static java.util.Objects.requireNonNull;

import io.wruntime.engine.http.BodySink;
import io.wruntime.engine.http.Field;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;

/**
 * One instance's stdout and stderr, whether written through WASI preview 1 ({@code fd_write}) or
 * {@code wasi:cli/stdout}: split into lines, each logged as one event tagged with the module and
 * the request's trace id. A per-instance byte limit keeps a chatty guest from flooding the log;
 * what goes beyond it is dropped, once noted.
 *
 * <p>Not thread-safe: one instance, one thread.
 */
public final class GuestOutput {
  /** Bytes of output one instance may log. */
  public static final long DEFAULT_LIMIT = 1024 * 1024;

  /** A line longer than this is logged in pieces. */
  public static final int MAX_LINE = 16 * 1024;

  /** What {@code check-write} permits on the stdout/stderr streams: output never blocks. */
  private static final long CAPACITY = 64 * 1024;

  private final Logger log;
  private final String module;
  private final String traceId;
  private final long limit;
  private final Stream stdout = new Stream("stdout");
  private final Stream stderr = new Stream("stderr");
  private long total;
  private boolean limitNoted;

  /**
   * @param module the module label, e.g. {@code example.echo@1.0.0}
   * @param traceId the request's trace id, or {@code "-"}
   */
  public GuestOutput(Logger log, String module, String traceId, long limit) {
    this.log = requireNonNull(log, "log");
    this.module = requireNonNull(module, "module");
    this.traceId = requireNonNull(traceId, "traceId");
    this.limit = limit;
  }

  public OutputStream stdout() {
    return stdout;
  }

  public OutputStream stderr() {
    return stderr;
  }

  /** The stdout as a sink for a {@code wasi:cli/stdout} output-stream. */
  public BodySink stdoutSink() {
    return stdout.sink;
  }

  public BodySink stderrSink() {
    return stderr.sink;
  }

  /** Logs what is left of unterminated lines (the instance ended). */
  public void flush() {
    stdout.flushLine();
    stderr.flushLine();
  }

  private final class Stream extends OutputStream {
    private final String name;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final BodySink sink = new LogSink(this);

    Stream(String name) {
      this.name = name;
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] data, int offset, int length) {
      int n = (int) Math.min(length, Math.max(0, limit - total));
      total += n;
      for (int i = offset; i < offset + n; i++) {
        byte b = data[i];
        if (b == '\n') {
          flushLine();
        } else {
          line.write(b);
          if (line.size() >= MAX_LINE) {
            flushLine();
          }
        }
      }
      if (n < length && !limitNoted) {
        limitNoted = true;
        flushLine();
        log.warn(
            "[{} trace={}] output limit of {} bytes reached; further output dropped",
            module,
            traceId,
            limit);
      }
    }

    @Override
    public void flush() {}

    void flushLine() {
      if (line.size() == 0) {
        return;
      }
      byte[] bytes = line.toByteArray();
      int end = bytes.length;
      if (bytes[end - 1] == '\r') {
        end--;
      }
      line.reset();
      log.info(
          "[{} trace={}] {}: {}",
          module,
          traceId,
          name,
          new String(bytes, 0, end, StandardCharsets.UTF_8));
    }
  }

  /** Output never pushes back: a log line is written at once. */
  private static final class LogSink implements BodySink {
    private final Stream stream;

    LogSink(Stream stream) {
      this.stream = stream;
    }

    @Override
    public long capacity() {
      return CAPACITY;
    }

    @Override
    public void write(byte[] data, int offset, int length) {
      stream.write(data, offset, length);
    }

    @Override
    public void awaitWritable() {}

    @Override
    public boolean isWritable() {
      return true;
    }

    @Override
    public void finish(List<Field> trailers) {
      stream.flushLine();
    }

    @Override
    public void abort(String reason) {
      stream.flushLine();
    }

    @Override
    public void addListener(Runnable listener) {}
  }
}
