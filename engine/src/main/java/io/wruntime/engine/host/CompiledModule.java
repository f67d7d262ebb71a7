package io.wruntime.engine.host;

import static java.util.Objects.requireNonNull;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import io.wruntime.engine.module.ModuleDefinition;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import io.wruntime.engine.module.ModuleLoadException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A parsed module made ready to run the way the engine runs every module: compiled once for the
 * definition's {@link ExecutionMode}, its memory capped at the definition's limit. It builds the
 * module's instances, so the engine and the benchmarks ({@code bin/wr-benchmark cpu}) run guest
 * code in the same configuration.
 */
public final class CompiledModule {
  private static final Logger log = LoggerFactory.getLogger(CompiledModule.class);
  private static final int PAGE_SIZE = Memory.PAGE_SIZE;

  private final WasmModule module;
  private final Function<Instance, Machine> machineFactory;
  private final MemoryLimits memoryLimits;

  private CompiledModule(
      WasmModule module, Function<Instance, Machine> machineFactory, MemoryLimits memoryLimits) {
    this.module = module;
    this.machineFactory = machineFactory;
    this.memoryLimits = memoryLimits;
  }

  /**
   * Caps {@code module}'s memory at {@code def}'s limit and compiles it for {@code def}'s mode.
   *
   * @throws ModuleLoadException when the module has no memory of its own, starts above the limit,
   *     or does not compile
   */
  public static CompiledModule compile(ModuleDefinition def, WasmModule module)
      throws ModuleLoadException {
    requireNonNull(def, "definition");
    requireNonNull(module, "module");
    return compile(def, module, memoryLimits(def, module), CodeCache.disabled());
  }

  /**
   * Like {@link #compile(ModuleDefinition, WasmModule)}, with the compiled code read from and
   * written to {@code cache} (keyed by the module's digest, Chicory's version and the compiler
   * settings; an interpreted module does not use it).
   */
  public static CompiledModule compile(ModuleDefinition def, WasmModule module, CodeCache cache)
      throws ModuleLoadException {
    requireNonNull(def, "definition");
    requireNonNull(module, "module");
    return compile(def, module, memoryLimits(def, module), requireNonNull(cache, "cache"));
  }

  /**
   * Compiles one core module of a component for {@code def}'s mode: its own memory, if it defines
   * one, capped at the definition's limit; modules that import their memory, or have none, are
   * compiled as they are. The compiled code is read from and written to {@code cache}.
   */
  public static CompiledModule compilePart(ModuleDefinition def, WasmModule module, CodeCache cache)
      throws ModuleLoadException {
    requireNonNull(def, "definition");
    requireNonNull(module, "module");
    boolean ownMemory =
        module.memorySection().isPresent() && module.memorySection().get().memoryCount() > 0;
    return compile(
        def, module, ownMemory ? memoryLimits(def, module) : null, requireNonNull(cache, "cache"));
  }

  static CompiledModule compile(ModuleDefinition def, WasmModule module, MemoryLimits limits)
      throws ModuleLoadException {
    return compile(def, module, limits, CodeCache.disabled());
  }

  static CompiledModule compile(
      ModuleDefinition def, WasmModule module, MemoryLimits limits, CodeCache cache)
      throws ModuleLoadException {
    int memories = memoryCount(module);
    if (memories > 1) {
      // Chicory applies the memory limits to the first memory only: a second one would grow past
      // the definition's limit and the engine's memory budget.
      throw new ModuleLoadException(
          "module "
              + def.label()
              + ": "
              + def.wasmPath()
              + ": a core module defines "
              + memories
              + " memories (expected: one; multi-memory is not supported)");
    }
    Function<Instance, Machine> machineFactory;
    if (def.mode() == ExecutionMode.COMPILED) {
      try {
        machineFactory = compileWith(module, cache);
      } catch (RuntimeException | AssertionError e) {
        throw new ModuleLoadException(
            "module "
                + def.label()
                + ": compiling "
                + def.wasmPath()
                + " failed: "
                + e.getMessage(),
            e);
      }
    } else {
      machineFactory = InterpreterMachine::new;
    }
    return new CompiledModule(module, machineFactory, limits);
  }

  /** The memories {@code module} defines and imports. */
  private static int memoryCount(WasmModule module) {
    int count = module.memorySection().isPresent() ? module.memorySection().get().memoryCount() : 0;
    for (int i = 0; i < module.importSection().importCount(); i++) {
      if (module.importSection().getImport(i).importType() == ExternalType.MEMORY) {
        count++;
      }
    }
    return count;
  }

  /** The compiler settings of the engine; part of the code cache's key. */
  static final String COMPILER_SETTINGS = "interpreter-fallback=SILENT";

