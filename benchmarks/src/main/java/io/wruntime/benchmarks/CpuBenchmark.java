package io.wruntime.benchmarks;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import io.wruntime.engine.config.PoolConfig;
import io.wruntime.engine.host.CompiledModule;
import io.wruntime.engine.host.snapshot.InstanceSnapshot;
import io.wruntime.engine.module.ModuleDefinition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Guest code speed: C kernels built to wasm32-wasi by the build ({@code benchmarks/cpu}), each run
 * as the engine runs a request, and the same {@code .wasm} in Node's V8, one after the other in one
 * run. The Chicory side is the engine's own configuration: the engine's {@link CompiledModule} from
 * the default module settings (execution mode, memory limit), a snapshot taken after {@code
 * _initialize} ({@link InstanceSnapshot}, which picks the request instances' memory as for any core
 * module), one instance started from it, and after every call the {@link InstanceSnapshot#reset
 * reset} that reuses it for the next request (timed with the call). Prints per kernel the
 * steady-state time of a call in each runtime (median of the timed calls) and their ratio, the
 * ratio of the fastest calls (less disturbed by other work on the machine), then the geometric
 * means of both; not a pass/fail check.
 *
 * <p>Run: {@code bin/wr-benchmark cpu [samples] [warm-up seconds] [kernel ...]}.
 */
public final class CpuBenchmark {
  /** Each kernel with the work per call: about 10-60 ms in V8 on the machine of the README. */
  private static final List<Kernel> KERNELS =
      List.of(
          new Kernel("fib", 34, "recursive fib(34)"),
          new Kernel("sha256", 4, "SHA-256 of 1 MiB, 4 times"),
          new Kernel("matmul", 4, "200x200 double matrix multiply, 4 times"),
          new Kernel("json", 20, "parse a 208 KiB JSON document, 20 times"),
          new Kernel("sort", 2, "quicksort 256k u32 keys, 2 times"),
          new Kernel("scan", 8, "backtracking regex over 512 KiB of lines, 8 times"));

  private static final Pattern V8_RESULT =
      Pattern.compile("\\{\"checksum\":(\\d+),\"nanos\":\\[([0-9,]*)]}");

  private CpuBenchmark() {}

  public static void main(String[] args) throws Exception {
    int samples = args.length > 0 ? positive(args[0], "samples") : 10;
    int warmupSeconds = args.length > 1 ? positive(args[1], "warm-up seconds") : 5;
    List<Kernel> kernels =
        selected(Arrays.asList(args).subList(Math.min(2, args.length), args.length));
    Path root = Path.of(System.getProperty("wr.root", "."));
    Path kernelDir = root.resolve("benchmarks/target/cpu-kernels");
    Path runner = root.resolve("benchmarks/cpu/v8-runner.mjs");
    for (Kernel k : kernels) {
      if (!Files.isRegularFile(kernelDir.resolve(k.name + ".wasm"))) {
        fail(
            kernelDir.resolve(k.name + ".wasm")
                + " is missing (expected: the kernels built by 'make -C benchmarks/cpu', which"
                + " the build runs; it needs clang for wasm32-wasi: bin/setup-toolchain)");
      }
    }
    String node = nodeVersion();
    PoolConfig pool = PoolConfig.defaults();
    System.out.printf(
        "cpu: %d kernels, %d timed calls each after %d s of warm-up per runtime, %d CPUs%n",
        kernels.size(), samples, warmupSeconds, Runtime.getRuntime().availableProcessors());
    System.out.printf(
        "chicory: the engine's request instances (%s, memory limit %d MiB, started from the"
            + " snapshot and reset after each call), Java %s%n",
        pool.execution(), pool.maxMemorySize() >> 20, Runtime.version());
    System.out.printf("v8: node %s%n", node);
    System.out.printf(
        "%-8s %-50s %11s %9s %7s %9s  %s%n",
        "kernel",
        "work per call",
        "chicory ms",
        "v8 ms",
        "ratio",
        "min ratio",
        "spread (min-max ms: chicory | v8)");
    double logSum = 0;
    double logMinSum = 0;
    List<String> memories = new ArrayList<>();
    for (Kernel k : kernels) {
      Path wasm = kernelDir.resolve(k.name + ".wasm");
      Timing chicory = runChicory(k, wasm, pool, samples, warmupSeconds, memories);
      Timing v8 = runV8(node, runner, k, wasm, samples, warmupSeconds);
      if (chicory.checksum != v8.checksum) {
        fail(
            k.name
                + ": run("
                + k.n
                + ") answered "
                + chicory.checksum
                + " in chicory and "
                + v8.checksum
                + " in v8 (expected: the same checksum)");
      }
      double ratio = chicory.medianMillis() / v8.medianMillis();
      double minRatio = chicory.minMillis() / v8.minMillis();
      logSum += Math.log(ratio);
      logMinSum += Math.log(minRatio);
      System.out.printf(
          "%-8s %-50s %11.2f %9.2f %6.2fx %8.2fx  %.1f-%.1f | %.1f-%.1f%n",
          k.name,
          k.description,
          chicory.medianMillis(),
          v8.medianMillis(),
          ratio,
          minRatio,
          chicory.minMillis(),
          chicory.maxMillis(),
          v8.minMillis(),
          v8.maxMillis());
    }
    System.out.printf(
        "geometric mean of the ratios chicory/v8: %.2fx of the median call times, %.2fx of the"
            + " fastest (checksums equal)%n",
        Math.exp(logSum / kernels.size()), Math.exp(logMinSum / kernels.size()));
    System.out.printf(
        "request instances' memory (the reset is timed with the call): %s%n",
        String.join(", ", memories));
  }

