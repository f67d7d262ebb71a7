package io.wruntime.benchmarks;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.Import;
import io.opentelemetry.api.OpenTelemetry;
import io.wruntime.engine.component.LoadedComponent;
import io.wruntime.engine.host.CodeCache;
import io.wruntime.engine.host.CompiledModule;
import io.wruntime.engine.host.WasiHttpModuleLoader;
import io.wruntime.engine.host.snapshot.InstanceSnapshot;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.HttpErrorCode;
import io.wruntime.engine.http.IncomingRequest;
import io.wruntime.engine.http.OutboundException;
import io.wruntime.engine.http.Pipe;
import io.wruntime.engine.module.GuestModule;
import io.wruntime.engine.module.ModuleDefinition;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/**
 * What a large guest costs to load and to serve, per guest module: load time with a cold and a warm
 * code cache (each in a fresh JVM, as an engine start), the instance setup per request (from the
 * snapshot, copy-on-write and copying the whole image, against instantiating and initializing
 * afresh), p50/p99 of a whole request (instance + handler) at concurrency 1 and 8 through the
 * engine's {@link GuestModule}, and the engine's RSS with the module loaded.
 *
 * <p>Guests: {@code examples/echo} (a C core module), {@code benchmarks/guests/heavy.c} (an echo
 * with the memory profile of the componentize-js guest: 10 MiB of memory, 5 MiB of it written by
 * {@code _initialize}) and {@code js}, the componentize-js component test guest ({@code
 * engine/src/test/component-guests/js/guest.js}, built into {@code engine/target/component-guests}
 * by the engine's build or {@code bin/build-component-guests}), whose handler is also run in Node
 * ({@code benchmarks/node/fetch-handler.mjs}) for the ratio. A guest is one {@link Guest} entry.
 *
 * <p>Run: {@code bin/wr-benchmark components [requests] [guest ...]}.
 */
public final class ComponentsBenchmark {
  private static final String LOAD_ONCE = "--load-once";
  private static final int RSS_REQUESTS = 200;

  private ComponentsBenchmark() {}

  /**
   * A guest module and the request it is measured with.
   *
   * @param name what the output calls it
   * @param wasm the module
   * @param maxMemoryBytes its memory limit
   * @param request a new request each call
   * @param expectedBody what the response body must be
   * @param nodeSource the same handler as JavaScript for Node, or null
   */
  record Guest(
      String name,
      Path wasm,
      long maxMemoryBytes,
      Supplier<IncomingRequest> request,
      byte[] expectedBody,
      Path nodeSource) {
    ModuleDefinition definition() {
      return new ModuleDefinition(
          "bench", name, "1.0.0", wasm, Map.of(), maxMemoryBytes, ExecutionMode.COMPILED);
    }
  }

  private static List<Guest> guests(Path root) {
    byte[] body = "\n\u0005hello".getBytes(StandardCharsets.UTF_8);
    Guest echo =
        new Guest(
            "echo",
            root.resolve("examples/echo/echo.wasm"),
            10L * 1024 * 1024,
            () -> post("/echo.EchoService/Echo", body),
            body,
            null);
    Guest heavy =
        new Guest(
            "heavy",
            root.resolve("benchmarks/target/guests/heavy.wasm"),
            16L * 1024 * 1024,
            () -> post("/", body),
            body,
            null);
    Guest js =
        new Guest(
            "js",
            root.resolve("engine/target/component-guests/js.wasm"),
            64L * 1024 * 1024,
            () -> post("/", body),
            body,
            root.resolve("engine/src/test/component-guests/js/guest.js"));
    return List.of(echo, heavy, js);
  }

  public static void main(String[] args) throws Exception {
    Path root = Path.of(System.getProperty("wr.root", "."));
    if (args.length > 0 && args[0].equals(LOAD_ONCE)) {
      loadOnce(root, args[1], Path.of(args[2]));
      return;
    }
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    List<String> only = args.length > 1 ? List.of(args).subList(1, args.length) : List.of();
    System.out.printf(
        "components: %d requests per measurement after warm-up, %d CPUs, %s%n",
        requests, Runtime.getRuntime().availableProcessors(), Runtime.version());
    for (Guest guest : guests(root)) {
      if (!only.isEmpty() && !only.contains(guest.name())) {
        continue;
      }
      if (!Files.isRegularFile(guest.wasm())) {
        System.out.printf(
            "%s: %s is missing (build it first), skipped%n", guest.name(), guest.wasm());
        continue;
      }
      measure(root, guest, requests);
    }
  }