  private static Function<Instance, Machine> compileWith(WasmModule module, CodeCache cache) {
    MachineFactoryCompiler.Builder builder =
        MachineFactoryCompiler.builder(module).withInterpreterFallback(InterpreterFallback.SILENT);
    if (!cache.enabled() || module.digest() == null) {
      return builder.compile();
    }
    long rejectedBefore = cache.rejected();
    long hitsBefore = cache.hits();
    try {
      return builder.withCache(cache.forCompiler(COMPILER_SETTINGS)).compile();
    } catch (RuntimeException | LinkageError e) {
      if (cache.hits() == hitsBefore && cache.rejected() == rejectedBefore) {
        throw e;
      }
      // The entry passed its digest check but its classes did not load (written by a build whose
      // classes differ in a way the key does not capture): drop it and compile.
      log.warn("code cache: the entry of {} did not load, compiling: {}", module.digest(), e);
      cache.evict(COMPILER_SETTINGS, module.digest());
      return MachineFactoryCompiler.builder(module)
          .withInterpreterFallback(InterpreterFallback.SILENT)
          .compile();
    }
  }

  /** The parsed module. */
  public WasmModule module() {
    return module;
  }

  /** The limits of the module's memory: as declared, its maximum capped at the definition's. */
  public MemoryLimits memoryLimits() {
    return memoryLimits;
  }

  /** The most linear memory one instance may grow to, in bytes (0 without a memory of its own). */
  public long maxMemoryBytes() {
    return memoryLimits == null ? 0 : (long) memoryLimits.maximumPages() * PAGE_SIZE;
  }

  /**
   * A builder of one instance with {@code imports}: the engine's memory implementation and limits
   * and the compiled code are set; neither data segments nor the start function run at {@code
   * build()} (call {@link Instance#initialize(boolean)} once the host is bound to the instance).
   *
   * <p>The memory is Chicory's {@link ByteArrayMemory}: 64 KiB {@code byte[]} pages allocated as
   * the guest grows (like the default {@code ByteBufferMemory}, so limits, growth failure and the
   * engine's memory budget are the same), read and written through array VarHandles that the JIT
   * turns into plain loads and stores: memory-heavy guest code runs about twice as fast ({@code
   * bin/wr-benchmark cpu}, benchmarks/README.md).
   */
  public Instance.Builder instanceBuilder(ImportValues imports) {
    Instance.Builder builder =
        Instance.builder(module).withImportValues(requireNonNull(imports, "imports"));
    if (memoryLimits != null) {
      builder.withMemoryLimits(memoryLimits);
    }
    return builder
        .withMemoryFactory(ByteArrayMemory::new)
        .withMachineFactory(machineFactory)
        .withInitialize(false)
        .withStart(false);
  }

  /**
   * Like {@link #instanceBuilder(ImportValues)}, but the instance's {@link
   * Instance#initialize(boolean) initialize} does not run the module's start function (Chicory runs
   * the start section whatever its argument says): for an instance that starts from a snapshot
   * taken after the start function ran.
   */
  public Instance.Builder instanceBuilderWithoutStart(ImportValues imports) {
    Instance.Builder builder = instanceBuilder(imports);
    if (module.startSection().isEmpty()) {
      return builder;
    }
    int start = (int) module.startSection().get().startIndex();
    return builder.withMachineFactory(
        instance -> new StartSkipped(machineFactory.apply(instance), start));
  }

  /** A machine that ignores the first call of the start function (the one initialize makes). */
  private static final class StartSkipped implements Machine {
    private static final long[] NONE = new long[0];
    private final Machine delegate;
    private final int start;
    private boolean skipped;

    StartSkipped(Machine delegate, int start) {
      this.delegate = delegate;
      this.start = start;
    }

    @Override
    public long[] call(int funcId, long[] args) {
      if (!skipped && funcId == start) {
        skipped = true;
        return NONE;
      }
      return delegate.call(funcId, args);
    }
  }

  static MemoryLimits memoryLimits(ModuleDefinition def, WasmModule module)
      throws ModuleLoadException {
    if (module.memorySection().isEmpty() || module.memorySection().get().memoryCount() == 0) {
      throw new ModuleLoadException(
          "module "
              + def.label()
              + ": "
              + def.wasmPath()
              + " defines no memory (expected: a memory of its own, as wasi modules have)");
    }
    MemoryLimits declared = module.memorySection().get().getMemory(0).limits();
    // Chicory's memories cannot grow past RUNTIME_MAX_PAGES (32767 pages of 64 KiB).
    long capPages =
        Math.min(Math.max(def.maxMemoryBytes(), 0) / PAGE_SIZE, Memory.RUNTIME_MAX_PAGES);
    if (declared.initialPages() > capPages) {
      throw new ModuleLoadException(
          "module "
              + def.label()
              + " declares an initial memory of "
              + declared.initialPages()
              + " pages ("
              + (long) declared.initialPages() * PAGE_SIZE
              + " bytes), above its memory limit of "
              + def.maxMemoryBytes()
              + " bytes (expected: a larger limit, or a module that starts smaller)");
    }
    int max = (int) Math.min(declared.maximumPages(), capPages);
    return new MemoryLimits(declared.initialPages(), max, declared.shared());
  }
}