  /**
   * Builds the kernel's request instance as the engine builds a core module's ({@link
   * CompiledModule} with the engine's default limit and execution mode, an instance initialized
   * with {@code _initialize}, its snapshot, an instance started from the snapshot), then calls
   * {@code run(n)} on it, each call followed by the reset the engine does before reusing an
   * instance: warm-up calls for {@code warmupSeconds}, then {@code samples} timed calls (call and
   * reset). Adds the memory the snapshot gave the instance to {@code memories}.
   */
  private static Timing runChicory(
      Kernel k, Path wasm, PoolConfig pool, int samples, int warmupSeconds, List<String> memories)
      throws Exception {
    WasmModule module = Parser.parse(Files.readAllBytes(wasm));
    if (module.importSection().importCount() != 0) {
      fail(wasm + " imports " + module.importSection().importCount() + " items (expected: none)");
    }
    ModuleDefinition def =
        new ModuleDefinition(
            "benchmark", k.name, "1.0.0", wasm, Map.of(), pool.maxMemorySize(), pool.execution());
    CompiledModule compiled = CompiledModule.compile(def, module);
    Instance initialized = compiled.instanceBuilder(ImportValues.empty()).build();
    initialized.initialize(false);
    if (hasExport(module, "_initialize")) {
      initialized.export("_initialize").apply();
    }
    InstanceSnapshot snapshot = InstanceSnapshot.capture(initialized);
    memories.add(k.name + " " + snapshot.memoryKind());
    Instance instance = snapshot.prepare(compiled.instanceBuilder(ImportValues.empty())).build();
    instance.initialize(false);
    snapshot.restore(instance);
    ExportFunction run = instance.export("run");
    long checksum = call(k, snapshot, instance, run);
    long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
    for (int calls = 1; calls < 3 || System.nanoTime() < warmupEnd; calls++) {
      check(k, call(k, snapshot, instance, run), checksum);
    }
    long[] nanos = new long[samples];
    long[] resets = new long[samples];
    for (int i = 0; i < samples; i++) {
      long start = System.nanoTime();
      long value = run.apply(k.n)[0] & 0xFFFF_FFFFL;
      long called = System.nanoTime();
      reset(k, snapshot, instance);
      long end = System.nanoTime();
      nanos[i] = end - start;
      resets[i] = end - called;
      check(k, value, checksum);
    }
    memories.set(
        memories.size() - 1,
        String.format(
            "%s (reset p50 %.0f us)", memories.get(memories.size() - 1), median(resets) / 1e3));
    return new Timing(checksum, nanos);
  }