  private static void measure(Path root, Guest guest, int requests) throws Exception {
    System.out.printf(
        "%n%s (%s, %d bytes)%n", guest.name(), guest.wasm(), Files.size(guest.wasm()));
    Path cacheDir = Files.createTempDirectory("wr-code-cache");
    try {
      String cold = childLoad(root, guest, cacheDir);
      String warm = childLoad(root, guest, cacheDir);
      System.out.printf("  load, cold code cache (new JVM):  %s%n", cold);
      System.out.printf("  load, warm code cache (new JVM):  %s%n", warm);

      instanceSetup(guest, cacheDir, requests);

      WasiHttpModuleLoader loader = loader(CodeCache.open(cacheDir));
      GuestModule module = loader.load(guest.definition());
      if (module instanceof LoadedComponent component) {
        componentSetup(component, requests);
      }
      System.out.printf(
          "  between requests, instances are %s%n",
          io.wruntime.engine.host.GuestRun.REUSE_INSTANCES
              ? "reset to the snapshot and reused"
              : "built anew from the snapshot (-Dwruntime.reuse-instances=false)");
      double p50AtOne = 0;
      for (int concurrency : new int[] {1, 8}) {
        handle(module, guest, concurrency, Math.max(1000, requests / 2)); // warm-up
        LoadedComponent.SetupCost before =
            module instanceof LoadedComponent c ? c.setupCost() : null;
        long[] latencies = handle(module, guest, concurrency, requests);
        System.out.printf(
            "  request (instance + handler), concurrency %d: p50 %8.1f us | p99 %8.1f us%n",
            concurrency, percentile(latencies, 0.50) / 1e3, percentile(latencies, 0.99) / 1e3);
        if (module instanceof LoadedComponent c) {
          printSetupCost(before, c.setupCost());
        }
        if (concurrency == 1) {
          p50AtOne = percentile(latencies, 0.50) / 1e3;
        }
      }
      loader.close();
      if (guest.nodeSource() != null) {
        nodeBaseline(root, guest, requests, p50AtOne);
      }
    } finally {
      deleteTree(cacheDir);
    }
  }

  /**
   * Instance setup alone: the engine's path (build from the snapshot, initialize, restore) with
   * copy-on-write pages and with a copy of the whole image, against a fresh instance that copies
   * the data segments and runs {@code _initialize}. The host functions are stand-ins that fail if
   * called: no guest code runs but {@code _initialize} on the fresh path.
   */
  private static void instanceSetup(Guest guest, Path cacheDir, int requests) throws Exception {
    byte[] bytes = Files.readAllBytes(guest.wasm());
    if (bytes.length >= 8 && bytes[4] != 1) {
      // A component: its core instances are built by the component runtime (componentSetup).
      return;
    }
    WasmModule module = Parser.parse(bytes);
    CompiledModule compiled =
        CompiledModule.compile(guest.definition(), module, CodeCache.open(cacheDir));
    ImportValues imports = stubImports(module);
    boolean hasInitialize =
        module.exportSection().exportCount() > 0 && exports(module).contains("_initialize");
    Supplier<Instance> fresh =
        () -> {
          Instance instance = compiled.instanceBuilder(imports).build();
          instance.initialize(false);
          if (hasInitialize) {
            instance.export("_initialize").apply();
          }
          return instance;
        };
    InstanceSnapshot snapshot = InstanceSnapshot.capture(fresh.get());
    InstanceSnapshot eager = snapshot.withEagerMemoryCopy();
    InstanceSnapshot cow = snapshot.withMemory(InstanceSnapshot.MemoryKind.COPY_ON_WRITE);
    Supplier<Instance> fromSnapshot = () -> restored(compiled, imports, snapshot);
    Supplier<Instance> fromCow = () -> restored(compiled, imports, cow);
    Supplier<Instance> fromCopy = () -> restored(compiled, imports, eager);

    int n = Math.max(requests, 2000);
    double freshUs = setupMicros(fresh, n);
    double snapshotUs = setupMicros(fromSnapshot, n);
    double cowUs = setupMicros(fromCow, n);
    double copyUs = setupMicros(fromCopy, n);
    System.out.printf(
        "  instance setup per request (p50): snapshot, the engine's %s memory %7.1f us |"
            + " snapshot, copy-on-write %7.1f us | snapshot, whole copy %7.1f us | fresh (data"
            + " segments + _initialize) %7.1f us; fresh/snapshot %.1fx (image %d KiB of %d"
            + " pages)%n",
        snapshot.memoryKind(),
        snapshotUs,
        cowUs,
        copyUs,
        freshUs,
        freshUs / snapshotUs,
        snapshot.retainedBytes() / 1024,
        snapshot.memory() == null ? 0 : snapshot.memory().pageCount());
  }

