package io.wruntime.engine.host.http;

import static io.wruntime.engine.host.http.HttpAbi.u32;

import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.http.Field;
import java.util.List;

/** {@code wasi:http/types}: the {@code fields} resource (headers and trailers). */
final class FieldsFunctions {
  static final String WIT = "wasi:http/types.fields";

  private static final long[] NONE = new long[0];

  private FieldsFunctions() {}

  static void register(FunctionTable t) {
    // () -> own<fields>
    t.add(
        "[constructor]fields",
        "",
        "i",
        (ctx, a) -> new long[] {ctx.resources().add(FieldsResource.empty())});
    // (entries: list<tuple<string, list<u8>>>) -> result<own<fields>, header-error>
    // flat (ptr, len, ret); ret: 8 bytes align 4: u8 tag @0, handle i32 | header-error u8 @4
    t.add("[static]fields.from-list", "iii", "", FieldsFunctions::fromList);
    // (self, name: string) -> list<list<u8>>; flat (self, ptr, len, ret); ret: (ptr, len)
    t.add(
        "[method]fields.get",
        "iiii",
        "",
        (ctx, a) -> {
          FieldsResource f = fields(ctx, a[0]);
          GuestMemory m = ctx.memory();
          String name = m.readString("name", u32(a[1]), a[2]);
          m.checkAligned("return area", u32(a[3]), 4, 8);
          HttpAbi.writeValueList(m, u32(a[3]), f.get(name));
          return NONE;
        });
    // (self, name: string) -> bool; flat (self, ptr, len) -> i32
    t.add(
        "[method]fields.has",
        "iii",
        "i",
        (ctx, a) -> {
          FieldsResource f = fields(ctx, a[0]);
          String name = ctx.memory().readString("name", u32(a[1]), a[2]);
          return new long[] {f.has(name) ? 1 : 0};
        });
    // (self, name: string, value: list<list<u8>>) -> result<_, header-error>
    // flat (self, name ptr, name len, values ptr, values len, ret); ret: 2 bytes: tag @0, err @1
    t.add(
        "[method]fields.set",
        "iiiiii",
        "",
        (ctx, a) -> {
          FieldsResource f = fields(ctx, a[0]);
          GuestMemory m = ctx.memory();
          String name = m.readString("name", u32(a[1]), a[2]);
          List<byte[]> values = HttpAbi.readValueList(m, a[3], a[4]);
          HttpAbi.checkHeaderResult(m, u32(a[5]));
          HttpAbi.writeHeaderResult(
              m, u32(a[5]), values == null ? HeaderError.FORBIDDEN : f.set(name, values));
          return NONE;
        });
    // (self, name: string) -> result<_, header-error>; flat (self, ptr, len, ret)
    t.add(
        "[method]fields.delete",
        "iiii",
        "",
        (ctx, a) -> {
          FieldsResource f = fields(ctx, a[0]);
          GuestMemory m = ctx.memory();
          String name = m.readString("name", u32(a[1]), a[2]);
          HttpAbi.checkHeaderResult(m, u32(a[3]));
          HttpAbi.writeHeaderResult(m, u32(a[3]), f.delete(name));
          return NONE;
        });
    // (self, name: string, value: list<u8>) -> result<_, header-error>
    // flat (self, name ptr, name len, value ptr, value len, ret)
    t.add(
        "[method]fields.append",
        "iiiiii",
        "",
        (ctx, a) -> {
          FieldsResource f = fields(ctx, a[0]);
          GuestMemory m = ctx.memory();
          String name = m.readString("name", u32(a[1]), a[2]);
          m.checkRange("value", u32(a[3]), a[4]);
          HttpAbi.checkHeaderResult(m, u32(a[5]));
          HeaderError error;
          if (u32(a[4]) > FieldsResource.MAX_BYTES) {
            error = HeaderError.FORBIDDEN;
          } else {
            error = f.append(name, m.readBytes("value", u32(a[3]), a[4]));
          }
          HttpAbi.writeHeaderResult(m, u32(a[5]), error);
          return NONE;
        });
    // (self) -> list<tuple<string, list<u8>>>; flat (self, ret); ret: (ptr, len)
    t.add(
        "[method]fields.entries",
        "ii",
        "",
        (ctx, a) -> {
          FieldsResource f = fields(ctx, a[0]);
          HttpAbi.writeFieldList(ctx.memory(), u32(a[1]), f.entries());
          return NONE;
        });
    // (self) -> own<fields>
    t.add(
        "[method]fields.clone",
        "i",
        "i",
        (ctx, a) -> new long[] {ctx.resources().add(fields(ctx, a[0]).copy())});
    t.drop("fields", FieldsResource.class, WIT);
  }

  private static long[] fromList(InstanceContext ctx, long[] a) {
    GuestMemory m = ctx.memory();
    List<Field> entries = HttpAbi.readFieldList(m, a[0], a[1]);
    long ret = u32(a[2]);
    HttpAbi.checkResultHandle(m, ret);
    HeaderError error = entries == null ? HeaderError.FORBIDDEN : null;
    FieldsResource fields = FieldsResource.empty();
    for (int i = 0; error == null && i < entries.size(); i++) {
      error = fields.append(entries.get(i).name(), entries.get(i).value());
    }
    if (error != null) {
      m.writeU8("result", ret, 1);
      m.writeU8("header-error", ret + 4, error.ordinal());
    } else {
      HttpAbi.writeResultHandle(m, ret, ctx.resources().add(fields));
    }
    return NONE;
  }

  static FieldsResource fields(InstanceContext ctx, long handle) {
    return ctx.resources().get(handle, FieldsResource.class, WIT);
  }

  /**
   * Takes an {@code own<fields>} argument out of the table: its entries now belong to whatever the
   * guest passed it to.
   */
  static List<Field> take(InstanceContext ctx, long handle) {
    return ctx.resources().remove(handle, FieldsResource.class, WIT).entries();
  }
}
