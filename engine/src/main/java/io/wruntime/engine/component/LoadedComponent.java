package io.wruntime.engine.component;

import static java.util.Objects.requireNonNull;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportGlobal;
import com.dylibso.chicory.runtime.ImportMemory;
import com.dylibso.chicory.runtime.ImportTable;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.TableInstance;
import io.wruntime.engine.component.ComponentLinker.CorePlan;
import io.wruntime.engine.component.ComponentLinker.Handler;
import io.wruntime.engine.component.ComponentLinker.ImportPlan;
import io.wruntime.engine.host.GuestRun;
import io.wruntime.engine.host.abi.AbiViolation;
import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.host.http.WasiHttp;
import io.wruntime.engine.host.snapshot.CopyOnWriteMemory;
import io.wruntime.engine.host.snapshot.InstanceSnapshot;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.IncomingRequest;
import io.wruntime.engine.http.OutboundClient;
import io.wruntime.engine.http.ResponseSink;
import io.wruntime.engine.module.GuestException;
import io.wruntime.engine.module.GuestModule;
import io.wruntime.engine.module.ModuleDefinition;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.LongAdder;

/**
 * A linked component: each request runs in fresh instances of all its core modules, created in the
 * order its sections declare and wired as the linker planned, then the lifted {@code
 * wasi:http/incoming-handler#handle} is called with the request's handles (and its post-return, if
 * any). Host functions reached through {@code canon lower} see the memory and realloc of their own
 * lowering's options.
 *
 * <p>Once the loader has {@link #useSnapshot taken a snapshot} of all core instances after their
 * instantiation and start functions ({@link #captureSnapshot}), each request's core instances start
 * from it instead: every memory over its captured image (copy-on-write; a memory another instance
 * imports is restored once, by its owner), globals and tables as captured, table entries that
 * pointed at one of the captured core instances pointing at the request's instance of the same
 * index; no data segment is copied and no start function runs again. After a request that returned
 * normally, its core instances are reset to the snapshot together and kept for the next request.
 */
public final class LoadedComponent implements GuestModule {
  private final ModuleDefinition definition;
  private final List<CorePlan> plans;
  private final Handler handler;
  private final OutboundClient outbound;
  private final long maxMemoryBytes;
  private volatile Snapshot snapshot;
  private final ConcurrentLinkedDeque<Pooled> idle = new ConcurrentLinkedDeque<>();
  private final LongAdder reused = new LongAdder();
  private final LongAdder reusedSetup = new LongAdder();
  private final LongAdder fresh = new LongAdder();
  private final LongAdder freshSetup = new LongAdder();
  private final LongAdder resets = new LongAdder();
  private final LongAdder resetTime = new LongAdder();

  /**
   * The core instances of one component instance kept between requests, reset to the snapshot
   * together; their host functions read the request's context from {@code binding}.
   */
  private record Pooled(Instance[] instances, Binding binding, Snapshot snapshot) {}

  /** The context of the request running in a component instance; null between requests. */
  private static final class Binding {
    private InstanceContext ctx;

    InstanceContext ctx() {
      InstanceContext c = ctx;
      if (c == null) {
        throw new IllegalStateException("a host function called outside of a request");
      }
      return c;
    }
  }

  /**
   * The state of every core instance after instantiation and start functions: {@code cores[i]} of
   * core instance i (table entries of another core instance hold its index, not the instance).
   */
  public record Snapshot(InstanceSnapshot[] cores) {
    /** Whether every core instance can be reset to its snapshot and reused. */
    public boolean reusable() {
      for (InstanceSnapshot s : cores) {
        if (!s.reusable()) {
          return false;
        }
      }
      return true;
    }

    /** The heap the snapshot keeps: its memory images' non-zero blocks. */
    public long retainedBytes() {
      long total = 0;
      for (InstanceSnapshot s : cores) {
        total += s.retainedBytes();
      }
      return total;
    }
  }

  LoadedComponent(
      ModuleDefinition definition, ComponentLinker.Linked linked, OutboundClient outbound) {
    this.definition = requireNonNull(definition, "definition");
    // The plans as the instances use them: the module of each is the compiled one, without the
    // parsed instructions of the functions compiled to classes (the linker's parsed modules, with
    // them, are not kept).
    List<CorePlan> lean = new ArrayList<>();
    for (CorePlan p : linked.plans()) {
      lean.add(new CorePlan(p.module(), p.compiled().module(), p.compiled(), p.imports()));
    }
    this.plans = List.copyOf(lean);
    this.handler = linked.handler();
    this.outbound = requireNonNull(outbound, "outbound");
    long total = 0;
    for (CorePlan p : plans) {
      total += p.compiled().maxMemoryBytes();
    }
    this.maxMemoryBytes = total;
  }