  /**
   * A component's instance setup alone: all its core instances built as a request builds them (from
   * the snapshot taken after instantiation when there is one), no handler call.
   */
  private static void componentSetup(LoadedComponent component, int requests) throws Exception {
    int n = Math.max(requests, 200);
    for (int i = 0; i < Math.max(50, n / 2); i++) {
      component.instantiateAsARequest();
    }
    long[] samples = new long[n];
    for (int i = 0; i < n; i++) {
      long start = System.nanoTime();
      component.instantiateAsARequest();
      samples[i] = System.nanoTime() - start;
    }
    LoadedComponent.Snapshot snapshot = component.snapshot();
    System.out.printf(
        "  instance built per request (%d core instances, %s; what a request pays without a"
            + " reusable instance): p50 %7.1f us | p99 %7.1f us%n",
        component.coreInstanceCount(),
        snapshot == null
            ? "no snapshot: instantiated and started afresh"
            : "from a snapshot of " + snapshot.retainedBytes() / 1024 + " KiB",
        percentile(samples, 0.5) / 1e3,
        percentile(samples, 0.99) / 1e3);
  }

  /**
   * What the requests of one measurement paid for their component instance: with reuse, taking a
   * pooled instance and binding the request before the handler, and resetting it to the snapshot
   * after; instances built from the snapshot instead (first requests, -Dwruntime.reuse-instances=
   * false) are counted apart. Means, from the component's own counters.
   */
  private static void printSetupCost(LoadedComponent.SetupCost a, LoadedComponent.SetupCost b) {
    long reused = b.reused() - a.reused();
    long fresh = b.fresh() - a.fresh();
    long resets = b.resets() - a.resets();
    System.out.printf(
        "    instance per request (means): reused %d x: setup %6.1f us + reset after the handler"
            + " %6.1f us | built from the snapshot %d x: %6.1f us%n",
        reused,
        LoadedComponent.SetupCost.mean(b.reusedNanos() - a.reusedNanos(), reused) / 1e3,
        LoadedComponent.SetupCost.mean(b.resetNanos() - a.resetNanos(), resets) / 1e3,
        fresh,
        LoadedComponent.SetupCost.mean(b.freshNanos() - a.freshNanos(), fresh) / 1e3);
  }

