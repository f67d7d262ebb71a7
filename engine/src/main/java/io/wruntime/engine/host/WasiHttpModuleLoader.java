package io.wruntime.engine.host;

import static java.util.Objects.requireNonNull;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.ValType;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.wruntime.engine.component.ComponentLoader;
import io.wruntime.engine.component.HostResolver;
import io.wruntime.engine.component.LoadedComponent;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.HostInterfaces;
import io.wruntime.engine.host.snapshot.InstanceSnapshot;
import io.wruntime.engine.http.OutboundClient;
import io.wruntime.engine.module.GuestException;
import io.wruntime.engine.module.GuestModule;
import io.wruntime.engine.module.GuestModuleLoader;
import io.wruntime.engine.module.HostGrants;
import io.wruntime.engine.module.ModuleDefinition;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import io.wruntime.engine.module.ModuleLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads core wasm modules that serve {@code wasi:http/incoming-handler} 0.2.x: reads and parses the
 * binary, checks its handler export and that every import is one the engine provides with the
 * expected type, caps its memory, and compiles it once (Chicory's runtime compiler, or the
 * interpreter). The {@link GuestModule} it returns runs each request in a fresh instance.
 */
public final class WasiHttpModuleLoader implements GuestModuleLoader, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WasiHttpModuleLoader.class);

  static final String PREVIEW1 = "wasi_snapshot_preview1";

  /** The instrumentation scope of module spans. */
  public static final String TRACER_SCOPE = "io.wruntime.engine.module";

  private static final Pattern HANDLER =
      Pattern.compile("wasi:http/incoming-handler@0\\.2\\.(\\d+)#handle");
  private static final FunctionType HANDLER_TYPE =
      FunctionType.of(List.of(ValType.I32, ValType.I32), List.of());
  private static final FunctionType INITIALIZE_TYPE = FunctionType.of(List.of(), List.of());
  private static final FunctionType REALLOC_TYPE =
      FunctionType.of(
          List.of(ValType.I32, ValType.I32, ValType.I32, ValType.I32), List.of(ValType.I32));
  private static final Duration INITIALIZE_STOP_WAIT = Duration.ofSeconds(5);
  private static final String SUPPORTED_VERSIONS =
      HostInterfaces.MAX_WASI_PATCH == Integer.MAX_VALUE
          ? "0.2.x"
          : "0.2.0 to 0.2." + HostInterfaces.MAX_WASI_PATCH;

  /** Chicory's WASI preview 1 functions by name: their index in toHostFunctions() and type. */
  private static final Map<String, Preview1Function> PREVIEW1_FUNCTIONS = preview1Functions();

  private final OutboundClient outbound;
  private final HostInterfaces host;
  private final CodeCache codeCache;

  /**
   * A loader whose modules send their outgoing requests through {@code outbound}; the spans they
   * start through {@code wruntime:tracing} are not recorded (their context still propagates).
   */
  public WasiHttpModuleLoader(OutboundClient outbound) {
    this(outbound, OpenTelemetry.noop().getTracer(TRACER_SCOPE));
  }

  /**
   * A loader whose modules send their outgoing requests through {@code outbound} and record the
   * spans they start through {@code wruntime:tracing} with {@code tracer}.
   */
  public WasiHttpModuleLoader(OutboundClient outbound, Tracer tracer) {
    this(outbound, tracer, CodeCache.disabled());
  }

  /**
   * A loader whose modules send their outgoing requests through {@code outbound}, record their
   * spans with {@code tracer}, and whose compiled code is kept in {@code codeCache} ({@code
   * code_cache_dir}), so a restart does not compile them again.
   */
  public WasiHttpModuleLoader(OutboundClient outbound, Tracer tracer, CodeCache codeCache) {
    this(outbound, WasiHost.interfaces(requireNonNull(tracer, "tracer")), codeCache);
  }

  /** With a registry of host functions other than {@link WasiHost#interfaces()} (tests). */
  WasiHttpModuleLoader(OutboundClient outbound, HostInterfaces host) {
    this(outbound, host, CodeCache.disabled());
  }

  private WasiHttpModuleLoader(OutboundClient outbound, HostInterfaces host, CodeCache codeCache) {
    this.outbound = requireNonNull(outbound, "outbound");
    this.host = requireNonNull(host, "host");
    this.codeCache = requireNonNull(codeCache, "codeCache");
  }

  /** Releases what the host interfaces hold, such as wruntime:blobstore's S3 clients. */
  @Override
  public void close() {
    host.close();
  }

  /**
   * Loads a core module, or a component (recognised by its header) through the component runtime
   * ({@link ComponentLoader}).
   */
  @Override
  public GuestModule load(ModuleDefinition definition) throws ModuleLoadException {
    requireNonNull(definition, "definition");
    byte[] bytes = read(definition);
    boolean large = bytes.length >= GIVE_BACK_AFTER_LOADING_BYTES;
    GuestModule loaded =
        isComponent(bytes) ? loadComponent(definition, bytes) : loadModule(definition, bytes);
    if (large) {
      // Parsing and compiling a large module takes hundreds of MiB of heap that it no longer
      // needs afterwards (the JS guest: ~350 MiB at peak, 45 MiB live after). The serial
      // collector gives committed heap back only at a full collection, which a quiet engine may
      // never reach: one now keeps that peak out of the engine's resident memory.
      // The collection stops every thread for its duration (tens of ms for the JS guest's 45 MiB
      // of live heap): at start-up nothing else runs; a module loaded while serving pauses the
      // requests in flight that long.
      System.gc();
    }
    return loaded;
  }

  /** A module at least this large is followed by a full collection once it has loaded. */
  static final int GIVE_BACK_AFTER_LOADING_BYTES = 4 << 20;

  /**
   * Whether {@code bytes} start like a component: the wasm magic, then a version other than core's
   * 1 with layer 1 in the upper half of the version field ({@code 0d 00 01 00} today).
   */
  static boolean isComponent(byte[] bytes) {
    return ComponentLoader.isComponent(bytes);
  }

  private static byte[] read(ModuleDefinition def) throws ModuleLoadException {
    String label = def.label();
    try {
      return Files.readAllBytes(def.wasmPath());
    } catch (NoSuchFileException e) {
      throw new ModuleLoadException(
          "module " + label + ": " + def.wasmPath() + " does not exist (expected: a .wasm file)",
          e);
    } catch (IOException e) {
      throw new ModuleLoadException(
          "module " + label + ": cannot read " + def.wasmPath() + ": " + e.getMessage(), e);
    }
  }

  /** Loads a core module (tests; {@link #load} also takes components). */
  LoadedModule loadModule(ModuleDefinition def) throws ModuleLoadException {
    requireNonNull(def, "definition");
    return loadModule(def, read(def));
  }

  private LoadedComponent loadComponent(ModuleDefinition def, byte[] bytes)
      throws ModuleLoadException {
    long start = System.nanoTime();
    Set<String> interfaces = new LinkedHashSet<>();
    HostResolver resolver =
        (instance, function) -> {
          String what = instance + "#" + function;
          checkGranted(def, instance, what);
          Optional<HostFunctionDef> found = host.find(instance, function);
          if (found.isEmpty()) {
            throw unknownImport(def, what, whyUnknown(instance, function));
          }
          interfaces.add(found.get().iface());
          return found.get();
        };
    LoadedComponent component = ComponentLoader.load(def, bytes, resolver, outbound, codeCache);
    for (String iface : interfaces) {
      String problem = host.prepare(iface, def);
      if (problem != null) {
        throw new ModuleLoadException("module " + def.label() + ": " + problem);
      }
    }
    StringBuilder whyNot = new StringBuilder();
    // One instantiation links, runs the start functions and is captured: a failure in any of them
    // means the component cannot be instantiated.
    LoadedComponent.Snapshot snapshot =
        checkInstantiates(
            def,
            null,
            component.hasStart() ? "the start function of a core module" : "initialization",
            () -> component.captureSnapshot(whyNot));
    String instances;
    if (snapshot != null) {
      component.useSnapshot(snapshot);
      instances = "instances from a snapshot of " + snapshot.retainedBytes() / 1024 + " KiB";
    } else {
      String noSnapshot = whyNot.length() == 0 ? "no snapshot was taken" : whyNot.toString();
      log.info(
          "component {}: each request instantiates its core modules (no snapshot: {})",
          def.label(),
          noSnapshot);
      instances = "no snapshot";
    }
    log.info(
        "loaded component {} from {} ({} core instances, {} host functions, {}, {}, ready in {} ms)",
        def.label(),
        def.wasmPath(),
        component.coreInstanceCount(),
        interfaces.size(),
        def.mode() == ExecutionMode.COMPILED ? "compiled" : "interpreted",
        instances,
        (System.nanoTime() - start) / 1_000_000);
    return component;
  }

  private LoadedModule loadModule(ModuleDefinition def, byte[] bytes) throws ModuleLoadException {
    long start = System.nanoTime();
    String label = def.label();
    if (isComponent(bytes)) {
      throw new ModuleLoadException(
          "module "
              + label
              + ": "
              + def.wasmPath()
              + " is a WebAssembly component, not a core module (expected: a core module here;"
              + " load() runs components)");
    }
    WasmModule module;
    try {
      module = Parser.parse(bytes);
    } catch (RuntimeException | AssertionError e) {
      // Chicory's parser checks some malformed code with assert (ModuleLoaderFuzzTest found an
      // AssertionError from AnnotatedInstruction.Builder when assertions are enabled, as in tests).
      throw new ModuleLoadException(
          "module "
              + label
              + ": "
              + def.wasmPath()
              + " is not a valid WebAssembly module: "
              + e.getMessage(),
          e);
    }
    String handleExport;
    List<LoadedModule.ImportBinding> imports;
    MemoryLimits limits;
    try {
      handleExport = checkExports(def, module);
      imports = resolveImports(def, module);
      limits = CompiledModule.memoryLimits(def, module);
    } catch (RuntimeException e) {
      // The parser does not check every index (ModuleLoaderFuzzTest found exports of functions
      // that do not exist); whatever else is inconsistent still fails as this module's error.
      throw new ModuleLoadException(
          "module " + label + ": " + def.wasmPath() + " is not a valid WebAssembly module: " + e,
          e);
    }
    prepareInterfaces(def, imports);
    long hitsBefore = codeCache.hits();
    CompiledModule compiled = CompiledModule.compile(def, module, limits, codeCache);
    String codeSource =
        def.mode() != ExecutionMode.COMPILED || !codeCache.enabled()
            ? ""
            : codeCache.hits() > hitsBefore ? " (code from the cache)" : " (code cached)";
    boolean hasInitialize = exportOf(module, "_initialize").isPresent();
    LoadedModule loaded =
        new LoadedModule(def, compiled, imports, hasInitialize, handleExport, outbound);
    StringBuilder whyNot = new StringBuilder();
    InstanceSnapshot snapshot =
        checkInstantiates(
            def,
            () -> loaded.runWithoutInitialize(loaded.newContext("-")),
            hasInitialize ? "_initialize" : "initialization",
            () -> loaded.captureSnapshot(loaded.newContext("-"), whyNot));
    String noSnapshot = null;
    if (snapshot != null) {
      loaded.useSnapshot(snapshot);
    } else {
      noSnapshot = whyNot.length() == 0 ? "no snapshot was taken" : whyNot.toString();
      log.info(
          "module {}: each request runs the module's initialization (no snapshot: {})",
          label,
          noSnapshot);
    }
    log.info(
        "loaded module {} from {} ({} imports, {}{}, {}, ready in {} ms)",
        label,
        def.wasmPath(),
        imports.size(),
        def.mode() == ExecutionMode.COMPILED ? "compiled" : "interpreted",
        codeSource,
        noSnapshot == null
            ? "instances from a snapshot of " + loaded.snapshot().retainedBytes() / 1024 + " KiB"
            : "no snapshot",
        (System.nanoTime() - start) / 1_000_000);
    return loaded;
  }

  /** A step of loading that links guest code. */
  @FunctionalInterface
  private interface GuestStep {
    void run() throws GuestException;
  }

  /** A step of loading that runs guest code and yields what it made (or null). */
  @FunctionalInterface
  private interface GuestInit<T> {
    T run() throws GuestException;
  }

  /**
   * Runs {@code link} (may be null), an instantiation whose failure means the module cannot be
   * instantiated, then {@code initialize}, which instantiates once more running the data segments
   * and the initializer and keeps the result as the snapshot every request's instance starts from;
   * {@code initialize} runs on a thread of its own stopped after the definition's initialize
   * timeout: a module that traps or hangs while initializing fails to load rather than failing
   * every request. Without {@code link} (components: their one instantiation at load is also the
   * link check), a failure of {@code initialize} is reported as the module not being instantiable.
   * Returns what {@code initialize} made (the snapshot), or null.
   */
  private static <T> T checkInstantiates(
      ModuleDefinition def, GuestStep link, String initializer, GuestInit<T> initialize)
      throws ModuleLoadException {
    String label = def.label();
    if (link != null) {
      try {
        link.run();
      } catch (GuestException e) {
        throw new ModuleLoadException(
            "module " + label + " cannot be instantiated: " + e.getMessage(), e);
      }
    }
    if (initialize == null) {
      return null;
    }
    Duration timeout = def.initializeTimeout();
    AtomicReference<GuestException> failure = new AtomicReference<>();
    AtomicReference<T> captured = new AtomicReference<>();
    Thread init =
        Thread.ofPlatform()
            .daemon()
            .name("wr-initialize-" + label)
            .start(
                () -> {
                  try {
                    captured.set(initialize.run());
                  } catch (GuestException e) {
                    failure.set(e);
                  }
                });
    try {
      if (!init.join(timeout)) {
        init.interrupt();
        init.join(INITIALIZE_STOP_WAIT);
        throw new ModuleLoadException(
            "module "
                + label
                + ": "
                + initializer
                + " did not return within "
                + timeout.toSeconds()
                + " s (request_timeout_secs)");
      }
    } catch (InterruptedException e) {
      init.interrupt();
      Thread.currentThread().interrupt();
      throw new ModuleLoadException("module " + label + ": loading was interrupted", e);
    }
    GuestException e = failure.get();
    if (e != null && link == null) {
      throw new ModuleLoadException(
          "module " + label + " cannot be instantiated: " + e.getMessage(), e);
    }
    if (e != null) {
      String what =
          switch (e.kind()) {
            case TRAP -> "trapped: ";
            case ABI_VIOLATION -> "broke the guest ABI: ";
            case INTERRUPTED, NO_RESPONSE -> "failed: ";
          };
      throw new ModuleLoadException(
          "module " + label + ": " + initializer + " " + what + e.getMessage(), e);
    }
    return captured.get();
  }

  private String checkExports(ModuleDefinition def, WasmModule module) throws ModuleLoadException {
    String label = def.label();
    String handler = null;
    List<String> names = new ArrayList<>();
    for (int i = 0; i < module.exportSection().exportCount(); i++) {
      Export e = module.exportSection().getExport(i);
      names.add(e.name());
      Matcher m = HANDLER.matcher(e.name());
      if (m.matches()
          && e.exportType() == ExternalType.FUNCTION
          && patch(m.group(1)) <= HostInterfaces.MAX_WASI_PATCH) {
        handler = e.name();
      }
    }
    if (handler == null) {
      throw new ModuleLoadException(
          "module "
              + label
              + ": "
              + def.wasmPath()
              + " does not export wasi:http/incoming-handler@0.2.N#handle (expected: a function"
              + " (i32, i32) -> () for some patch version N; it exports: "
              + (names.isEmpty() ? "nothing" : String.join(", ", new TreeSet<>(names)))
              + ")");
    }
    checkExportType(def, module, handler, HANDLER_TYPE);
    checkExportType(def, module, "_initialize", INITIALIZE_TYPE);
    checkExportType(def, module, "cabi_realloc", REALLOC_TYPE);
    return handler;
  }

  private static void checkExportType(
      ModuleDefinition def, WasmModule module, String name, FunctionType expected)
      throws ModuleLoadException {
    Optional<Export> export = exportOf(module, name);
    if (export.isEmpty()) {
      return;
    }
    if (export.get().exportType() != ExternalType.FUNCTION) {
      throw new ModuleLoadException(
          "module "
              + def.label()
              + ": export "
              + name
              + " is a "
              + export.get().exportType().name().toLowerCase(java.util.Locale.ROOT)
              + " (expected: a function "
              + format(expected)
              + ")");
    }
    FunctionType actual = functionType(module, export.get().index());
    if (actual == null) {
      throw new ModuleLoadException(
          "module "
              + def.label()
              + ": export "
              + name
              + " refers to function "
              + export.get().index()
              + ", which the module does not define (expected: a function index below "
              + functionCount(module)
              + ")");
    }
    if (!actual.equals(expected)) {
      throw new ModuleLoadException(
          "module "
              + def.label()
              + ": export "
              + name
              + " has type "
              + format(actual)
              + " (expected: "
              + format(expected)
              + ")");
    }
  }

  private List<LoadedModule.ImportBinding> resolveImports(ModuleDefinition def, WasmModule module)
      throws ModuleLoadException {
    List<LoadedModule.ImportBinding> bindings = new ArrayList<>();
    for (int i = 0; i < module.importSection().importCount(); i++) {
      Import imp = module.importSection().getImport(i);
      String what = imp.module() + "#" + imp.name();
      if (!(imp instanceof FunctionImport fi)) {
        throw new ModuleLoadException(
            "module "
                + def.label()
                + " imports "
                + imp.importType().name().toLowerCase(java.util.Locale.ROOT)
                + " "
                + what
                + ", which the engine does not provide (expected: only function imports; a"
                + " module defines its own memory, tables and globals)");
      }
      FunctionType actual = module.typeSection().getType(fi.typeIndex());
      FunctionType expected;
      LoadedModule.ImportBinding binding;
      if (imp.module().equals(PREVIEW1)) {
        Preview1Function f = PREVIEW1_FUNCTIONS.get(imp.name());
        if (f == null) {
          throw unknownImport(def, what, PREVIEW1 + " has no function " + imp.name());
        }
        expected = f.type();
        binding = new LoadedModule.ImportBinding.Preview1(f.index(), imp.name(), f.type());
      } else {
        checkGranted(def, imp.module(), what);
        Optional<HostFunctionDef> found = host.find(imp.module(), imp.name());
        if (found.isEmpty()) {
          throw unknownImport(def, what, whyUnknown(imp.module(), imp.name()));
        }
        HostFunctionDef d = found.get();
        expected = FunctionType.of(d.params(), d.results());
        binding = new LoadedModule.ImportBinding.Host(imp.module(), imp.name(), expected, d);
      }
      if (!actual.equals(expected)) {
        throw new ModuleLoadException(
            "module "
                + def.label()
                + " imports "
                + what
                + " with type "
                + format(actual)
                + " (expected: "
                + format(expected)
                + ")");
      }
      bindings.add(binding);
    }
    return bindings;
  }

  /**
   * Lets each host interface the module imports set up what it needs for it (e.g. wruntime:
   * blobstore's S3 client), so a grant that cannot work fails the load, not the requests.
   */
  private void prepareInterfaces(ModuleDefinition def, List<LoadedModule.ImportBinding> imports)
      throws ModuleLoadException {
    java.util.Set<String> done = new java.util.HashSet<>();
    for (LoadedModule.ImportBinding binding : imports) {
      if (binding instanceof LoadedModule.ImportBinding.Host h) {
        String iface = HostInterfaces.interfaceOf(h.module());
        if (iface != null && done.add(iface)) {
          String problem = host.prepare(iface, def);
          if (problem != null) {
            throw new ModuleLoadException("module " + def.label() + ": " + problem);
          }
        }
      }
    }
  }

  /**
   * Fails unless the module may import {@code importModule}: an interface of a host capability
   * needs its grant ({@code [module.capabilities.*]}).
   */
  private void checkGranted(ModuleDefinition def, String importModule, String what)
      throws ModuleLoadException {
    HostGrants.Capability needed = HostGrants.Capability.ofImport(importModule);
    if (needed == null) {
      return;
    }
    if (!def.grants().has(needed)) {
      throw new ModuleLoadException(
          "module "
              + def.label()
              + " imports "
              + what
              + " but is not granted "
              + needed.packageName()
              + " (expected: "
              + needed.configKey()
              + " in its [[module]] entry)");
    }
  }

  private String whyUnknown(String importModule, String name) {
    String iface = HostInterfaces.interfaceOf(importModule);
    if (iface != null && host.knowsInterface(iface)) {
      return iface + " has no function " + name;
    }
    int at = importModule.indexOf('@');
    if (at > 0 && host.knowsInterface(importModule.substring(0, at))) {
      return "version "
          + importModule.substring(at + 1)
          + " of "
          + importModule.substring(0, at)
          + " is not supported (expected: "
          + HostInterfaces.supportedVersions(importModule)
          + ")";
    }
    return "interface " + importModule + " is not provided";
  }

  private ModuleLoadException unknownImport(ModuleDefinition def, String what, String why) {
    return new ModuleLoadException(
        "module "
            + def.label()
            + " imports "
            + what
            + ", which the engine does not provide: "
            + why
            + " (supported: "
            + supported()
            + ", and "
            + PREVIEW1
            + ")");
  }

  /** The interfaces offered with their versions, the wruntime ones only to modules granted them. */
  private String supported() {
    List<String> wasi = new ArrayList<>();
    List<String> wruntime = new ArrayList<>();
    for (String iface : host.interfaceNames()) {
      (iface.startsWith("wruntime:") ? wruntime : wasi).add(iface);
    }
    String text = String.join(", ", wasi) + " at versions " + SUPPORTED_VERSIONS;
    if (!wruntime.isEmpty()) {
      text +=
          ", "
              + String.join(", ", wruntime)
              + " at versions "
              + HostInterfaces.supportedVersions(wruntime.get(0))
              + " when granted";
    }
    return text;
  }

  private static Optional<Export> exportOf(WasmModule module, String name) {
    for (int i = 0; i < module.exportSection().exportCount(); i++) {
      Export e = module.exportSection().getExport(i);
      if (e.name().equals(name)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  private static int functionCount(WasmModule module) {
    return module.importSection().count(ExternalType.FUNCTION)
        + module.functionSection().functionCount();
  }

  /** The type of function {@code functionIndex}, or null when there is no such function. */
  private static FunctionType functionType(WasmModule module, long functionIndex) {
    int imported = module.importSection().count(ExternalType.FUNCTION);
    if (functionIndex < 0 || functionIndex >= functionCount(module)) {
      return null;
    }
    if (functionIndex < imported) {
      int seen = 0;
      for (int i = 0; i < module.importSection().importCount(); i++) {
        if (module.importSection().getImport(i) instanceof FunctionImport fi
            && seen++ == functionIndex) {
          return module.typeSection().getType(fi.typeIndex());
        }
      }
    }
    int typeIndex = module.functionSection().getFunctionType((int) functionIndex - imported);
    return typeIndex < 0 || typeIndex >= module.typeSection().typeCount()
        ? null
        : module.typeSection().getType(typeIndex);
  }

  /** {@code (i32, i64) -> (i32)}. */
  static String format(FunctionType type) {
    return "("
        + type.params().stream().map(WasiHttpModuleLoader::format).collect(Collectors.joining(", "))
        + ") -> ("
        + type.returns().stream()
            .map(WasiHttpModuleLoader::format)
            .collect(Collectors.joining(", "))
        + ")";
  }

  private static String format(ValType type) {
    if (type.equals(ValType.I32)) {
      return "i32";
    } else if (type.equals(ValType.I64)) {
      return "i64";
    } else if (type.equals(ValType.F32)) {
      return "f32";
    } else if (type.equals(ValType.F64)) {
      return "f64";
    }
    return type.toString().toLowerCase(java.util.Locale.ROOT);
  }

  private static int patch(String digits) {
    try {
      return Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }

  private record Preview1Function(int index, FunctionType type) {}

  private static Map<String, Preview1Function> preview1Functions() {
    try (WasiPreview1 probe = WasiPreview1.builder().withLogger(ChicoryLog.INSTANCE).build()) {
      HostFunction[] functions = probe.toHostFunctions();
      Map<String, Preview1Function> byName = new HashMap<>();
      for (int i = 0; i < functions.length; i++) {
        byName.put(functions[i].name(), new Preview1Function(i, functions[i].functionType()));
      }
      return Map.copyOf(byName);
    }
  }
}
