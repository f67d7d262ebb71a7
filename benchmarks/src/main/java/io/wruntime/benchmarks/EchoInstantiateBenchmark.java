package io.wruntime.benchmarks;

import io.wruntime.engine.host.WasiHttpModuleLoader;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.HttpErrorCode;
import io.wruntime.engine.http.IncomingRequest;
import io.wruntime.engine.http.OutboundException;
import io.wruntime.engine.http.Pipe;
import io.wruntime.engine.module.GuestModule;
import io.wruntime.engine.module.ModuleDefinition;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Instantiate + handle time per request of the echo module, with Chicory's runtime compiler and
 * with its interpreter: each request gets a fresh instance, as in the engine. Prints a figure per
 * mode and their ratio (interpreter / compiled); not a pass/fail check.
 *
 * <p>Run: {@code bin/wr-benchmark echo-instantiate [iterations]}.
 */
public final class EchoInstantiateBenchmark {
  private static final byte[] BODY = "\n\u0005hello".getBytes(StandardCharsets.UTF_8);

  private EchoInstantiateBenchmark() {}

  public static void main(String[] args) throws Exception {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    Path wasm = Path.of(System.getProperty("wr.root", ".")).resolve("examples/echo/echo.wasm");
    WasiHttpModuleLoader loader =
        new WasiHttpModuleLoader(
            request ->
                CompletableFuture.failedFuture(
                    new OutboundException(
                        HttpErrorCode.DESTINATION_NOT_FOUND, "benchmark: no outbound calls")));

    System.out.printf("echo module: %s, %d requests per mode after warm-up%n", wasm, iterations);
    Result compiled = measure(loader, wasm, ExecutionMode.COMPILED, iterations);
    Result interpreted = measure(loader, wasm, ExecutionMode.INTERPRETED, iterations);
    System.out.println(compiled);
    System.out.println(interpreted);
    System.out.printf(
        "ratio interpreter/compiled: mean %.2fx, p50 %.2fx%n",
        interpreted.meanMicros / compiled.meanMicros, interpreted.p50Micros / compiled.p50Micros);
  }

  private static Result measure(
      WasiHttpModuleLoader loader, Path wasm, ExecutionMode mode, int iterations) throws Exception {
    long loadStart = System.nanoTime();
    GuestModule module =
        loader.load(
            new ModuleDefinition(
                "example", "echo", "1.0.0", wasm, Map.of(), 10L * 1024 * 1024, mode));
    double loadMillis = (System.nanoTime() - loadStart) / 1e6;
    for (int i = 0; i < Math.max(200, iterations / 5); i++) {
      handleOnce(module);
    }
    long[] samples = new long[iterations];
    for (int i = 0; i < iterations; i++) {
      long start = System.nanoTime();
      handleOnce(module);
      samples[i] = System.nanoTime() - start;
    }
    Arrays.sort(samples);
    double mean = Arrays.stream(samples).average().orElse(0) / 1e3;
    return new Result(
        mode,
        loadMillis,
        mean,
        samples[samples.length / 2] / 1e3,
        samples[(int) (samples.length * 0.99)] / 1e3);
  }

  private static void handleOnce(GuestModule module) throws Exception {
    Pipe requestBody = new Pipe();
    requestBody.write(BODY, 0, BODY.length);
    requestBody.finish(List.of());
    CollectingResponse response = new CollectingResponse();
    module.handle(
        new IncomingRequest(
            "POST",
            "http",
            "example.echo",
            "/echo.EchoService/Echo",
            List.of(Field.of("content-type", "application/protobuf")),
            requestBody),
        response);
    byte[] out = response.body.read(1 << 20);
    if (response.status != 200 || out == null || !Arrays.equals(out, BODY)) {
      throw new IllegalStateException(
          "echo answered " + response.status + " with an unexpected body");
    }
  }

  private record Result(
      ExecutionMode mode,
      double loadMillis,
      double meanMicros,
      double p50Micros,
      double p99Micros) {
    @Override
    public String toString() {
      return String.format(
          "%-11s load+compile %7.1f ms | instantiate+handle per request: mean %8.1f us, p50 %8.1f us, p99 %8.1f us",
          mode, loadMillis, meanMicros, p50Micros, p99Micros);
    }
  }
}