  /** One request's worth: the call, then the reset that makes the instance reusable. */
  private static long call(
      Kernel k, InstanceSnapshot snapshot, Instance instance, ExportFunction run) {
    long value = run.apply(k.n)[0] & 0xFFFF_FFFFL;
    reset(k, snapshot, instance);
    return value;
  }

  private static void reset(Kernel k, InstanceSnapshot snapshot, Instance instance) {
    if (!snapshot.reset(instance)) {
      fail(k.name + ": the instance could not be reset (expected: reused as the engine does)");
    }
  }

  private static double median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
  }

  private static void check(Kernel k, long value, long expected) {
    if (value != expected) {
      fail(
          k.name
              + ": run("
              + k.n
              + ") answered "
              + value
              + " after "
              + expected
              + " (expected: the same on every call)");
    }
  }

  private static boolean hasExport(WasmModule module, String name) {
    for (int i = 0; i < module.exportSection().exportCount(); i++) {
      var e = module.exportSection().getExport(i);
      if (e.name().equals(name) && e.exportType() == ExternalType.FUNCTION) {
        return true;
      }
    }
    return false;
  }

  /** Runs the same module in a Node child process (benchmarks/cpu/v8-runner.mjs). */
  private static Timing runV8(
      String node, Path runner, Kernel k, Path wasm, int samples, int warmupSeconds)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                "node",
                runner.toString(),
                wasm.toString(),
                Integer.toString(k.n),
                Long.toString(TimeUnit.SECONDS.toMillis(warmupSeconds)),
                Integer.toString(samples))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    int exit = p.waitFor();
    Matcher m = V8_RESULT.matcher(out);
    if (exit != 0 || !m.matches()) {
      fail(
          k.name
              + ": node "
              + node
              + " exited with "
              + exit
              + " printing '"
              + out
              + "' (expected: exit 0 and one line {\"checksum\":N,\"nanos\":[...]})");
    }
    long[] nanos = Arrays.stream(m.group(2).split(",")).mapToLong(Long::parseLong).toArray();
    return new Timing(Long.parseLong(m.group(1)), nanos);
  }

  private static String nodeVersion() throws InterruptedException {
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor() != 0) {
        fail("'node --version' exited with " + p.exitValue() + ": " + version);
      }
      return version;
    } catch (IOException e) {
      fail(
          "node is not installed (expected: Node.js on PATH, e.g. 'apt-get install nodejs'; the"
              + " harness runs every kernel in its V8 to compare): "
              + e.getMessage());
      return null;
    }
  }

  private static List<Kernel> selected(List<String> names) {
    if (names.isEmpty()) {
      return KERNELS;
    }
    List<Kernel> out = new ArrayList<>();
    for (String name : names) {
      KERNELS.stream()
          .filter(k -> k.name.equals(name))
          .findFirst()
          .ifPresentOrElse(
              out::add,
              () ->
                  usage(
                      "kernel: "
                          + name
                          + " (expected: one of "
                          + KERNELS.stream().map(Kernel::name).toList()
                          + ")"));
    }
    return out;
  }

  private static int positive(String value, String what) {
    try {
      int n = Integer.parseInt(value);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    usage(what + ": " + value + " (expected: an integer >= 1)");
    return 0;
  }

  private static void usage(String message) {
    System.err.println("wr-benchmark cpu: " + message);
    System.err.println("usage: bin/wr-benchmark cpu [samples] [warm-up seconds] [kernel ...]");
    System.exit(2);
  }

  private static void fail(String message) {
    System.err.println("wr-benchmark cpu: " + message);
    System.exit(1);
  }

  private record Kernel(String name, int n, String description) {}

  private record Timing(long checksum, long[] nanos) {
    double medianMillis() {
      return median(nanos) / 1e6;
    }

    double minMillis() {
      return Arrays.stream(nanos).min().orElse(0) / 1e6;
    }

    double maxMillis() {
      return Arrays.stream(nanos).max().orElse(0) / 1e6;
    }
  }
}
