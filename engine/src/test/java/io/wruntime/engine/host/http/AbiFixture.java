package io.wruntime.engine.host.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.http.OutboundClient;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A real Chicory instance of {@code memory.wat} (one page, bump {@code cabi_realloc}) with an
 * instance context, to call the host functions directly with flat arguments and inspect the bytes
 * they write. Addresses below 4096 are free for the test; host allocations start at 4096.
 */
final class AbiFixture {
  static final Map<String, HostFunctionDef> DEFS =
      WasiHttp.functions().stream()
          .collect(Collectors.toMap(d -> d.iface() + "#" + d.name(), Function.identity()));

  final InstanceContext ctx;
  final GuestMemory memory;

  AbiFixture(OutboundClient client) {
    ctx = GuestInstance.context("abi", client);
    GuestInstance.load("memory", ctx);
    memory = ctx.memory();
  }

  /** Calls {@code wasi:http/types#name} with flat arguments. */
  long[] call(String name, long... args) {
    return callIn(WasiHttp.TYPES, name, args);
  }

  long[] callIn(String iface, String name, long... args) {
    HostFunctionDef def = DEFS.get(iface + "#" + name);
    if (def == null) {
      throw new IllegalArgumentException("no such function: " + iface + "#" + name);
    }
    return def.impl().call(ctx, args);
  }

  /** Calls a function returning one i32 (a handle, a tag). */
  int callInt(String name, long... args) {
    return (int) call(name, args)[0];
  }

  void put(long ptr, String text) {
    memory.writeBytes("test", ptr, text.getBytes(UTF_8));
  }

  void putI32(long ptr, int value) {
    memory.writeI32("test", ptr, value);
  }

  int u8(long ptr) {
    return memory.readU8("test", ptr);
  }

  int i32(long ptr) {
    return memory.readI32("test", ptr);
  }

  long i64(long ptr) {
    return memory.readI64("test", ptr);
  }

  byte[] bytes(long ptr, int len) {
    return memory.readBytes("test", ptr, len);
  }

  /** The string whose (ptr, len) pair is at {@code at}. */
  String stringAt(long at) {
    return new String(bytes(i32(at), i32(at + 4)), UTF_8);
  }

  /** A fresh fields resource with the given name/value pairs appended. */
  int fields(String... nameValues) {
    int f = callInt("[constructor]fields");
    for (int i = 0; i < nameValues.length; i += 2) {
      put(3000, nameValues[i]);
      put(3500, nameValues[i + 1]);
      call(
          "[method]fields.append",
          f,
          3000,
          nameValues[i].length(),
          3500,
          nameValues[i + 1].getBytes(UTF_8).length,
          2900);
      if (u8(2900) != 0) {
        throw new IllegalStateException("append failed: header-error " + u8(2901));
      }
    }
    return f;
  }

  /** Little-endian bytes of an i32, as guest memory stores it. */
  static byte[] le(int value) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
  }
}
