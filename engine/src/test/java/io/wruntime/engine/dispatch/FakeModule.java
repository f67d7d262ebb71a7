package io.wruntime.engine.dispatch;

import io.wruntime.engine.http.BodySink;
import io.wruntime.engine.http.BodySource;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.IncomingRequest;
import io.wruntime.engine.http.ResponseSink;
import io.wruntime.engine.module.GuestException;
import io.wruntime.engine.module.GuestModule;
import io.wruntime.engine.module.ModuleDefinition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A module written in Java for tests: what {@link Behavior} does, on the request's thread. */
public final class FakeModule implements GuestModule {
  /** The module's handler; exceptions other than GuestException become traps. */
  @FunctionalInterface
  public interface Behavior {
    void handle(IncomingRequest request, ResponseSink response) throws Exception;
  }

  private final ModuleDefinition definition;
  private final Behavior behavior;

  public FakeModule(String namespace, String name, String version, Behavior behavior) {
    this.definition =
        new ModuleDefinition(
            namespace,
            name,
            version,
            Path.of("fake.wasm"),
            Map.of(),
            10L << 20,
            ModuleDefinition.ExecutionMode.INTERPRETED);
    this.behavior = behavior;
  }

  @Override
  public ModuleDefinition definition() {
    return definition;
  }

  @Override
  public void handle(IncomingRequest request, ResponseSink response) throws GuestException {
    try {
      behavior.handle(request, response);
    } catch (GuestException e) {
      throw e;
    } catch (InterruptedException e) {
      throw new GuestException(GuestException.Kind.INTERRUPTED, "interrupted", e);
    } catch (Exception e) {
      throw new GuestException(GuestException.Kind.TRAP, e.toString(), e);
    }
  }

  // ---- behaviors

  /** Answers {@code status} with a text body. */
  public static Behavior respond(int status, String body) {
    return (request, response) -> {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      BodySink sink =
          response.start(
              status,
              List.of(
                  Field.of("content-type", "text/plain"),
                  Field.of("content-length", Integer.toString(bytes.length))));
      sink.write(bytes, 0, bytes.length);
      sink.finish(List.of());
    };
  }

  /** Streams the request body back (chunked), keeping within the response's capacity. */
  public static Behavior echo() {
    return (request, response) -> {
      BodySink sink =
          response.start(200, List.of(Field.of("content-type", "application/octet-stream")));
      copy(request.body(), sink, 64 * 1024, Duration.ZERO);
      sink.finish(request.body().trailers());
    };
  }

  /** Reads the body {@code chunk} bytes at a time with a pause between reads, then answers. */
  public static Behavior slowReader(int chunk, Duration pause, long[] total) {
    return (request, response) -> {
      long n = 0;
      while (true) {
        request.body().awaitReadable();
        byte[] data = request.body().read(chunk);
        if (data == null) {
          break;
        }
        n += data.length;
        total[0] = n;
        Thread.sleep(pause);
      }
      respond(200, Long.toString(n)).handle(request, response);
    };
  }

  /** Sleeps until interrupted. */
  public static Behavior sleeper() {
    return (request, response) -> Thread.sleep(Long.MAX_VALUE);
  }

  /** Throws a {@link GuestException} of {@code kind}. */
  public static Behavior failing(GuestException.Kind kind, String message) {
    return (request, response) -> {
      throw new GuestException(kind, message);
    };
  }

  /** Copies {@code in} to {@code out}, waiting for data and for capacity. */
  public static long copy(BodySource in, BodySink out, int chunk, Duration pause)
      throws IOException, InterruptedException {
    long n = 0;
    while (true) {
      in.awaitReadable();
      byte[] data = in.read(chunk);
      if (data == null) {
        return n;
      }
      int off = 0;
      while (off < data.length) {
        long capacity = out.capacity();
        if (capacity == 0) {
          out.awaitWritable();
          continue;
        }
        int len = (int) Math.min(capacity, data.length - off);
        out.write(data, off, len);
        off += len;
      }
      n += data.length;
      if (!pause.isZero()) {
        Thread.sleep(pause);
      }
    }
  }
}
