package io.wruntime.engine.host.http;

import com.dylibso.chicory.wasm.types.ValType;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.WitResource;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the {@link HostFunctionDef}s of one interface. Flat signatures are written as strings,
 * one letter per core value ({@code i} = i32, {@code I} = i64), so each definition reads like the
 * import it implements.
 */
final class FunctionTable {
  private static final long[] NO_RESULTS = new long[0];

  private final String iface;
  private final List<HostFunctionDef> defs = new ArrayList<>();

  FunctionTable(String iface) {
    this.iface = iface;
  }

  FunctionTable add(String name, String params, String results, HostFunctionDef.Impl impl) {
    defs.add(new HostFunctionDef(iface, name, types(params), types(results), impl));
    return this;
  }

  /**
   * Adds {@code [resource-drop]resource}: removes the handle, which must be a {@code type}, and
   * closes what it holds.
   */
  FunctionTable drop(String resource, Class<? extends WitResource> type, String wit) {
    return add(
        "[resource-drop]" + resource,
        "i",
        "",
        (ctx, a) -> {
          ctx.resources().remove(a[0], type, wit).close();
          return NO_RESULTS;
        });
  }

  List<HostFunctionDef> defs() {
    return List.copyOf(defs);
  }

  private static List<ValType> types(String flat) {
    List<ValType> out = new ArrayList<>(flat.length());
    for (char c : flat.toCharArray()) {
      out.add(
          switch (c) {
            case 'i' -> ValType.I32;
            case 'I' -> ValType.I64;
            default ->
                throw new IllegalArgumentException("flat type: " + c + " (expected: i or I)");
          });
    }
    return out;
  }
}
