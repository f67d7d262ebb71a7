package io.wruntime.engine.host.io;

import static com.dylibso.chicory.wasm.types.ValType.I32;
import static com.dylibso.chicory.wasm.types.ValType.I64;

import io.wruntime.engine.host.abi.Blocking;
import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.InstanceContext;
import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;

/**
 * The host side of {@code wasi:io/streams} 0.2.x over {@link io.wruntime.engine.http.BodySource}
 * and {@link io.wruntime.engine.http.BodySink}.
 *
 * <p>Return areas (Canonical ABI, wasm32):
 *
 * <ul>
 *   <li>{@code result<list<u8>, stream-error>}: 12 bytes, align 4: [0] u8 0=ok/1=err; ok: [4] ptr,
 *       [8] len; err: [4] u8 0=last-operation-failed/1=closed, [8] error handle.
 *   <li>{@code result<u64, stream-error>}: 16 bytes, align 8: [0] u8; ok: [8] u64; err: [8] u8,
 *       [12] error handle.
 *   <li>{@code result<_, stream-error>}: 12 bytes, align 4: [0] u8; err: [4] u8, [8] error handle.
 * </ul>
 */
public final class WasiIoStreams {
  public static final String IFACE = "wasi:io/streams";
  static final String INPUT = "wasi:io/streams.input-stream";
  static final String OUTPUT = "wasi:io/streams.output-stream";

  /** The most one read, skip or splice moves, whatever the guest asked for. */
  public static final int MAX_READ = 64 * 1024;

  /** The most {@code check-write} permits at once. */
  public static final long MAX_PERMIT = 1024 * 1024;

  /** What the {@code blocking-*-and-flush} functions accept per call (the WASI contract). */
  public static final int MAX_BLOCKING_WRITE = 4096;

  private WasiIoStreams() {}

  /** Every function of {@code wasi:io/streams}, input-stream and output-stream. */
  public static List<HostFunctionDef> functions() {
    return List.of(
        // input-stream: (self, len: u64, ret: *result<list<u8>, stream-error>) -> ()
        fn("[method]input-stream.read", List.of(I32, I64, I32), (c, a) -> read(c, a, false)),
        fn(
            "[method]input-stream.blocking-read",
            List.of(I32, I64, I32),
            (c, a) -> read(c, a, true)),
        // (self, len: u64, ret: *result<u64, stream-error>) -> ()
        fn("[method]input-stream.skip", List.of(I32, I64, I32), (c, a) -> skip(c, a, false)),
        fn(
            "[method]input-stream.blocking-skip",
            List.of(I32, I64, I32),
            (c, a) -> skip(c, a, true)),
        // (self) -> pollable
        new HostFunctionDef(
            IFACE,
            "[method]input-stream.subscribe",
            List.of(I32),
            List.of(I32),
            (c, a) -> {
              InputStreamResource in = input(c, a[0]);
              PollableResource p = new PollableResource(in::isReady);
              return new long[] {c.resources().add(p)};
            }),
        fn(
            "[resource-drop]input-stream",
            List.of(I32),
            (c, a) -> c.resources().remove(a[0], InputStreamResource.class, INPUT).close()),
        // output-stream: (self, ret: *result<u64, stream-error>) -> ()
        fn("[method]output-stream.check-write", List.of(I32, I32), WasiIoStreams::checkWrite),
        // (self, contents.ptr, contents.len, ret: *result<_, stream-error>) -> ()
        fn("[method]output-stream.write", List.of(I32, I32, I32, I32), WasiIoStreams::write),
        fn(
            "[method]output-stream.blocking-write-and-flush",
            List.of(I32, I32, I32, I32),
            WasiIoStreams::blockingWriteAndFlush),
        // (self, ret: *result<_, stream-error>) -> ()
        fn("[method]output-stream.flush", List.of(I32, I32), WasiIoStreams::flush),
        fn("[method]output-stream.blocking-flush", List.of(I32, I32), WasiIoStreams::flush),
        // (self, len: u64, ret: *result<_, stream-error>) -> ()
        fn(
            "[method]output-stream.write-zeroes",
            List.of(I32, I64, I32),
            WasiIoStreams::writeZeroes),
        fn(
            "[method]output-stream.blocking-write-zeroes-and-flush",
            List.of(I32, I64, I32),
            WasiIoStreams::blockingWriteZeroesAndFlush),
        // (self, src: borrow<input-stream>, len: u64, ret: *result<u64, stream-error>) -> ()
        fn(
            "[method]output-stream.splice",
            List.of(I32, I32, I64, I32),
            (c, a) -> splice(c, a, false)),
        fn(
            "[method]output-stream.blocking-splice",
            List.of(I32, I32, I64, I32),
            (c, a) -> splice(c, a, true)),
        new HostFunctionDef(
            IFACE,
            "[method]output-stream.subscribe",
            List.of(I32),
            List.of(I32),
            (c, a) -> {
              OutputStreamResource out = output(c, a[0]);
              PollableResource p = new PollableResource(out::isReady);
              return new long[] {c.resources().add(p)};
            }),
        fn(
            "[resource-drop]output-stream",
            List.of(I32),
            (c, a) -> c.resources().remove(a[0], OutputStreamResource.class, OUTPUT).close()));
  }

