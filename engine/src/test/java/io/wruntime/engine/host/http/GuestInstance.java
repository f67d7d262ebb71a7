package io.wruntime.engine.host.http;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionImport;
import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.HostInterfaces;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.http.IncomingRequest;
import io.wruntime.engine.http.OutboundClient;
import io.wruntime.engine.http.ResponseSink;
import io.wruntime.engine.module.ModuleDefinition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.LoggerFactory;

/**
 * A test guest instantiated on Chicory with the wasi:http host functions (and {@link TestIo}), each
 * import resolved through {@link HostInterfaces} and checked by Chicory against the guest's
 * declared type.
 */
final class GuestInstance {
  private final InstanceContext ctx;
  private final Instance instance;

  private GuestInstance(InstanceContext ctx, Instance instance) {
    this.ctx = ctx;
    this.instance = instance;
  }

  /** A context for module test.{@code name}@1.0.0 whose outgoing requests go to {@code client}. */
  static InstanceContext context(String name, OutboundClient client) {
    ModuleDefinition module =
        new ModuleDefinition(
            "test",
            name,
            "1.0.0",
            Path.of(name + ".wasm"),
            Map.of(),
            64L << 20,
            ModuleDefinition.ExecutionMode.INTERPRETED);
    return new InstanceContext(module, client, LoggerFactory.getLogger("guest." + name));
  }

  /** An outbound client for guests that must not send anything. */
  static OutboundClient noOutbound() {
    return request ->
        CompletableFuture.failedFuture(new AssertionError("unexpected outgoing request"));
  }

  static GuestInstance load(String guest, InstanceContext ctx) {
    HostInterfaces registry = new HostInterfaces();
    registry.addAll(WasiHttp.functions());
    registry.addAll(TestIo.functions());
    WasmModule module = Parser.parse(TestGuests.wasm(guest));
    List<HostFunction> functions = new ArrayList<>();
    module.importSection().stream()
        .filter(i -> i instanceof FunctionImport)
        .forEach(
            i -> {
              HostFunctionDef def =
                  registry
                      .find(i.module(), i.name())
                      .orElseThrow(
                          () ->
                              new AssertionError(
                                  "no host function for " + i.module() + "#" + i.name()));
              functions.add(
                  new HostFunction(
                      i.module(),
                      i.name(),
                      def.params(),
                      def.results(),
                      (inst, args) -> def.impl().call(ctx, args)));
            });
    Instance instance =
        Instance.builder(module)
            .withImportValues(
                ImportValues.builder().withFunctions(new ArrayList<>(functions)).build())
            .build();
    ctx.bindMemory(new GuestMemory(instance));
    for (int i = 0; i < module.exportSection().exportCount(); i++) {
      if (module.exportSection().getExport(i).name().equals("_initialize")) {
        instance.export("_initialize").apply();
      }
    }
    return new GuestInstance(ctx, instance);
  }

  InstanceContext ctx() {
    return ctx;
  }

  Instance instance() {
    return instance;
  }

  /** Serves {@code request} through the guest's incoming handler, answering on {@code response}. */
  void handle(IncomingRequest request, ResponseSink response) {
    ctx.bindRequest(request, response);
    int[] args = WasiHttp.bindIncoming(ctx);
    instance.export("wasi:http/incoming-handler@0.2.0#handle").apply(args[0], args[1]);
  }
}