  @Override
  public ModuleDefinition definition() {
    return definition;
  }

  /** Every memory the component's core instances define, at their limits, together. */
  @Override
  public long maxMemoryBytes() {
    return maxMemoryBytes;
  }

  /** How many core instances one request creates. */
  public int coreInstanceCount() {
    return plans.size();
  }

  /** The exported handler interface, e.g. {@code wasi:http/incoming-handler@0.2.0}. */
  public String handlerExport() {
    return handler.export();
  }

  @Override
  public void handle(IncomingRequest request, ResponseSink response) throws GuestException {
    requireNonNull(request, "request");
    requireNonNull(response, "response");
    InstanceContext ctx =
        GuestRun.newContext(
            definition, outbound, GuestRun.traceId(Field.first(request.headers(), "traceparent")));
    ctx.bindRequest(request, response);
    Snapshot from = snapshot;
    boolean pooling = GuestRun.REUSE_INSTANCES && from != null && from.reusable();
    Pooled[] used = new Pooled[1];
    boolean[] completed = new boolean[1];
    try {
      GuestRun.run(
          definition,
          ctx,
          null,
          () -> {
            long start = System.nanoTime();
            Pooled pooled = pooling ? idle.pollFirst() : null;
            if (pooled != null && pooled.snapshot() != from) {
              pooled = null;
            }
            Binding binding = pooled != null ? pooled.binding() : new Binding();
            binding.ctx = ctx;
            Instance[] instances;
            if (pooled != null) {
              instances = pooled.instances();
              used[0] = pooled;
              bindHandlerMemory(ctx, instances);
              reusedSetup.add(System.nanoTime() - start);
              reused.increment();
            } else {
              instances = instantiate(ctx, binding, from);
              used[0] = new Pooled(instances, binding, from);
              freshSetup.add(System.nanoTime() - start);
              fresh.increment();
            }
            callHandler(ctx, instances);
            completed[0] = true;
            return null;
          });
    } finally {
      Pooled pooled = used[0];
      if (pooled != null) {
        pooled.binding().ctx = null;
        // Reused only after a call that returned normally and was not interrupted, and only when
        // every core instance could be reset: they are reused together or not at all.
        if (pooling
            && completed[0]
            && !Thread.currentThread().isInterrupted()
            && from == snapshot) {
          long start = System.nanoTime();
          boolean reusable = reset(from, pooled.instances());
          resetTime.add(System.nanoTime() - start);
          resets.increment();
          if (reusable) {
            idle.offerFirst(pooled);
          }
        }
      }
    }
    GuestRun.requireResponse(ctx);
  }

  /**
   * What requests paid for their component instance so far, in nanoseconds: setting up a reused one
   * (taking it from the pool, binding the request), building one from the snapshot (or from
   * scratch), and resetting one to the snapshot after its request (paid on the request's thread,
   * after the handler returned).
   */
  public record SetupCost(
      long reused, long reusedNanos, long fresh, long freshNanos, long resets, long resetNanos) {
    /** Mean nanoseconds of {@code total} over {@code count}, or 0. */
    public static double mean(long total, long count) {
      return count == 0 ? 0 : (double) total / count;
    }
  }

  /** The instance costs of the requests handled so far ({@link SetupCost}). */
  public SetupCost setupCost() {
    return new SetupCost(
        reused.sum(),
        reusedSetup.sum(),
        fresh.sum(),
        freshSetup.sum(),
        resets.sum(),
        resetTime.sum());
  }

  /** How many component instances wait, reset to the snapshot, for the next request. */
  public int idleInstances() {
    return idle.size();
  }

  private static boolean reset(Snapshot from, Instance[] instances) {
    try {
      return resetAll(from, instances);
    } catch (RuntimeException e) {
      return false; // discard the set, whatever the reason
    }
  }