  private interface VoidImpl {
    void call(InstanceContext ctx, long[] args);
  }

  private static HostFunctionDef fn(
      String name, List<com.dylibso.chicory.wasm.types.ValType> params, VoidImpl impl) {
    return new HostFunctionDef(
        IFACE,
        name,
        params,
        List.of(),
        (ctx, a) -> {
          impl.call(ctx, a);
          return null;
        });
  }

  private static InputStreamResource input(InstanceContext ctx, long handle) {
    InputStreamResource in = ctx.resources().get(handle, InputStreamResource.class, INPUT);
    in.watch(ctx.readiness());
    return in;
  }

  private static OutputStreamResource output(InstanceContext ctx, long handle) {
    OutputStreamResource out = ctx.resources().get(handle, OutputStreamResource.class, OUTPUT);
    out.watch(ctx.readiness());
    return out;
  }

  /** A guest length (u64) as a bounded int. */
  private static int bounded(long len, int max) {
    return len < 0 || len > max ? max : (int) len;
  }

  // ---- input-stream

  private static void read(InstanceContext ctx, long[] a, boolean blocking) {
    InputStreamResource in = input(ctx, a[0]);
    GuestMemory memory = ctx.memory();
    long ret = a[2];
    memory.checkAligned("return area", ret, 4, 12);
    byte[] data = readOrFail(ctx, in, a[1], blocking, ret, WasiIoStreams::listError);
    if (data == null) {
      return;
    }
    int ptr = memory.allocateBytes(data);
    memory.writeU8("return area", ret, 0);
    memory.writeI32("return area", ret + 4, ptr);
    memory.writeI32("return area", ret + 8, data.length);
  }

  private static void skip(InstanceContext ctx, long[] a, boolean blocking) {
    InputStreamResource in = input(ctx, a[0]);
    GuestMemory memory = ctx.memory();
    long ret = a[2];
    memory.checkAligned("return area", ret, 8, 16);
    byte[] data = readOrFail(ctx, in, a[1], blocking, ret, WasiIoStreams::u64Error);
    if (data == null) {
      return;
    }
    u64Ok(memory, ret, data.length);
  }

  private interface ErrorWriter {
    void write(GuestMemory memory, long ret, int errorHandle);
  }

  /**
   * read and skip: up to {@code len} bytes, or null once the stream error is written to {@code ret}
   * with {@code error}.
   */
  private static byte[] readOrFail(
      InstanceContext ctx,
      InputStreamResource in,
      long len,
      boolean blocking,
      long ret,
      ErrorWriter error) {
    GuestMemory memory = ctx.memory();
    if (in.isClosed()) {
      error.write(memory, ret, -1);
      return null;
    }
    int max = bounded(len, MAX_READ);
    byte[] data;
    try {
      data = readSome(in, max, blocking);
    } catch (IOException e) {
      in.markClosed();
      error.write(memory, ret, failed(ctx, in.description(), e));
      return null;
    } catch (InterruptedException e) {
      throw Blocking.interrupted(e);
    }
    if (data == null) {
      in.markClosed();
      error.write(memory, ret, -1);
    }
    return data;
  }

  /** Up to {@code max} bytes; when {@code blocking}, waits until at least one byte or the end. */
  private static byte[] readSome(InputStreamResource in, int max, boolean blocking)
      throws IOException, InterruptedException {
    byte[] data = in.source().read(max);
    while (blocking && data != null && data.length == 0 && max > 0) {
      in.source().awaitReadable();
      data = in.source().read(max);
    }
    return data;
  }

