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
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.IncomingRequest;
import io.wruntime.engine.http.OutboundClient;
import io.wruntime.engine.http.ResponseSink;
import io.wruntime.engine.module.GuestException;
import io.wruntime.engine.module.GuestModule;
import io.wruntime.engine.module.ModuleDefinition;
import java.util.List;

/**
 * A linked component: each request runs in fresh instances of all its core modules, created in the
 * order its sections declare and wired as the linker planned, then the lifted {@code
 * wasi:http/incoming-handler#handle} is called with the request's handles (and its post-return, if
 * any). Host functions reached through {@code canon lower} see the memory and realloc of their own
 * lowering's options.
 */
public final class LoadedComponent implements GuestModule {
  private final ModuleDefinition definition;
  private final List<CorePlan> plans;
  private final Handler handler;
  private final OutboundClient outbound;
  private final long maxMemoryBytes;

  LoadedComponent(
      ModuleDefinition definition, ComponentLinker.Linked linked, OutboundClient outbound) {
    this.definition = requireNonNull(definition, "definition");
    this.plans = linked.plans();
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
    GuestRun.run(
        definition,
        ctx,
        null,
        () -> {
          Instance[] instances = instantiate(ctx, true);
          int[] args = WasiHttp.bindIncoming(ctx);
          instance(instances, handler.core().instance())
              .export(handler.core().name())
              .apply(args[0], args[1]);
          if (handler.postReturn() != null) {
            instance(instances, handler.postReturn().instance())
                .export(handler.postReturn().name())
                .apply();
          }
          return null;
        });
    GuestRun.requireResponse(ctx);
  }

  /**
   * Instantiates every core instance in a fresh context: without start functions (a link check), or
   * with them (what a request does before the handler).
   */
  public void instantiateOnce(boolean runStart) throws GuestException {
    InstanceContext ctx = GuestRun.newContext(definition, outbound, "-");
    GuestRun.run(definition, ctx, null, () -> instantiate(ctx, runStart));
  }

  /** Whether instantiating runs guest code (a core module's start function). */
  public boolean hasStart() {
    for (CorePlan p : plans) {
      if (p.parsed().startSection().isPresent()) {
        return true;
      }
    }
    return false;
  }

  private Instance[] instantiate(InstanceContext ctx, boolean runStart) {
    Instance[] instances = new Instance[plans.size()];
    for (int i = 0; i < instances.length; i++) {
      CorePlan plan = plans.get(i);
      ImportValues.Builder values = ImportValues.builder();
      for (ImportPlan imp : plan.imports()) {
        switch (imp.kind()) {
          case FUNCTION -> values.addFunction(function(ctx, instances, imp));
          case MEMORY ->
              values.addMemory(
                  new ImportMemory(imp.module(), imp.name(), memory(instances, imp.source())));
          case TABLE ->
              values.addTable(new ImportTable(imp.module(), imp.name(), table(instances, imp)));
          case GLOBAL ->
              values.addGlobal(new ImportGlobal(imp.module(), imp.name(), global(instances, imp)));
          case TAG -> throw new IllegalStateException("tags are refused at load");
        }
      }
      Instance instance = plan.compiled().instanceBuilder(values.build()).build();
      instances[i] = instance;
      instance.initialize(runStart);
    }
    if (handler.memory() != null) {
      ctx.bindMemory(new GuestMemory(memory(instances, handler.memory()), null));
    }
    return instances;
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

  private static HostFunction function(InstanceContext ctx, Instance[] instances, ImportPlan imp) {
    return switch (imp.source()) {
      case CoreItem.ExportOf e -> {
        ExportFunction target = instance(instances, e.instance()).export(e.name());
        yield new HostFunction(
            imp.module(), imp.name(), imp.type(), (caller, args) -> target.apply(args));
      }
      case CoreItem.Lowered l -> lowered(ctx, instances, imp, l);
    };
  }

  private static HostFunction lowered(
      InstanceContext ctx, Instance[] instances, ImportPlan imp, CoreItem.Lowered l) {
    HostFunctionDef.Impl impl = l.def().impl();
    String name = l.instance() + "#" + l.function();
    return new HostFunction(
        imp.module(),
        imp.name(),
        imp.type(),
        (caller, args) -> {
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
