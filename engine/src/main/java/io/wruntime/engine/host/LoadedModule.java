package io.wruntime.engine.host;

import static java.util.Objects.requireNonNull;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.types.FunctionType;
import io.wruntime.engine.host.abi.AbiViolation;
import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.host.cli.GuestOutput;
import io.wruntime.engine.host.cli.WasiCli;
import io.wruntime.engine.host.http.WasiHttp;
import io.wruntime.engine.host.snapshot.IdleMemory;
import io.wruntime.engine.host.snapshot.InstanceSnapshot;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.IncomingRequest;
import io.wruntime.engine.http.OutboundClient;
import io.wruntime.engine.http.ResponseSink;
import io.wruntime.engine.module.GuestException;
import io.wruntime.engine.module.GuestModule;
import io.wruntime.engine.module.ModuleDefinition;
import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.slf4j.Logger;

/**
 * A parsed, checked and compiled module: every call runs in a fresh Chicory instance whose imports
 * were resolved at load time. Once the loader has {@link #useSnapshot taken a snapshot} after the
 * module's initialization, each instance starts from it (a copy-on-write memory over the image,
 * globals and tables restored, no data segments copied and no {@code _initialize}); per-call work
 * is then building that instance and binding the host functions to the call's {@link
 * InstanceContext}. Without a snapshot each instance runs its data segments and {@code
 * _initialize}.
 *
 * <p>An instance from the snapshot whose call returned normally is {@link InstanceSnapshot#reset
 * reset} and kept for a later call (no more idle instances than ran at once, and, over all modules,
 * no more memory held idle than {@link IdleMemory} allows); one whose call failed or was
 * interrupted, or that cannot be reset completely, is discarded.
 */
final class LoadedModule implements GuestModule {
  /** Where guests' stdout and stderr lines go. */
  static final Logger GUEST_LOG = GuestRun.GUEST_LOG;

  private static final SecureRandom SECURE_RANDOM = new SecureRandom();

  private final ModuleDefinition definition;
  private final CompiledModule compiled;
  private final List<ImportBinding> imports;
  private final boolean wasiPreview1;
  private final boolean hasInitialize;
  private final String handleExport;
  private final OutboundClient outbound;
  private volatile InstanceSnapshot snapshot;
  private final ConcurrentLinkedDeque<Pooled> idle = new ConcurrentLinkedDeque<>();

  LoadedModule(
      ModuleDefinition definition,
      CompiledModule compiled,
      List<ImportBinding> imports,
      boolean hasInitialize,
      String handleExport,
      OutboundClient outbound) {
    this.definition = requireNonNull(definition, "definition");
    this.compiled = requireNonNull(compiled, "compiled");
    this.imports = List.copyOf(imports);
    this.wasiPreview1 = imports.stream().anyMatch(i -> i instanceof ImportBinding.Preview1);
    this.hasInitialize = hasInitialize;
    this.handleExport = requireNonNull(handleExport, "handleExport");
    this.outbound = requireNonNull(outbound, "outbound");
  }

  @Override
  public ModuleDefinition definition() {
    return definition;
  }

  @Override
  public long maxMemoryBytes() {
    return compiled.maxMemoryBytes();
  }

  /** Whether the module exports {@code _initialize}, run in each instance before the call. */
  boolean hasInitialize() {
    return hasInitialize;
  }

  /** Starts every later instance from {@code snapshot} instead of running the initialization. */
  void useSnapshot(InstanceSnapshot snapshot) {
    this.snapshot = requireNonNull(snapshot, "snapshot");
    idle.clear();
  }

  /** How many built instances wait, reset to the snapshot, for the next call. */
  int idleInstances() {
    return idle.size();
  }

  /** The snapshot instances start from, or null when each runs its initialization. */
  InstanceSnapshot snapshot() {
    return snapshot;
  }

  /**
   * Instantiates and initializes the module (data segments, {@code _initialize}) bound to {@code
   * ctx} and captures the result, or returns null, saying why in {@code whyNot}, when the module's
   * instances cannot start from a snapshot (see {@link InstanceSnapshot#unsupportedReason}) or its
   * initialization left resources open in the host (their handles would dangle in every instance).
   */
  InstanceSnapshot captureSnapshot(InstanceContext ctx, StringBuilder whyNot)
      throws GuestException {
    String unsupported = InstanceSnapshot.unsupportedReason(compiled.module());
    if (unsupported != null) {
      whyNot.append(unsupported);
      run(ctx, instance -> null);
      return null;
    }
    return run(
        ctx,
        true,
        true,
        instance -> {
          int open = ctx.resources().all().size();
          if (open > 0) {
            whyNot.append("its initialization left ").append(open).append(" host resource(s) open");
            return null;
          }
          return InstanceSnapshot.capture(instance);
        });
  }