  /**
   * The handle of a new error resource for a failed operation on the stream {@code description}.
   */
  private static int failed(InstanceContext ctx, String description, IOException e) {
    return ctx.resources().add(ErrorResource.of(description, e));
  }

  // ---- output-stream

  private static void checkWrite(InstanceContext ctx, long[] a) {
    OutputStreamResource out = output(ctx, a[0]);
    GuestMemory memory = ctx.memory();
    long ret = a[1];
    memory.checkAligned("return area", ret, 8, 16);
    if (out.isClosed()) {
      u64Error(memory, ret, -1);
      return;
    }
    try {
      u64Ok(memory, ret, out.grant(Math.min(out.sink().capacity(), MAX_PERMIT)));
    } catch (IOException e) {
      out.markClosed();
      u64Error(memory, ret, failed(ctx, out.description(), e));
    }
  }

  private static void write(InstanceContext ctx, long[] a) {
    OutputStreamResource out = output(ctx, a[0]);
    GuestMemory memory = ctx.memory();
    long ret = a[3];
    memory.checkAligned("return area", ret, 4, 12);
    byte[] data = memory.readBytes("contents", a[1], a[2]);
    permittedWrite(ctx, out, ret, "write", data.length, () -> data);
  }

  private static void blockingWriteAndFlush(InstanceContext ctx, long[] a) {
    OutputStreamResource out = output(ctx, a[0]);
    GuestMemory memory = ctx.memory();
    long ret = a[3];
    memory.checkAligned("return area", ret, 4, 12);
    byte[] data = memory.readBytes("contents", a[1], a[2]);
    blockingWrite(ctx, out, ret, data);
  }

  private static void writeZeroes(InstanceContext ctx, long[] a) {
    OutputStreamResource out = output(ctx, a[0]);
    GuestMemory memory = ctx.memory();
    long ret = a[2];
    memory.checkAligned("return area", ret, 4, 12);
    permittedWrite(ctx, out, ret, "write-zeroes", a[1], () -> new byte[(int) a[1]]);
  }

  /**
   * write and write-zeroes: {@code length} (a guest u64) bytes, made by {@code bytes} only once
   * they are within what check-write permitted.
   */
  private static void permittedWrite(
      InstanceContext ctx,
      OutputStreamResource out,
      long ret,
      String function,
      long length,
      Supplier<byte[]> bytes) {
    GuestMemory memory = ctx.memory();
    if (out.isClosed()) {
      unitError(memory, ret, -1);
      return;
    }
    try {
      long permitted = out.permit();
      if (length < 0 || length > permitted) {
        out.markClosed();
        unitError(
            memory,
            ret,
            ctx.resources()
                .add(
                    new ErrorResource(
                        out.description()
                            + ": "
                            + function
                            + " of "
                            + Long.toUnsignedString(length)
                            + " bytes exceeds the "
                            + permitted
                            + " bytes check-write permits (expected: at most what check-write"
                            + " returned)",
                        null)));
        return;
      }
      byte[] data = bytes.get();
      out.consume(data.length);
      out.sink().write(data, 0, data.length);
      unitOk(memory, ret);
    } catch (IOException e) {
      out.markClosed();
      unitError(memory, ret, failed(ctx, out.description(), e));
    }
  }

  private static void blockingWriteZeroesAndFlush(InstanceContext ctx, long[] a) {
    OutputStreamResource out = output(ctx, a[0]);
    GuestMemory memory = ctx.memory();
    long ret = a[2];
    memory.checkAligned("return area", ret, 4, 12);
    if (a[1] < 0 || a[1] > MAX_BLOCKING_WRITE) {
      failTooLarge(ctx, out, ret, "blocking-write-zeroes-and-flush", Long.toUnsignedString(a[1]));
      return;
    }
    blockingWrite(ctx, out, ret, new byte[(int) a[1]]);
  }

  /** Writes all of {@code data} (at most 4096 bytes), waiting for capacity as needed. */
  private static void blockingWrite(
      InstanceContext ctx, OutputStreamResource out, long ret, byte[] data) {
    GuestMemory memory = ctx.memory();
    if (data.length > MAX_BLOCKING_WRITE) {
      failTooLarge(ctx, out, ret, "blocking-write-and-flush", Integer.toString(data.length));
      return;
    }
    if (out.isClosed()) {
      unitError(memory, ret, -1);
      return;
    }
    try {
      int written = 0;
      while (written < data.length) {
        long capacity = out.sink().capacity();
        if (capacity <= 0) {
          out.sink().awaitWritable();
          continue;
        }
        int n = (int) Math.min(capacity, data.length - written);
        out.sink().write(data, written, n);
        written += n;
      }
      out.sink().capacity(); // a flush: surfaces a consumer that failed meanwhile
      unitOk(memory, ret);
    } catch (IOException e) {
      out.markClosed();
      unitError(memory, ret, failed(ctx, out.description(), e));
    } catch (InterruptedException e) {
      throw Blocking.interrupted(e);
    }
  }