  /**
   * The same handler in Node ({@code benchmarks/node/fetch-handler.mjs}: the fetch event dispatched
   * in-process, no HTTP server, as the engine's figures have none) and the ratio of the p50s at
   * concurrency 1.
   */
  private static void nodeBaseline(Path root, Guest guest, int requests, double engineP50)
      throws Exception {
    Path harness = root.resolve("benchmarks/node/fetch-handler.mjs");
    List<String> command =
        List.of(
            "node",
            harness.toString(),
            guest.nodeSource().toString(),
            Integer.toString(requests),
            new String(guest.expectedBody(), StandardCharsets.UTF_8));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      System.out.printf("  node: not run (%s)%n", e.getMessage());
      return;
    }
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    int exit = process.waitFor();
    String[] fields = out.split("\\s+");
    if (exit != 0 || fields.length < 3 || !fields[0].equals("p50_us")) {
      System.out.printf("  node: failed (exit %d): %s%n", exit, out);
      return;
    }
    double nodeP50 = Double.parseDouble(fields[1]);
    System.out.printf(
        "  node %s, same handler in-process, concurrency 1: p50 %8.1f us | p99 %8.1f us;"
            + " engine/node p50 %.1fx%n",
        nodeVersion(), nodeP50, Double.parseDouble(fields[3]), engineP50 / nodeP50);
  }

  private static String nodeVersion() {
    try {
      Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor();
      return v;
    } catch (IOException | InterruptedException e) {
      return "?";
    }
  }

  private static Instance restored(
      CompiledModule compiled, ImportValues imports, InstanceSnapshot snapshot) {
    Instance instance = snapshot.prepare(compiled.instanceBuilder(imports)).build();
    instance.initialize(false);
    snapshot.restore(instance);
    return instance;
  }

  /** The p50 of {@code setup}: {@code n} samples, fewer when one takes long (at most ~2 s). */
  private static double setupMicros(Supplier<Instance> setup, int n) {
    long first = System.nanoTime();
    setup.get();
    n = (int) Math.max(50, Math.min(n, 2_000_000_000L / Math.max(1, System.nanoTime() - first)));
    for (int i = 0; i < n; i++) {
      setup.get();
    }
    long[] samples = new long[n];
    for (int i = 0; i < n; i++) {
      long start = System.nanoTime();
      Instance instance = setup.get();
      samples[i] = System.nanoTime() - start;
      if (instance.memory() == null) {
        throw new IllegalStateException("no memory");
      }
    }
    return percentile(samples, 0.5) / 1e3;
  }

  private static List<String> exports(WasmModule module) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < module.exportSection().exportCount(); i++) {
      names.add(module.exportSection().getExport(i).name());
    }
    return names;
  }

  private static ImportValues stubImports(WasmModule module) {
    ImportValues.Builder builder = ImportValues.builder();
    for (int i = 0; i < module.importSection().importCount(); i++) {
      Import imp = module.importSection().getImport(i);
      if (!(imp instanceof FunctionImport f)) {
        throw new IllegalStateException("only function imports are stubbed: " + imp.name());
      }
      builder.addFunction(
          new HostFunction(
              imp.module(),
              imp.name(),
              module.typeSection().getType(f.typeIndex()),
              (instance, args) -> {
                throw new IllegalStateException(
                    "instance setup called the host: " + imp.module() + "#" + imp.name());
              }));
    }
    return builder.build();
  }

  /** Requests on {@code concurrency} threads at once; the latency of each, sorted. */
  private static long[] handle(GuestModule module, Guest guest, int concurrency, int requests)
      throws Exception {
    int perThread = Math.max(1, requests / concurrency);
    long[][] samples = new long[concurrency][perThread];
    Throwable[] failure = new Throwable[1];
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < concurrency; t++) {
      long[] mine = samples[t];
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      start.await();
                      for (int i = 0; i < perThread; i++) {
                        long begin = System.nanoTime();
                        handleOnce(module, guest);
                        mine[i] = System.nanoTime() - begin;
                      }
                    } catch (Throwable e) {
                      synchronized (failure) {
                        failure[0] = e;
                      }
                    }
                  }));
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    if (failure[0] != null) {
      throw new IllegalStateException(guest.name() + " failed", failure[0]);
    }
    long[] all = Arrays.stream(samples).flatMapToLong(Arrays::stream).toArray();
    Arrays.sort(all);
    return all;
  }

  private static double percentile(long[] samples, double p) {
    long[] sorted = samples.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))];
  }

  private static void handleOnce(GuestModule module, Guest guest) throws Exception {
    CollectingResponse response = new CollectingResponse();
    module.handle(guest.request().get(), response);
    byte[] out = response.body.read(1 << 20);
    if (response.status != 200 || out == null || !Arrays.equals(out, guest.expectedBody())) {
      throw new IllegalStateException(
          guest.name() + " answered " + response.status + " with an unexpected body");
    }
  }

  private static IncomingRequest post(String path, byte[] body) {
    Pipe requestBody = new Pipe();
    try {
      requestBody.write(body, 0, body.length);
      requestBody.finish(List.of());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return new IncomingRequest(
        "POST",
        "http",
        "bench.guest",
        path,
        List.of(Field.of("content-type", "application/protobuf")),
        requestBody);
  }

  private static WasiHttpModuleLoader loader(CodeCache cache) {
    return new WasiHttpModuleLoader(
        request ->
            CompletableFuture.failedFuture(
                new OutboundException(
                    HttpErrorCode.DESTINATION_NOT_FOUND, "benchmark: no outbound calls")),
        OpenTelemetry.noop().getTracer(WasiHttpModuleLoader.TRACER_SCOPE),
        cache);
  }

  /** Runs {@link #loadOnce} in a new JVM with this one's flags and class path; its one line. */
  private static String childLoad(Path root, Guest guest, Path cacheDir) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent")) {
        command.add(arg);
      }
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ComponentsBenchmark.class.getName());
    command.add(LOAD_ONCE);
    command.add(guest.name());
    command.add(cacheDir.toString());
    Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
    process.getOutputStream().close();
    CompletableFuture<String> errors =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
              } catch (IOException e) {
                return e.toString();
              }
            });
    String line;
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      line = out.readLine();
      while (out.readLine() != null) {
        // drain
      }
    }
    int exit = process.waitFor();
    if (exit != 0 || line == null) {
      throw new IllegalStateException(
          "loading " + guest.name() + " in a new JVM failed (exit " + exit + "): " + errors.get());
    }
    return line;
  }

  /**
   * In a fresh JVM: loads the guest with the code cache in {@code cacheDir}, serves {@value
   * #RSS_REQUESTS} requests, and prints the load time, whether the code came from the cache, and
   * the process's resident set.
   */
  private static void loadOnce(Path root, String name, Path cacheDir) throws Exception {
    Guest guest =
        guests(root).stream()
            .filter(g -> g.name().equals(name))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no guest " + name));
    CodeCache cache = CodeCache.open(cacheDir);
    WasiHttpModuleLoader loader = loader(cache);
    long start = System.nanoTime();
    GuestModule module = loader.load(guest.definition());
    double loadMillis = (System.nanoTime() - start) / 1e6;
    for (int i = 0; i < RSS_REQUESTS; i++) {
      handleOnce(module, guest);
    }
    System.out.printf(
        "ready in %8.1f ms (code %s) | RSS after %d requests %6d MiB%n",
        loadMillis,
        cache.hits() > 0 ? "from the cache" : "compiled",
        RSS_REQUESTS,
        rssKiB() / 1024);
    loader.close();
  }

  private static long rssKiB() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
