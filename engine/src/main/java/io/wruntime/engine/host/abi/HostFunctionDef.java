package io.wruntime.engine.host.abi;

import static java.util.Objects.requireNonNull;

import com.dylibso.chicory.wasm.types.ValType;
import java.util.List;

/**
 * One host function of a WIT interface, as its Canonical ABI lowering on a core module sees it.
 *
 * @param iface the interface without version, e.g. {@code wasi:io/streams}
 * @param name the core import name, e.g. {@code [method]input-stream.read}
 * @param params flat core parameter types (a return-area pointer is the last i32 where used)
 * @param results flat core result types (at most one)
 */
public record HostFunctionDef(
    String iface, String name, List<ValType> params, List<ValType> results, Impl impl) {
  public HostFunctionDef {
    requireNonNull(iface, "iface");
    requireNonNull(name, "name");
    params = List.copyOf(params);
    results = List.copyOf(results);
    requireNonNull(impl, "impl");
  }

  /** The implementation: args are the flat core values; returns the flat results (or null). */
  @FunctionalInterface
  public interface Impl {
    long[] call(InstanceContext ctx, long[] args);
  }
}