  /** The export called for each request, e.g. {@code wasi:http/incoming-handler@0.2.0#handle}. */
  String handleExport() {
    return handleExport;
  }

  @Override
  public void handle(IncomingRequest request, ResponseSink response) throws GuestException {
    requireNonNull(request, "request");
    requireNonNull(response, "response");
    String traceId = traceId(Field.first(request.headers(), "traceparent"));
    InstanceContext ctx = newContext(traceId);
    ctx.bindRequest(request, response);
    run(
        ctx,
        instance -> {
          int[] args = WasiHttp.bindIncoming(ctx);
          instance.export(handleExport).apply(args[0], args[1]);
          return null;
        });
    GuestRun.requireResponse(ctx);
  }

  /** A context for one call, its guest output tagged with {@code traceId}. */
  InstanceContext newContext(String traceId) {
    return GuestRun.newContext(definition, outbound, traceId);
  }

  /** What runs in an instance once it is initialized. */
  @FunctionalInterface
  interface GuestCall<T> {
    T call(Instance instance);
  }

  /**
   * Instantiates the module bound to {@code ctx}, runs {@code _initialize} and then {@code call};
   * whatever happens, releases every resource the instance still holds. Failures become {@link
   * GuestException}s; nothing else escapes.
   */
  <T> T run(InstanceContext ctx, GuestCall<T> call) throws GuestException {
    return run(ctx, true, false, call);
  }

  /** Instantiates without running {@code _initialize} or anything else: a link check. */
  void runWithoutInitialize(InstanceContext ctx) throws GuestException {
    run(ctx, false, true, instance -> null);
  }

  private <T> T run(InstanceContext ctx, boolean initialize, boolean fresh, GuestCall<T> call)
      throws GuestException {
    Preview1Functions wasi = wasiPreview1 ? new Preview1Functions(ctx, WasiCli.output(ctx)) : null;
    InstanceSnapshot from = fresh ? null : snapshot;
    boolean pooling = GuestRun.REUSE_INSTANCES && from != null && from.reusable();
    Pooled[] used = new Pooled[1];
    boolean[] completed = new boolean[1];
    try {
      return GuestRun.run(
          definition,
          ctx,
          wasi,
          () -> {
            Pooled pooled = pooling ? idle.pollFirst() : null;
            if (pooled != null) {
              pooled.idleHold.clean();
              pooled.idleHold = null;
            }
            if (pooled != null && pooled.snapshot != from) {
              pooled = null;
            }
            if (pooled == null) {
              pooled = new Pooled(new Binding(), from);
              pooled.binding.bind(ctx, wasi);
              used[0] = pooled;
              pooled.instance = instantiate(ctx, pooled.binding, from);
            } else {
              pooled.binding.bind(ctx, wasi);
              used[0] = pooled;
              ctx.bindMemory(new GuestMemory(pooled.instance));
            }
            if (from == null && initialize && hasInitialize) {
              pooled.instance.export("_initialize").apply();
            }
            T result = call.call(pooled.instance);
            completed[0] = true;
            return result;
          });
    } finally {
      Pooled pooled = used[0];
      if (pooled != null) {
        pooled.binding.clear();
        // Only an instance whose call returned normally, and was not interrupted, is reused: a
        // trap, an exit, an ABI violation or the deadline may have left it mid-way.
        if (pooling
            && completed[0]
            && !Thread.currentThread().isInterrupted()
            && from == snapshot
            && resetQuietly(from, pooled.instance)
            && (pooled.idleHold = IdleMemory.hold(pooled, pooled.instance)) != null) {
          idle.offerFirst(pooled);
        }
      }
    }
  }