  private static boolean resetAll(Snapshot from, Instance[] instances) {
    for (int i = 0; i < instances.length; i++) {
      if (!from.cores()[i].reset(instances[i], index -> instances[index])) {
        return false;
      }
    }
    return true;
  }

  private void callHandler(InstanceContext ctx, Instance[] instances) {
    int[] args = WasiHttp.bindIncoming(ctx);
    instance(instances, handler.core().instance())
        .export(handler.core().name())
        .apply(args[0], args[1]);
    if (handler.postReturn() != null) {
      instance(instances, handler.postReturn().instance())
          .export(handler.postReturn().name())
          .apply();
    }
  }

  /**
   * Creates the core instances as a request does (from the snapshot when there is one) in a fresh
   * context, without calling the handler: the instance setup per request (benchmarks).
   */
  public void instantiateAsARequest() throws GuestException {
    InstanceContext ctx = GuestRun.newContext(definition, outbound, "-");
    Snapshot from = snapshot;
    GuestRun.run(definition, ctx, null, () -> instantiate(ctx, binding(ctx), from));
  }

  /** Starts every later request's core instances from {@code snapshot}. */
  public void useSnapshot(Snapshot snapshot) {
    this.snapshot = requireNonNull(snapshot, "snapshot");
    idle.clear();
  }

  /** The snapshot requests start from, or null when each instantiates from scratch. */
  public Snapshot snapshot() {
    return snapshot;
  }

  /**
   * Instantiates every core instance once (imports, data segments, element segments, start
   * functions: whatever fails there is why the component cannot be instantiated) and captures them
   * all; or returns null, saying why in {@code whyNot}, when one of them cannot start from a
   * snapshot ({@link InstanceSnapshot#unsupportedReasonOnceStarted}) or the start functions left
   * host resources open (their handles would dangle in every request). This is the one
   * instantiation at load: the start functions run exactly once.
   */
  public Snapshot captureSnapshot(StringBuilder whyNot) throws GuestException {
    requireNonNull(whyNot, "whyNot");
    InstanceContext ctx = GuestRun.newContext(definition, outbound, "-");
    return GuestRun.run(
        definition,
        ctx,
        null,
        () -> {
          Instance[] instances = instantiate(ctx, binding(ctx), null);
          for (int i = 0; i < plans.size(); i++) {
            String reason =
                InstanceSnapshot.unsupportedReasonOnceStarted(plans.get(i).compiled().module());
            if (reason != null) {
              whyNot
                  .append("core instance ")
                  .append(i)
                  .append(" cannot be snapshotted: ")
                  .append(reason);
              return null;
            }
          }
          int open = ctx.resources().all().size();
          if (open > 0) {
            whyNot
                .append("the start functions left ")
                .append(open)
                .append(" host resource(s) open");
            return null;
          }
          InstanceSnapshot[] cores = new InstanceSnapshot[instances.length];
          Map<Instance, Integer> captured = new IdentityHashMap<>();
          for (int i = 0; i < instances.length; i++) {
            captured.put(instances[i], i);
          }
          for (int i = 0; i < instances.length; i++) {
            cores[i] =
                InstanceSnapshot.capture(instances[i], true, other -> index(captured, other));
          }
          return new Snapshot(cores);
        });
  }

  /** Whether instantiating runs guest code (a core module's start function). */
  public boolean hasStart() {
    for (CorePlan p : plans) {
      if (p.compiled().module().startSection().isPresent()) {
        return true;
      }
    }
    return false;
  }

  private static Binding binding(InstanceContext ctx) {
    Binding binding = new Binding();
    binding.ctx = ctx;
    return binding;
  }

