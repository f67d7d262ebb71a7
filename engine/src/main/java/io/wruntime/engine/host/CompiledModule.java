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
import com.dylibso.chicory.runtime.internal.CompilerInterpreterMachine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.CodeSection;
import com.dylibso.chicory.wasm.types.CustomSection;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import io.wruntime.engine.module.ModuleDefinition;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import io.wruntime.engine.module.ModuleLoadException;
import java.io.ByteArrayInputStream;
import java.lang.reflect.Field;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Set;
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
    return compilePart(def, module, requireNonNull(cache, "cache"), false);
  }

  private static CompiledModule compilePart(
      ModuleDefinition def, WasmModule module, CodeCache cache, boolean cachedOnly)
      throws ModuleLoadException {
    boolean ownMemory =
        module.memorySection().isPresent() && module.memorySection().get().memoryCount() > 0;
    return compile(def, module, ownMemory ? memoryLimits(def, module) : null, cache, cachedOnly);
  }

  /** Bytes that are not a valid core module: the parser's message. */
  public static final class InvalidModule extends Exception {
    InvalidModule(Throwable cause) {
      super(cause.getMessage(), cause);
    }
  }

  /**
   * Parses one core module of a component and {@link #compilePart compiles} it. When the code cache
   * holds compiled code of these exact bytes (same digest, Chicory version and settings), they were
   * validated when that code was compiled: the function bodies are parsed without validating them
   * again (about 40% of a warm load of the componentize-js guest); only the bodies kept for the
   * interpreter are validated, as part of the module instances are built from. Should the entry
   * turn out missing or unusable, or every body be kept, the module is parsed again with validation
   * and compiled: nothing unvalidated is ever compiled or interpreted.
   *
   * @throws InvalidModule when the bytes do not parse or validate
   */
  public static CompiledModule parseAndCompilePart(
      ModuleDefinition def, byte[] bytes, CodeCache cache)
      throws InvalidModule, ModuleLoadException {
    return compilePart(def, parseForLink(def, bytes, cache), cache);
  }

  /**
   * A core module parsed for linking: {@code validated} false when its bodies were not validated
   * because the code cache holds its compiled code ({@link #compilePart(ModuleDefinition, Parsed,
   * CodeCache)} then takes the code from the cache or validates).
   */
  public record Parsed(WasmModule module, boolean validated, byte[] bytes) {}

  /** Parses {@code bytes}, without validating the bodies when the code cache holds their code. */
  public static Parsed parseForLink(ModuleDefinition def, byte[] bytes, CodeCache cache)
      throws InvalidModule {
    requireNonNull(def, "definition");
    requireNonNull(bytes, "bytes");
    requireNonNull(cache, "cache");
    boolean trusted =
        def.mode() == ExecutionMode.COMPILED
            && cache.enabled()
            && cache.holds(COMPILER_SETTINGS, digest(bytes));
    return new Parsed(parse(bytes, !trusted), !trusted, bytes);
  }

  /**
   * Compiles {@code parsed} as {@link #compilePart(ModuleDefinition, WasmModule, CodeCache)}; one
   * parsed without validation takes its code from the cache, or is parsed again with validation.
   */
  public static CompiledModule compilePart(ModuleDefinition def, Parsed parsed, CodeCache cache)
      throws InvalidModule, ModuleLoadException {
    if (!parsed.validated()) {
      try {
        CompiledModule compiled = compilePart(def, parsed.module(), cache, true);
        if (compiled.module() != parsed.module()) {
          return compiled; // what instances run of it was validated (withoutCompiledBodies)
        }
        // Every body is kept for the interpreter: all of them must be validated.
      } catch (ModuleLoadException e) {
        if (!(e.getCause() instanceof CodeCache.Missed)) {
          throw e;
        }
        log.debug("code cache: the entry of {} is not usable, validating", def.label());
      }
      return compilePart(def, parse(parsed.bytes(), true), cache, false);
    }
    return compilePart(def, parsed.module(), cache, false);
  }

  private static WasmModule parse(byte[] bytes, boolean validate) throws InvalidModule {
    try {
      return Parser.builder()
          .withValidation(validate)
          .build()
          .parse(() -> new ByteArrayInputStream(bytes));
    } catch (RuntimeException | AssertionError e) {
      throw new InvalidModule(e);
    }
  }

  /** The digest Chicory's parser gives {@code bytes} (its default algorithm, SHA-256). */
  static String digest(byte[] bytes) {
    try {
      return "sha-256:"
          + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  static CompiledModule compile(ModuleDefinition def, WasmModule module, MemoryLimits limits)
      throws ModuleLoadException {
    return compile(def, module, limits, CodeCache.disabled());
  }

  static CompiledModule compile(
      ModuleDefinition def, WasmModule module, MemoryLimits limits, CodeCache cache)
      throws ModuleLoadException {
    return compile(def, module, limits, cache, false);
  }

  /** With {@code cachedOnly}, the code must come from {@code cache}: a miss is never compiled. */
  private static CompiledModule compile(
      ModuleDefinition def,
      WasmModule module,
      MemoryLimits limits,
      CodeCache cache,
      boolean cachedOnly)
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
    WasmModule runWith = module;
    if (def.mode() == ExecutionMode.COMPILED) {
      try {
        machineFactory = unwrap(compileWith(module, cache, cachedOnly));
        runWith = withoutCompiledBodies(module, machineFactory, cachedOnly);
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
    return new CompiledModule(runWith, machineFactory, limits);
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

  private static Function<Instance, Machine> compileWith(
      WasmModule module, CodeCache cache, boolean cachedOnly) {
    MachineFactoryCompiler.Builder builder =
        MachineFactoryCompiler.builder(module).withInterpreterFallback(InterpreterFallback.SILENT);
    if (!cache.enabled() || module.digest() == null) {
      if (cachedOnly) {
        throw new CodeCache.Missed();
      }
      return builder.compile();
    }
    long rejectedBefore = cache.rejected();
    long hitsBefore = cache.hits();
    try {
      return builder.withCache(cache.forCompiler(COMPILER_SETTINGS, cachedOnly)).compile();
    } catch (RuntimeException | LinkageError e) {
      if (cachedOnly || (cache.hits() == hitsBefore && cache.rejected() == rejectedBefore)) {
        if (cachedOnly && !(e instanceof CodeCache.Missed)) {
          cache.evict(COMPILER_SETTINGS, module.digest());
          throw new CodeCache.Missed();
        }
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

  /**
   * The module its instances are built from: the parsed module, or, compiled, the parsed module
   * without the instructions of the functions compiled to JVM classes ({@link
   * #withoutCompiledBodies}).
   */
  public WasmModule module() {
    return module;
  }

  /**
   * The machine factory Chicory's compiler wraps in a {@link
   * com.dylibso.chicory.runtime.CompiledModule}, which keeps the parsed module it was compiled from
   * and accepts only instances of that module object.
   */
  private static Function<Instance, Machine> unwrap(Function<Instance, Machine> factory) {
    if (factory instanceof com.dylibso.chicory.runtime.CompiledModule compiled) {
      return compiled.machineFactory();
    }
    return factory;
  }

  /**
   * {@code module} with the body of every function that {@code factory}'s classes run replaced by
   * one {@code unreachable}: a compiled module keeps only what instances still read, the bodies of
   * the functions Chicory's compiler left to its interpreter (too large for a JVM method). The
   * parsed instructions of the other functions are most of a large module's heap (the
   * componentize-js guest: ~300 MiB for 12,706 functions). Custom sections but the name section are
   * dropped too. {@code module} itself is returned, unchanged, when which functions are interpreted
   * cannot be told, or when an interpreted function could reach another function's body through the
   * interpreter (tail calls, {@code call_ref}). With {@code validate}, the result is validated
   * (what is left of it: the interpreted bodies): Chicory's validator also completes instructions
   * the interpreter reads (the value type of {@code drop} and {@code select}).
   */
  static WasmModule withoutCompiledBodies(
      WasmModule module, Function<Instance, Machine> factory, boolean validate) {
    Set<Integer> interpreted = interpretedFunctions(factory);
    int imported = module.importSection().count(ExternalType.FUNCTION);
    int count = module.codeSection().functionBodyCount();
    if (interpreted == null || count == 0) {
      return module;
    }
    CodeSection.Builder code =
        CodeSection.builder().setRequiresDataCount(module.codeSection().isRequiresDataCount());
    for (int i = 0; i < count; i++) {
      FunctionBody body = module.codeSection().getFunctionBody(i);
      if (!interpreted.contains(imported + i)) {
        body = UNREACHABLE_BODY;
      } else if (reachesOtherBodies(body)) {
        return module;
      }
      code.addFunctionBody(body);
    }
    WasmModule.Builder lean =
        WasmModule.builder()
            .withValidation(validate)
            .withDigest(module.digest())
            .setTypeSection(module.typeSection())
            .setImportSection(module.importSection())
            .setFunctionSection(module.functionSection())
            .setTableSection(module.tableSection())
            .setGlobalSection(module.globalSection())
            .setExportSection(module.exportSection())
            .setElementSection(module.elementSection())
            .setCodeSection(code.build())
            .setDataSection(module.dataSection());
    module.memorySection().ifPresent(lean::setMemorySection);
    module.startSection().ifPresent(lean::setStartSection);
    module.dataCountSection().ifPresent(lean::setDataCountSection);
    module.tagSection().ifPresent(lean::setTagSection);
    CustomSection names = module.customSection("name");
    if (names != null) {
      lean.addCustomSection("name", names);
    }
    return lean.build();
  }

  /**
   * The functions (by index, imports included) that the classes of {@code factory} leave to
   * Chicory's interpreter, read from a machine made without an instance: the generated machine
   * hands them to a {@link CompilerInterpreterMachine}, and has none when every function compiled.
   * Null when the machine is not one Chicory's compiler generated as 1.7 does.
   */
  @SuppressWarnings("unchecked")
  static Set<Integer> interpretedFunctions(Function<Instance, Machine> factory) {
    try {
      Machine machine = factory.apply(null);
      Class<?> generated = machine.getClass();
      if (generated.getDeclaredField("instance").getType() != Instance.class) {
        return null;
      }
      Field interpreter;
      try {
        interpreter = generated.getDeclaredField("compilerInterpreterMachine");
      } catch (NoSuchFieldException e) {
        return Set.of();
      }
      interpreter.setAccessible(true);
      Object fallback = interpreter.get(machine);
      Field ids = CompilerInterpreterMachine.class.getDeclaredField("interpretedFuncIds");
      ids.setAccessible(true);
      return Set.copyOf((Set<Integer>) ids.get(fallback));
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug(
          "cannot tell which functions Chicory interprets, keeping every body: {}", e.toString());
      return null;
    }
  }

  /** Whether the interpreter, running {@code body}, could run another function's body itself. */
  private static boolean reachesOtherBodies(FunctionBody body) {
    for (var instruction : body.instructions()) {
      switch (instruction.opcode()) {
        case RETURN_CALL, RETURN_CALL_INDIRECT, RETURN_CALL_REF, CALL_REF -> {
          return true;
        }
        default -> {}
      }
    }
    return false;
  }

  /** {@code (func unreachable)}: what a compiled function's body is replaced with. */
  private static final FunctionBody UNREACHABLE_BODY =
      Parser.parse(
              new byte[] {
                0,
                'a',
                's',
                'm',
                1,
                0,
                0,
                0, // header
                1,
                4,
                1,
                0x60,
                0,
                0, // type section: () -> ()
                3,
                2,
                1,
                0, // function section: one function of type 0
                10,
                5,
                1,
                3,
                0,
                0x00,
                0x0b // code section: no locals, unreachable, end
              })
          .codeSection()
          .getFunctionBody(0);

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
