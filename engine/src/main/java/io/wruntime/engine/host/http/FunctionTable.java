package io.wruntime.engine.host.http;

import com.dylibso.chicory.wasm.types.ValType;
import io.wruntime.engine.host.abi.HostFunctionDef;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the {@link HostFunctionDef}s of one interface. Flat signatures are written as strings,
 * one letter per core value ({@code i} = i32, {@code I} = i64), so each definition reads like the
 * import it implements.
 */
final class FunctionTable {
  private final String iface;
  private final List<HostFunctionDef> defs = new ArrayList<>();

  FunctionTable(String iface) {
    this.iface = iface;
  }

  FunctionTable add(String name, String params, String results, HostFunctionDef.Impl impl) {
    defs.add(new HostFunctionDef(iface, name, types(params), types(results), impl));
    return this;
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