  /** Resets {@code instance}; false (discard it) when it cannot be, whatever the reason. */
  private static boolean resetQuietly(InstanceSnapshot from, Instance instance) {
    try {
      return from.reset(instance);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * An instance built from the snapshot, kept between calls: its host functions read the current
   * call's context from {@code binding}, set for a call and cleared after it.
   */
  private static final class Pooled {
    final Binding binding;
    final InstanceSnapshot snapshot;
    Instance instance;

    /** While idle: the count of its memory in {@link IdleMemory}. */
    Cleaner.Cleanable idleHold;

    Pooled(Binding binding, InstanceSnapshot snapshot) {
      this.binding = binding;
      this.snapshot = snapshot;
    }
  }

  /**
   * What an instance's host functions are bound to: the context (and WASI preview 1) of the call
   * running in the instance, null between calls. Set and read on the call's thread.
   */
  static final class Binding {
    private InstanceContext ctx;
    private Preview1Functions preview1;

    void bind(InstanceContext ctx, Preview1Functions preview1) {
      this.ctx = ctx;
      this.preview1 = preview1;
    }

    void clear() {
      this.ctx = null;
      this.preview1 = null;
    }

    InstanceContext ctx() {
      InstanceContext c = ctx;
      if (c == null) {
        throw new IllegalStateException("a host function called outside of a call");
      }
      return c;
    }

    Preview1Functions preview1() {
      Preview1Functions p = preview1;
      if (p == null) {
        throw new IllegalStateException("a WASI preview 1 function called outside of a call");
      }
      return p;
    }
  }

  /** Calls the export {@code name} with {@code args} in a fresh instance (tests, probes). */
  long[] call(InstanceContext ctx, String name, long... args) throws GuestException {
    return run(ctx, instance -> instance.export(name).apply(args));
  }

  private Instance instantiate(InstanceContext ctx, Binding binding, InstanceSnapshot from) {
    ImportFunction[] functions = new ImportFunction[imports.size()];
    for (int i = 0; i < functions.length; i++) {
      functions[i] = imports.get(i).bind(binding);
    }
    Instance.Builder builder =
        compiled.instanceBuilder(ImportValues.builder().addFunction(functions).build());
    if (from != null) {
      from.prepare(builder);
    }
    Instance instance = builder.build();
    // Bound before initialization: a start function may already call the host.
    ctx.bindMemory(new GuestMemory(instance));
    instance.initialize(false);
    if (from != null) {
      from.restore(instance);
    }
    return instance;
  }

  /**
   * Chicory's WASI preview 1 for one call, made when the guest first calls one of its functions:
   * most requests of most modules call none (libc imports them for stdio it seldom uses), and
   * making it costs about as much as building the instance.
   */
  static final class Preview1Functions implements AutoCloseable {
    private final InstanceContext ctx;
    private final GuestOutput output;
    private WasiPreview1 wasi;
    private HostFunction[] functions;

    Preview1Functions(InstanceContext ctx, GuestOutput output) {
      this.ctx = ctx;
      this.output = output;
    }

    /** Guest calls of an instance run on one thread at a time: no locking. */
    HostFunction function(int index) {
      if (functions == null) {
        wasi = preview1(ctx, output);
        functions = wasi.toHostFunctions();
      }
      return functions[index];
    }

    @Override
    public void close() {
      if (wasi != null) {
        wasi.close();
      }
    }
  }

  private static WasiPreview1 preview1(InstanceContext ctx, GuestOutput output) {
    WasiOptions.Builder options =
        WasiOptions.builder()
            .withStdout(output.stdout(), false)
            .withStderr(output.stderr(), false)
            .withStdin(InputStream.nullInputStream(), false)
            .withArguments(List.of())
            .withRandom(SECURE_RANDOM);
    for (Map.Entry<String, String> e : ctx.module().env().entrySet()) {
      options.withEnvironment(e.getKey(), e.getValue());
    }
    return WasiPreview1.builder()
        .withLogger(ChicoryLog.INSTANCE)
        .withOptions(options.build())
        .build();
  }

  /** The trace id of a W3C {@code traceparent} header value, or {@code "-"}. */
  static String traceId(String traceparent) {
    return GuestRun.traceId(traceparent);
  }

  /** How one import of the module is provided; resolved once at load time. */
  sealed interface ImportBinding {
    ImportFunction bind(Binding binding);

    /** A wasi 0.2 host function, calling into the context {@code binding} holds. */
    record Host(String module, String name, FunctionType type, HostFunctionDef def)
        implements ImportBinding {
      @Override
      public ImportFunction bind(Binding binding) {
        HostFunctionDef.Impl impl = def.impl();
        return new HostFunction(
            module,
            name,
            type,
            (instance, args) -> {
              try {
                return impl.call(binding.ctx(), args);
              } catch (AbiViolation e) {
                throw new AbiViolation(module + "#" + name + ": " + e.getMessage());
              }
            });
      }
    }

    /**
     * A WASI preview 1 function of Chicory's implementation: its index in toHostFunctions(), its
     * name and type.
     */
    record Preview1(int index, String name, FunctionType type) implements ImportBinding {
      @Override
      public ImportFunction bind(Binding binding) {
        return new HostFunction(
            WasiHttpModuleLoader.PREVIEW1,
            name,
            type,
            (instance, args) -> binding.preview1().function(index).handle().apply(instance, args));
      }
    }
  }
}