  private Instance[] instantiate(InstanceContext ctx, Binding binding, Snapshot from) {
    Instance[] instances = new Instance[plans.size()];
    List<Memory> importedMemories = new ArrayList<>();
    for (int i = 0; i < instances.length; i++) {
      CorePlan plan = plans.get(i);
      ImportValues.Builder values = ImportValues.builder();
      importedMemories.clear();
      for (ImportPlan imp : plan.imports()) {
        switch (imp.kind()) {
          case FUNCTION -> values.addFunction(function(binding, instances, imp));
          case MEMORY -> {
            Memory memory = memory(instances, imp.source());
            importedMemories.add(memory);
            values.addMemory(new ImportMemory(imp.module(), imp.name(), memory));
          }
          case TABLE ->
              values.addTable(new ImportTable(imp.module(), imp.name(), table(instances, imp)));
          case GLOBAL ->
              values.addGlobal(new ImportGlobal(imp.module(), imp.name(), global(instances, imp)));
          case TAG -> throw new IllegalStateException("tags are refused at load");
        }
      }
      Instance.Builder builder;
      if (from != null) {
        // The start functions already ran: their effects are in the snapshot.
        builder = plan.compiled().instanceBuilderWithoutStart(values.build());
        from.cores()[i].prepare(builder);
      } else {
        builder = plan.compiled().instanceBuilder(values.build());
      }
      Instance instance = builder.build();
      instances[i] = instance;
      if (from != null) {
        // The owner's image already holds what this instance's data segments wrote into it.
        for (Memory memory : importedMemories) {
          if (memory instanceof CopyOnWriteMemory cow) {
            cow.skipNextInitialize();
          }
        }
      }
      // The component model never calls an exported _start (the start section still runs).
      instance.initialize(false);
    }
    if (from != null) {
      // After all are built: a table may hold functions of instances created after its owner.
      for (int i = 0; i < instances.length; i++) {
        from.cores()[i].restore(instances[i], index -> instances[index]);
      }
    }
    bindHandlerMemory(ctx, instances);
    return instances;
  }

  private void bindHandlerMemory(InstanceContext ctx, Instance[] instances) {
    if (handler.memory() != null) {
      ctx.bindMemory(new GuestMemory(memory(instances, handler.memory()), null));
    }
  }

  private static int index(Map<Instance, Integer> captured, Instance other) {
    Integer index = captured.get(other);
    if (index == null) {
      throw new IllegalStateException(
          "a snapshotted table refers to an instance that is not one of the component's");
    }
    return index;
  }

  private static Instance instance(Instance[] instances, int index) {
    Instance instance = instances[index];
    if (instance == null) {
      throw new AbiViolation(
          "core instance "
              + index
              + " is used before it is instantiated (expected: wiring in order)");
    }
    return instance;
  }

  private static HostFunction function(Binding binding, Instance[] instances, ImportPlan imp) {
    return switch (imp.source()) {
      case CoreItem.ExportOf e -> {
        ExportFunction target = instance(instances, e.instance()).export(e.name());
        yield new HostFunction(
            imp.module(), imp.name(), imp.type(), (caller, args) -> target.apply(args));
      }
      case CoreItem.Lowered l -> lowered(binding, instances, imp, l);
    };
  }

  private static HostFunction lowered(
      Binding binding, Instance[] instances, ImportPlan imp, CoreItem.Lowered l) {
    HostFunctionDef.Impl impl = l.def().impl();
    String name = l.instance() + "#" + l.function();
    return new HostFunction(
        imp.module(),
        imp.name(),
        imp.type(),
        (caller, args) -> {
          InstanceContext ctx = binding.ctx();
          GuestMemory memory = null;
          if (l.memory() != null) {
            ExportFunction realloc =
                l.realloc() instanceof CoreItem.ExportOf r
                    ? instance(instances, r.instance()).export(r.name())
                    : null;
            memory = new GuestMemory(memory(instances, l.memory()), realloc);
          }
          GuestMemory previous = ctx.swapMemory(memory);
          try {
            return impl.call(ctx, args);
          } catch (AbiViolation e) {
            throw new AbiViolation(name + ": " + e.getMessage());
          } finally {
            ctx.swapMemory(previous);
          }
        });
  }

  private static Memory memory(Instance[] instances, CoreItem item) {
    if (item instanceof CoreItem.ExportOf e) {
      Memory m = instance(instances, e.instance()).exports().memory(e.name());
      if (m != null) {
        return m;
      }
    }
    throw new AbiViolation("a memory of the component is not a core instance's memory export");
  }

  private static TableInstance table(Instance[] instances, ImportPlan imp) {
    if (imp.source() instanceof CoreItem.ExportOf e) {
      return instance(instances, e.instance()).exports().table(e.name());
    }
    throw new AbiViolation("table " + imp.name() + " is not a core instance's table export");
  }

  private static GlobalInstance global(Instance[] instances, ImportPlan imp) {
    if (imp.source() instanceof CoreItem.ExportOf e) {
      return instance(instances, e.instance()).exports().global(e.name());
    }
    throw new AbiViolation("global " + imp.name() + " is not a core instance's global export");
  }
}
