package io.wruntime.engine.host.io;

import static com.dylibso.chicory.wasm.types.ValType.I32;

import io.wruntime.engine.host.abi.HostFunctionDef;
import java.util.List;

/** The host side of {@code wasi:io/error} 0.2.x. */
public final class WasiIoError {
  public static final String IFACE = "wasi:io/error";
  static final String ERROR = "wasi:io/error.error";

  private WasiIoError() {}

  /** Every function of {@code wasi:io/error}. */
  public static List<HostFunctionDef> functions() {
    return List.of(
        // (self: error, ret: *string) -> (); ret: [ptr: i32, len: i32]
        new HostFunctionDef(
            IFACE,
            "[method]error.to-debug-string",
            List.of(I32, I32),
            List.of(),
            (ctx, a) -> {
              ErrorResource e = ctx.resources().get(a[0], ErrorResource.class, ERROR);
              ctx.memory().writeString("return area", a[1], e.message());
              return null;
            }),
        new HostFunctionDef(
            IFACE,
            "[resource-drop]error",
            List.of(I32),
            List.of(),
            (ctx, a) -> {
              ctx.resources().remove(a[0], ErrorResource.class, ERROR).close();
              return null;
            }));
  }
}