  private static void failTooLarge(
      InstanceContext ctx, OutputStreamResource out, long ret, String function, String length) {
    out.markClosed();
    unitError(
        ctx.memory(),
        ret,
        ctx.resources()
            .add(
                new ErrorResource(
                    out.description()
                        + ": "
                        + function
                        + " of "
                        + length
                        + " bytes (expected: at most "
                        + MAX_BLOCKING_WRITE
                        + " per call)",
                    null)));
  }

  /**
   * {@code flush} and {@code blocking-flush}: sinks hand written bytes on at once, so there is
   * nothing to wait for; a sink that failed reports it here.
   */
  private static void flush(InstanceContext ctx, long[] a) {
    OutputStreamResource out = output(ctx, a[0]);
    GuestMemory memory = ctx.memory();
    long ret = a[1];
    memory.checkAligned("return area", ret, 4, 12);
    if (out.isClosed()) {
      unitError(memory, ret, -1);
      return;
    }
    try {
      out.sink().capacity();
      unitOk(memory, ret);
    } catch (IOException e) {
      out.markClosed();
      unitError(memory, ret, failed(ctx, out.description(), e));
    }
  }

  private static void splice(InstanceContext ctx, long[] a, boolean blocking) {
    OutputStreamResource out = output(ctx, a[0]);
    InputStreamResource in = input(ctx, a[1]);
    GuestMemory memory = ctx.memory();
    long ret = a[3];
    memory.checkAligned("return area", ret, 8, 16);
    if (out.isClosed() || in.isClosed()) {
      u64Error(memory, ret, -1);
      return;
    }
    int max = bounded(a[2], MAX_READ);
    try {
      long capacity = out.sink().capacity();
      while (blocking && max > 0 && capacity <= 0) {
        out.sink().awaitWritable();
        capacity = out.sink().capacity();
      }
      int n = (int) Math.min(max, capacity);
      byte[] data;
      try {
        data = readSome(in, n, blocking);
      } catch (IOException e) {
        in.markClosed();
        u64Error(memory, ret, failed(ctx, in.description(), e));
        return;
      }
      if (data == null) {
        in.markClosed();
        u64Error(memory, ret, -1);
        return;
      }
      out.sink().write(data, 0, data.length);
      u64Ok(memory, ret, data.length);
    } catch (IOException e) {
      out.markClosed();
      u64Error(memory, ret, failed(ctx, out.description(), e));
    } catch (InterruptedException e) {
      throw Blocking.interrupted(e);
    }
  }

  // ---- return areas; errorHandle -1 means `closed`, else `last-operation-failed(errorHandle)`

  private static void listError(GuestMemory memory, long ret, int errorHandle) {
    memory.writeU8("return area", ret, 1);
    streamError(memory, ret + 4, errorHandle);
  }

  private static void unitOk(GuestMemory memory, long ret) {
    memory.writeU8("return area", ret, 0);
  }

  private static void unitError(GuestMemory memory, long ret, int errorHandle) {
    memory.writeU8("return area", ret, 1);
    streamError(memory, ret + 4, errorHandle);
  }

  private static void u64Ok(GuestMemory memory, long ret, long value) {
    memory.writeU8("return area", ret, 0);
    memory.writeI64("return area", ret + 8, value);
  }

  private static void u64Error(GuestMemory memory, long ret, int errorHandle) {
    memory.writeU8("return area", ret, 1);
    streamError(memory, ret + 8, errorHandle);
  }

  /** stream-error at {@code at}: [0] u8 case, [4] error handle for last-operation-failed. */
  private static void streamError(GuestMemory memory, long at, int errorHandle) {
    if (errorHandle < 0) {
      memory.writeU8("return area", at, 1);
    } else {
      memory.writeU8("return area", at, 0);
      memory.writeI32("return area", at + 4, errorHandle);
    }
  }
}
