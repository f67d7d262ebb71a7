package io.wruntime.engine.host.http;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ValType;
import io.wruntime.engine.host.WasiHost;
import io.wruntime.engine.host.abi.AbiViolation;
import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.host.cli.GuestExit;
import io.wruntime.engine.http.BodySink;
import io.wruntime.engine.http.EngineError;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.HttpErrorCode;
import io.wruntime.engine.http.IncomingRequest;
import io.wruntime.engine.http.OutboundClient;
import io.wruntime.engine.http.OutboundException;
import io.wruntime.engine.http.Pipe;
import io.wruntime.engine.http.ResponseSink;
import io.wruntime.engine.module.ModuleDefinition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.slf4j.LoggerFactory;

/**
 * Every host function of the engine (wasi:io, clocks, random, cli, filesystem, sockets, http)
 * called with fuzzed flat arguments (handles, pointers, lengths, discriminants) on a real Chicory
 * instance of {@code memory.wat} serving a real request: a call either returns, or stops the
 * instance cleanly with {@link AbiViolation} (or the guest's own {@code exit}); no other exception
 * escapes a host function, and releasing whatever the calls left open never fails. The functions
 * whose job is to wait ({@code pollable.block}, {@code poll}) are left out: a guest may
 * legitimately wait until its deadline there.
 */
class HostAbiFuzzTest {
  private static final Set<String> WAITING = Set.of("[method]pollable.block", "poll");
  private static final List<HostFunctionDef> FUNCTIONS =
      WasiHost.functions().stream().filter(d -> !WAITING.contains(d.name())).toList();
  private static final OutboundClient REFUSED =
      request ->
          CompletableFuture.failedFuture(
              new OutboundException(HttpErrorCode.CONNECTION_REFUSED, "no outbound in fuzzing"));
  private static final ModuleDefinition MODULE =
      new ModuleDefinition(
          "test",
          "fuzz",
          "1.0.0",
          Path.of("memory.wasm"),
          Map.of("GREETING", "hello"),
          64L << 20,
          ModuleDefinition.ExecutionMode.INTERPRETED);

  private static WasmModule memoryModule;

  @BeforeAll
  static void parseModule() throws IOException {
    memoryModule = Parser.parse(Files.readAllBytes(TestGuests.wasm("memory")));
  }

  @FuzzTest
  void call(FuzzedDataProvider data) throws IOException {
    InstanceContext ctx =
        new InstanceContext(MODULE, REFUSED, LoggerFactory.getLogger("guest.fuzz"));
    Instance instance = Instance.builder(memoryModule).build();
    ctx.bindMemory(new GuestMemory(instance));
    Pipe body = new Pipe();
    body.sink().write("hello".getBytes(StandardCharsets.UTF_8), 0, 5);
    body.sink().finish(List.of(Field.of("x-trailer", "t")));
    ctx.bindRequest(
        new IncomingRequest(
            "POST",
            "http",
            "example.echo",
            "/echo.EchoService/Echo?x=1",
            List.of(Field.of("content-type", "application/protobuf"), Field.of("x-a", "b")),
            body.source()),
        new DiscardingResponse());
    WasiHttp.bindIncoming(ctx);
    try {
      while (data.remainingBytes() > 0) {
        HostFunctionDef def = FUNCTIONS.get(data.consumeInt(0, FUNCTIONS.size() - 1));
        long[] args = new long[def.params().size()];
        for (int i = 0; i < args.length; i++) {
          args[i] = def.params().get(i).equals(ValType.I64) ? data.consumeLong() : i32(data);
        }
        try {
          def.impl().call(ctx, args);
        } catch (AbiViolation | GuestExit e) {
          return; // the instance stops here, as LoadedModule stops it
        }
      }
    } finally {
      for (Object resource : ctx.resources().all().reversed()) {
        if (resource instanceof WitResource r) {
          r.close();
        }
      }
    }
  }

  /** An i32 argument: mostly a plausible handle or pointer, sometimes anything. */
  private static long i32(FuzzedDataProvider data) {
    return switch (data.consumeInt(0, 3)) {
      case 0 -> data.consumeInt(0, 16);
      case 1 -> data.consumeInt(0, 4096) & ~3;
      case 2 -> data.consumeInt(0, 70_000);
      default -> data.consumeInt();
    };
  }

  /** Takes any response and throws its body away, so that writes never wait on a reader. */
  private static final class DiscardingResponse implements ResponseSink, BodySink {
    private boolean started;

    @Override
    public BodySink start(int status, List<Field> headers) {
      started = true;
      return this;
    }

    @Override
    public void fail(EngineError error) {}

    @Override
    public boolean isStarted() {
      return started;
    }

    @Override
    public long capacity() {
      return 1 << 20;
    }

    @Override
    public void write(byte[] data, int offset, int length) {}

    @Override
    public void awaitWritable() {}

    @Override
    public boolean isWritable() {
      return true;
    }

    @Override
    public void finish(List<Field> trailers) {}

    @Override
    public void abort(String reason) {}

    @Override
    public void addListener(Runnable listener) {}
  }
}
