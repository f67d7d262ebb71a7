package io.wruntime.engine.host.http;

import static io.wruntime.engine.host.http.HttpAbi.u32;

import com.dylibso.chicory.wasm.types.ValType;
import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.host.abi.Readiness;
import io.wruntime.engine.host.io.ErrorResource;
import io.wruntime.engine.host.io.InputStreamResource;
import io.wruntime.engine.host.io.OutputStreamResource;
import io.wruntime.engine.host.io.PollableResource;
import io.wruntime.engine.http.BodySink;
import io.wruntime.engine.http.BodySource;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The few {@code wasi:io} 0.2 functions the test guests call (blocking read, blocking write, poll
 * block, drops), over the same resource holders the real wasi:io host uses; just enough to run the
 * wasi:http guests end to end in this package's tests.
 */
final class TestIo {
  private static final long[] NONE = new long[0];
  private static final long BLOCK_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(20);

  private TestIo() {}

  static List<HostFunctionDef> functions() {
    return List.of(
        def("wasi:io/streams", "[method]input-stream.blocking-read", "iIi", "", TestIo::read),
        def(
            "wasi:io/streams",
            "[method]output-stream.blocking-write-and-flush",
            "iiii",
            "",
            TestIo::write),
        drop("wasi:io/streams", "input-stream", InputStreamResource.class),
        drop("wasi:io/streams", "output-stream", OutputStreamResource.class),
        def("wasi:io/poll", "[method]pollable.block", "i", "", TestIo::block),
        drop("wasi:io/poll", "pollable", PollableResource.class),
        drop("wasi:io/error", "error", ErrorResource.class));
  }

  /**
   * result&lt;list&lt;u8&gt;, stream-error&gt;: tag @0; (ptr, len) @4, or error tag @4, handle @8.
   */
  private static long[] read(InstanceContext ctx, long[] a) {
    InputStreamResource in =
        ctx.resources().get(a[0], InputStreamResource.class, "wasi:io/streams.input-stream");
    GuestMemory m = ctx.memory();
    long ret = u32(a[2]);
    BodySource source = in.source();
    try {
      byte[] data = new byte[0];
      while (data != null && data.length == 0) {
        source.awaitReadable();
        data = source.read((int) Math.min(a[1], 65536));
      }
      if (data == null) {
        m.writeU8("result", ret, 1);
        m.writeU8("stream-error", ret + 4, 1);
      } else {
        m.writeU8("result", ret, 0);
        m.writeList("list<u8>", ret + 4, data);
      }
    } catch (IOException e) {
      m.writeU8("result", ret, 1);
      m.writeU8("stream-error", ret + 4, 0);
      m.writeI32("error", ret + 8, ctx.resources().add(new ErrorResource(e.getMessage(), null)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return NONE;
  }

  /** result&lt;_, stream-error&gt;: tag @0; error tag @4, handle @8. */
  private static long[] write(InstanceContext ctx, long[] a) {
    OutputStreamResource out =
        ctx.resources().get(a[0], OutputStreamResource.class, "wasi:io/streams.output-stream");
    GuestMemory m = ctx.memory();
    byte[] data = m.readBytes("write contents", u32(a[1]), a[2]);
    long ret = u32(a[3]);
    BodySink sink = out.sink();
    try {
      int offset = 0;
      while (offset < data.length) {
        sink.awaitWritable();
        int n = (int) Math.min(sink.capacity(), data.length - offset);
        sink.write(data, offset, n);
        offset += n;
      }
      m.writeU8("result", ret, 0);
    } catch (IOException e) {
      m.writeU8("result", ret, 1);
      m.writeU8("stream-error", ret + 4, 0);
      m.writeI32("error", ret + 8, ctx.resources().add(new ErrorResource(e.getMessage(), null)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return NONE;
  }

  private static long[] block(InstanceContext ctx, long[] a) {
    PollableResource p = ctx.resources().get(a[0], PollableResource.class, "wasi:io/poll.pollable");
    awaitUntil(ctx, p::isReady, System.nanoTime() + BLOCK_LIMIT_NANOS);
    return NONE;
  }

  private static void awaitUntil(
      InstanceContext ctx, java.util.function.BooleanSupplier ready, long deadline) {
    Readiness readiness = ctx.readiness();
    try {
      while (true) {
        long generation = readiness.generation();
        if (ready.getAsBoolean()) {
          return;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException("test guest blocked for too long");
        }
        readiness.awaitChange(generation, left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static HostFunctionDef drop(String iface, String resource, Class<?> type) {
    return def(
        iface,
        "[resource-drop]" + resource,
        "i",
        "",
        (ctx, a) -> {
          ctx.resources().remove(a[0], type, iface + "." + resource);
          return NONE;
        });
  }

  private static HostFunctionDef def(
      String iface, String name, String params, String results, HostFunctionDef.Impl impl) {
    return new HostFunctionDef(iface, name, types(params), types(results), impl);
  }

  private static List<ValType> types(String flat) {
    return flat.chars().mapToObj(c -> c == 'I' ? ValType.I64 : ValType.I32).toList();
  }
}
