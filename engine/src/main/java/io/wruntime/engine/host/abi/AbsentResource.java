package io.wruntime.engine.host.abi;

import static java.util.Objects.requireNonNull;

import com.dylibso.chicory.wasm.types.ValType;
import java.util.List;

/**
 * A WIT resource type the engine never hands out, e.g. {@code wasi:filesystem/types.descriptor}
 * when no directory is preopened, or a {@code wasi:sockets/tcp.tcp-socket} when creating one is
 * refused. Its methods and its {@code [resource-drop]} still link, with their Canonical ABI core
 * signatures, so a guest that imports them loads; since no instance can hold a handle of the type,
 * every call passes a handle that is not one, which is an ABI violation as for any other resource.
 *
 * @param iface the interface without version, e.g. {@code wasi:filesystem/types}
 * @param resource the resource's name in the interface, e.g. {@code descriptor}
 */
public record AbsentResource(String iface, String resource) {
  public AbsentResource {
    requireNonNull(iface, "iface");
    requireNonNull(resource, "resource");
  }

  /** Its WIT name for messages, e.g. {@code wasi:filesystem/types.descriptor}. */
  public String witName() {
    return iface + "." + resource;
  }

  /**
   * {@code [method]resource.name}, whose first core parameter is the handle of {@code self}.
   *
   * @param params the flat core parameters, {@code self} first
   * @param results the flat core results (at most one)
   */
  public HostFunctionDef method(String name, List<ValType> params, List<ValType> results) {
    if (params.isEmpty() || params.get(0) != ValType.I32) {
      throw new IllegalArgumentException(
          "params of " + name + ": " + params + " (expected: the i32 handle of self first)");
    }
    return new HostFunctionDef(
        iface, "[method]" + resource + "." + name, params, results, (c, a) -> refuse(c, a[0]));
  }

  /** {@code [resource-drop]resource}. */
  public HostFunctionDef drop() {
    return new HostFunctionDef(
        iface,
        "[resource-drop]" + resource,
        List.of(ValType.I32),
        List.of(),
        (c, a) -> refuse(c, a[0]));
  }

  /** Fails as the table lookup of {@code handle} does: no handle is ever of this type. */
  private long[] refuse(InstanceContext ctx, long handle) {
    ctx.resources().get(handle, Never.class, witName());
    throw new IllegalStateException(
        witName() + " handle " + Resources.unsigned(handle) + " exists, yet none is ever made");
  }

  /** The type of the handles: there are none. */
  private static final class Never {
    private Never() {}
  }
}
