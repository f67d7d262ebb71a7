package io.wruntime.engine.host.filesystem;

import static com.dylibso.chicory.wasm.types.ValType.I32;
import static com.dylibso.chicory.wasm.types.ValType.I64;

import com.dylibso.chicory.wasm.types.ValType;
import io.wruntime.engine.host.abi.AbsentResource;
import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.io.ErrorResource;
import java.util.ArrayList;
import java.util.List;

/**
 * The host side of {@code wasi:filesystem/types} and {@code wasi:filesystem/preopens} 0.2.x for a
 * module granted no directory, which is every module today: {@code get-directories} returns no
 * preopened directory, so no {@code descriptor} (nor {@code directory-entry-stream}) can be
 * obtained, and every method of one is called with a handle that is not one (an ABI violation).
 * Toolchains import these interfaces whether or not the program touches files (the WASI preview 1
 * adapter asks for the preopens when it starts), so they link for every module.
 */
public final class WasiFilesystem {
  public static final String TYPES = "wasi:filesystem/types";
  public static final String PREOPENS = "wasi:filesystem/preopens";

  private static final AbsentResource DESCRIPTOR = new AbsentResource(TYPES, "descriptor");
  private static final AbsentResource DIRECTORY_ENTRY_STREAM =
      new AbsentResource(TYPES, "directory-entry-stream");

  private WasiFilesystem() {}

  /** Every function of types and preopens, with their flat core signatures. */
  public static List<HostFunctionDef> functions() {
    List<HostFunctionDef> defs = new ArrayList<>();
    // Each descriptor method: (self, its flattened arguments..., ret) with ret the return area of
    // its result<_, error-code>; is-same-object alone returns a flat bool.
    descriptor(defs, "read-via-stream", I32, I64, I32);
    descriptor(defs, "write-via-stream", I32, I64, I32);
    descriptor(defs, "append-via-stream", I32, I32);
    descriptor(defs, "advise", I32, I64, I64, I32, I32);
    descriptor(defs, "sync-data", I32, I32);
    descriptor(defs, "get-flags", I32, I32);
    descriptor(defs, "get-type", I32, I32);
    descriptor(defs, "set-size", I32, I64, I32);
    descriptor(defs, "set-times", I32, I32, I64, I32, I32, I64, I32, I32);
    descriptor(defs, "read", I32, I64, I64, I32);
    descriptor(defs, "write", I32, I32, I32, I64, I32);
    descriptor(defs, "read-directory", I32, I32);
    descriptor(defs, "sync", I32, I32);
    descriptor(defs, "create-directory-at", I32, I32, I32, I32);
    descriptor(defs, "stat", I32, I32);
    descriptor(defs, "stat-at", I32, I32, I32, I32, I32);
    descriptor(defs, "set-times-at", I32, I32, I32, I32, I32, I64, I32, I32, I64, I32, I32);
    descriptor(defs, "link-at", I32, I32, I32, I32, I32, I32, I32, I32);
    descriptor(defs, "open-at", I32, I32, I32, I32, I32, I32, I32);
    descriptor(defs, "readlink-at", I32, I32, I32, I32);
    descriptor(defs, "remove-directory-at", I32, I32, I32, I32);
    descriptor(defs, "rename-at", I32, I32, I32, I32, I32, I32, I32);
    descriptor(defs, "symlink-at", I32, I32, I32, I32, I32, I32);
    descriptor(defs, "unlink-file-at", I32, I32, I32, I32);
    defs.add(DESCRIPTOR.method("is-same-object", List.of(I32, I32), List.of(I32)));
    descriptor(defs, "metadata-hash", I32, I32);
    descriptor(defs, "metadata-hash-at", I32, I32, I32, I32, I32);
    defs.add(DESCRIPTOR.drop());
    defs.add(DIRECTORY_ENTRY_STREAM.method("read-directory-entry", List.of(I32, I32), List.of()));
    defs.add(DIRECTORY_ENTRY_STREAM.drop());
    // (err: borrow<error>, ret: *option<error-code>) -> (); ret: [0] u8 0=none, [1] code. No
    // stream of this engine fails with a filesystem error: always none.
    defs.add(
        new HostFunctionDef(
            TYPES,
            "filesystem-error-code",
            List.of(I32, I32),
            List.of(),
            (c, a) -> {
              c.resources().get(a[0], ErrorResource.class, "wasi:io/error.error");
              c.memory().checkRange("return area", a[1], 2);
              c.memory().writeU8("return area", a[1], 0);
              return null;
            }));
    // (ret: *list<tuple<descriptor, string>>) -> (); ret: [0] ptr, [4] len; always empty
    defs.add(
        new HostFunctionDef(
            PREOPENS,
            "get-directories",
            List.of(I32),
            List.of(),
            (c, a) -> {
              GuestMemory memory = c.memory();
              memory.checkAligned("return area", a[0], 4, 8);
              memory.writeI32("return area", a[0], memory.allocate(4, 0));
              memory.writeI32("return area", a[0] + 4, 0);
              return null;
            }));
    return List.copyOf(defs);
  }

  private static void descriptor(List<HostFunctionDef> defs, String method, ValType... params) {
    defs.add(DESCRIPTOR.method(method, List.of(params), List.of()));
  }
}
