package io.wruntime.engine.component;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites core modules so that all of them have one and the same type section: the union of their
 * function types, each structurally distinct type once, in order of first appearance (module by
 * module). Every type index of a module is renumbered into it — function and tag imports, the
 * function and tag sections, and in code and constant expressions the immediates of {@code
 * call_indirect}, {@code return_call_indirect}, {@code call_ref}, {@code return_call_ref}, block
 * types ({@code block}, {@code loop}, {@code if}, {@code try}, {@code try_table}) and {@code
 * ref.null} heap types. Function bodies and section sizes are re-encoded where an index changes its
 * length; every other byte, section and body is copied unchanged.
 *
 * <p>Why: Chicory checks a {@code call_indirect} into another instance by comparing the caller's
 * type index with the callee's in the callee's module, so modules that share a funcref table must
 * number their types alike — separately compiled, dynamically linked libraries (componentize-py's
 * libc, libpython and friends) do not. After this rewrite equal indices mean equal types in every
 * module of the group.
 *
 * <p>A module whose type section already is the union is returned as the same array. Malformed
 * input is a {@link MalformedComponent} naming the byte offset in that module and what was expected
 * there; GC types and typed function references ({@code (ref $t)} value types, 0xFB instructions)
 * are an {@link UnsupportedFeature}: their type indices live in places this rewrite does not
 * renumber.
 */
final class TypeSectionUnifier {
  private static final int TYPE = 1;
  private static final int IMPORT = 2;
  private static final int FUNCTION = 3;
  private static final int TABLE = 4;
  private static final int GLOBAL = 6;
  private static final int ELEMENT = 9;
  private static final int CODE = 10;
  private static final int TAG = 13;

  private TypeSectionUnifier() {}

  /** Thrown by {@link #unify} for module {@code module} (an index into its list). */
  static final class ModuleProblem extends RuntimeException {
    private final int module;

    ModuleProblem(int module, RuntimeException cause) {
      super(cause.getMessage(), cause);
      this.module = module;
    }

    int module() {
      return module;
    }
  }

  /**
   * The modules rewritten to share one type section, in the same order.
   *
   * @throws ModuleProblem wrapping the {@link MalformedComponent} or {@link UnsupportedFeature} of
   *     the first module that cannot be read or rewritten
   */
  static List<byte[]> unify(List<byte[]> modules) {
    if (sameTypeSections(modules)) {
      // Numbered alike already (wit-component's shim and fixup modules): nothing to rewrite, and
      // types this rewrite cannot read (typed references) do not matter.
      return modules;
    }
    List<Layout> layouts = new ArrayList<>(modules.size());
    Map<FuncType, Integer> union = new LinkedHashMap<>();
    for (int m = 0; m < modules.size(); m++) {
      try {
        Layout layout = Layout.read(modules.get(m));
        layout.map = new int[layout.types.size()];
        for (int t = 0; t < layout.types.size(); t++) {
          layout.map[t] = union.computeIfAbsent(layout.types.get(t), k -> union.size());
        }
        layouts.add(layout);
      } catch (MalformedComponent | UnsupportedFeature e) {
        throw new ModuleProblem(m, e);
      }
    }
    byte[] typeSection = encodeTypes(union.keySet());
    List<byte[]> out = new ArrayList<>(modules.size());
    for (int m = 0; m < modules.size(); m++) {
      Layout layout = layouts.get(m);
      try {
        out.add(layout.isUnion(union.size()) ? modules.get(m) : layout.rewrite(typeSection));
      } catch (MalformedComponent | UnsupportedFeature e) {
        throw new ModuleProblem(m, e);
      }
    }
    return out;
  }

  /**
   * Whether every module's type section is byte for byte the same (false when one is unreadable).
   */
  private static boolean sameTypeSections(List<byte[]> modules) {
    byte[] first = null;
    for (byte[] module : modules) {
      byte[] types = rawTypeSection(module);
      if (types == null) {
        return false;
      }
      if (first == null) {
        first = types;
      } else if (!Arrays.equals(first, types)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The payload of {@code module}'s type section (empty when it has none), or null when the section
   * headers cannot be read: {@link #unify} then reads the module in full and says what is wrong.
   */
  private static byte[] rawTypeSection(byte[] module) {
    int at = 8;
    if (module.length < at) {
      return null;
    }
    while (at < module.length) {
      int id = module[at++] & 0xFF;
      long size = 0;
      int shift = 0;
      while (true) {
        if (at >= module.length || shift > 28) {
          return null;
        }
        int b = module[at++] & 0xFF;
        size |= (long) (b & 0x7F) << shift;
        shift += 7;
        if ((b & 0x80) == 0) {
          break;
        }
      }
      if (size > module.length - at) {
        return null;
      }
      if (id == 1) {
        return Arrays.copyOfRange(module, at, at + (int) size);
      }
      at += (int) size;
    }
    return new byte[0];
  }

  /** A function type by its parameter and result value types (one byte each; see valType). */
  private record FuncType(byte[] params, byte[] results) {
    @Override
    public boolean equals(Object o) {
      return o instanceof FuncType f
          && Arrays.equals(params, f.params)
          && Arrays.equals(results, f.results);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(params) + Arrays.hashCode(results);
    }
  }

  private static byte[] encodeTypes(Iterable<FuncType> types) {
    Sink s = new Sink(64);
    int n = 0;
    for (FuncType ignored : types) {
      n++;
    }
    s.u32(n);
    for (FuncType t : types) {
      s.u8(0x60);
      s.u32(t.params.length);
      s.bytes(t.params, 0, t.params.length);
      s.u32(t.results.length);
      s.bytes(t.results, 0, t.results.length);
    }
    return s.toArray();
  }

  /** One section: id, where its header starts, where its payload starts and ends. */
  private record Section(int id, int start, int payload, int end) {}

  /** A module's sections and function types; {@code map} takes old type indices to new ones. */
  private static final class Layout {
    final byte[] bytes;
    final List<Section> sections = new ArrayList<>();
    final List<FuncType> types = new ArrayList<>();
    int[] map;

    private Layout(byte[] bytes) {
      this.bytes = bytes;
    }

    static Layout read(byte[] bytes) {
      Layout layout = new Layout(bytes);
      BinaryReader r = new BinaryReader(bytes, 0, bytes.length);
      if (bytes.length < 8
          || bytes[0] != 0
          || bytes[1] != 'a'
          || bytes[2] != 's'
          || bytes[3] != 'm'
          || bytes[4] != 1
          || bytes[5] != 0
          || bytes[6] != 0
          || bytes[7] != 0) {
        throw new MalformedComponent(
            0, "not a core module (expected: \\0asm then version [1, 0, 0, 0])");
      }
      r.skip("header", 8);
      while (!r.atEnd()) {
        int start = r.position();
        int id = r.u8("section id");
        int size = r.index("section size");
        int payload = r.position();
        if (size > r.remaining()) {
          throw new MalformedComponent(
              start,
              "section "
                  + id
                  + " of "
                  + size
                  + " bytes runs past the end of the module (expected: at most "
                  + r.remaining()
                  + " bytes)");
        }
        r.skip("section " + id, size);
        layout.sections.add(new Section(id, start, payload, r.position()));
        if (id == TYPE) {
          layout.readTypes(new BinaryReader(bytes, payload, payload + size));
        }
      }
      return layout;
    }

    private void readTypes(BinaryReader r) {
      int n = r.count("types", 3);
      for (int i = 0; i < n; i++) {
        int at = r.position();
        int form = r.u8("type form");
        if (form != 0x60) {
          if (form == 0x4E || form == 0x4F || form == 0x50 || form == 0x5E || form == 0x5F) {
            throw new UnsupportedFeature(
                "GC types (rec, sub, struct or array, byte "
                    + at
                    + ") in a core module that shares a funcref table");
          }
          throw new MalformedComponent(
              at,
              "unknown type form 0x"
                  + Integer.toHexString(form)
                  + " (expected: 0x60, a function type)");
        }
        byte[] params = valTypes(r, "parameter types");
        byte[] results = valTypes(r, "result types");
        types.add(new FuncType(params, results));
      }
      if (!r.atEnd()) {
        throw r.malformed("type section: bytes after its last type (expected: the section's end)");
      }
    }

    private static byte[] valTypes(BinaryReader r, String what) {
      int n = r.count(what, 1);
      byte[] out = new byte[n];
      for (int i = 0; i < n; i++) {
        out[i] = (byte) valType(r);
      }
      return out;
    }

    /** Whether the type section already is the union: no duplicates, nothing missing, in order. */
    boolean isUnion(int unionSize) {
      if (types.size() != unionSize) {
        return false;
      }
      for (int i = 0; i < map.length; i++) {
        if (map[i] != i) {
          return false;
        }
      }
      return true;
    }

    byte[] rewrite(byte[] typeSection) {
      Sink out = new Sink(bytes.length + typeSection.length + 64);
      out.bytes(bytes, 0, 8);
      boolean typesWritten = false;
      for (Section s : sections) {
        if (!typesWritten && s.id != 0 && s.id != TYPE) {
          // A module without a type section gets the union where its type section would be.
          writeSection(out, TYPE, typeSection, 0, typeSection.length);
          typesWritten = true;
        }
        switch (s.id) {
          case TYPE -> {
            writeSection(out, TYPE, typeSection, 0, typeSection.length);
            typesWritten = true;
          }
          case IMPORT, FUNCTION, TABLE, GLOBAL, ELEMENT, TAG, CODE -> {
            Sink payload = new Sink(s.end - s.payload + 16);
            Copier c = new Copier(bytes, s.payload, payload, map);
            BinaryReader r = new BinaryReader(bytes, s.payload, s.end);
            switch (s.id) {
              case IMPORT -> imports(r, c);
              case FUNCTION -> functions(r, c);
              case TABLE -> tables(r, c);
              case GLOBAL -> globals(r, c);
              case ELEMENT -> elements(r, c);
              case TAG -> tags(r, c);
              default -> code(r, c);
            }
            if (!r.atEnd()) {
              throw r.malformed(
                  "section " + s.id + ": bytes after its last entry (expected: the section's end)");
            }
            c.finish(s.end);
            if (c.patches == 0) {
              out.bytes(bytes, s.start, s.end - s.start);
            } else {
              writeSection(out, s.id, payload.buf, 0, payload.size);
            }
          }
          case 0 -> custom(out, s);
          default -> out.bytes(bytes, s.start, s.end - s.start);
        }
      }
      if (!typesWritten) {
        writeSection(out, TYPE, typeSection, 0, typeSection.length);
      }
      return out.toArray();
    }

    /**
     * A custom section, copied; but the name section loses its type names (subsection 4) and field
     * names (10, of GC types): they name the old type indices, and after deduplication one type may
     * have had several names.
     */
    private void custom(Sink out, Section s) {
      BinaryReader r = new BinaryReader(bytes, s.payload, s.end);
      String name;
      try {
        name = r.name("custom section name");
      } catch (MalformedComponent e) {
        out.bytes(bytes, s.start, s.end - s.start);
        return;
      }
      if (!name.equals("name")) {
        out.bytes(bytes, s.start, s.end - s.start);
        return;
      }
      Sink payload = new Sink(s.end - s.payload);
      payload.bytes(bytes, s.payload, r.position() - s.payload);
      try {
        while (!r.atEnd()) {
          int start = r.position();
          int id = r.u8("name subsection id");
          int size = r.index("name subsection size");
          r.skip("name subsection " + id, size);
          if (id != 4 && id != 10) {
            payload.bytes(bytes, start, r.position() - start);
          }
        }
      } catch (MalformedComponent e) {
        // Names are debugging information, not validated by engines: an unreadable name section
        // goes through as it was.
        out.bytes(bytes, s.start, s.end - s.start);
        return;
      }
      writeSection(out, 0, payload.buf, 0, payload.size);
    }

    private static void writeSection(Sink out, int id, byte[] payload, int from, int length) {
      out.u8(id);
      out.u32(length);
      out.bytes(payload, from, length);
    }
  }

  // ---- sections ----

  private static void imports(BinaryReader r, Copier c) {
    int n = r.count("imports", 3);
    for (int i = 0; i < n; i++) {
      r.name("import module name");
      r.name("import name");
      int kind = r.u8("import kind");
      switch (kind) {
        case 0x00 -> c.typeIndex(r);
        case 0x01 -> tableType(r);
        case 0x02 -> limits(r);
        case 0x03 -> {
          valType(r);
          r.u8("global mutability");
        }
        case 0x04 -> {
          r.u8("tag attribute");
          c.typeIndex(r);
        }
        default ->
            throw new MalformedComponent(
                r.position() - 1,
                "unknown import kind 0x"
                    + Integer.toHexString(kind)
                    + " (expected: 0x00 function, 0x01 table, 0x02 memory, 0x03 global, 0x04 tag)");
      }
    }
  }

  private static void functions(BinaryReader r, Copier c) {
    int n = r.count("functions", 1);
    for (int i = 0; i < n; i++) {
      c.typeIndex(r);
    }
  }

  private static void tags(BinaryReader r, Copier c) {
    int n = r.count("tags", 2);
    for (int i = 0; i < n; i++) {
      r.u8("tag attribute");
      c.typeIndex(r);
    }
  }

  private static void tables(BinaryReader r, Copier c) {
    int n = r.count("tables", 2);
    for (int i = 0; i < n; i++) {
      if (r.peek("table") == 0x40) {
        r.u8("table");
        r.u8("table initializer flag");
        tableType(r);
        constExpr(r, c);
      } else {
        tableType(r);
      }
    }
  }

  private static void globals(BinaryReader r, Copier c) {
    int n = r.count("globals", 3);
    for (int i = 0; i < n; i++) {
      valType(r);
      r.u8("global mutability");
      constExpr(r, c);
    }
  }

  private static void elements(BinaryReader r, Copier c) {
    int n = r.count("element segments", 2);
    for (int i = 0; i < n; i++) {
      int at = r.position();
      int flags = r.u32("element segment flags");
      if (flags > 7) {
        throw new MalformedComponent(at, "element segment flags " + flags + " (expected: 0 to 7)");
      }
      boolean passiveOrDeclarative = (flags & 1) != 0;
      boolean explicitTable = (flags & 2) != 0;
      boolean expressions = (flags & 4) != 0;
      if (!passiveOrDeclarative) {
        if (explicitTable) {
          r.index("table index");
        }
        constExpr(r, c);
      }
      if (passiveOrDeclarative || explicitTable) {
        if (expressions) {
          valType(r);
        } else {
          r.u8("element kind");
        }
      }
      int items = r.count("element segment items", 1);
      for (int k = 0; k < items; k++) {
        if (expressions) {
          constExpr(r, c);
        } else {
          r.index("function index");
        }
      }
    }
  }

  private static void code(BinaryReader r, Copier c) {
    int n = r.count("function bodies", 1);
    byte[] bytes = r.source();
    Sink body = new Sink(1024);
    for (int i = 0; i < n; i++) {
      int sizeAt = r.position();
      int size = r.index("function body size");
      int start = r.position();
      r.skip("function body " + i, size);
      int end = r.position();
      body.size = 0;
      Copier bc = new Copier(bytes, start, body, c.map);
      BinaryReader br = new BinaryReader(bytes, start, end);
      int groups = br.count("local declarations", 2);
      for (int g = 0; g < groups; g++) {
        br.u32("local count");
        valType(br);
      }
      instructions(br, bc, false);
      bc.finish(end);
      if (bc.patches > 0) {
        c.flushTo(sizeAt);
        c.out.u32(body.size);
        c.out.bytes(body.buf, 0, body.size);
        c.from = end;
        c.patches++;
      }
    }
  }

  private static void constExpr(BinaryReader r, Copier c) {
    instructions(r, c, true);
  }

  private static void tableType(BinaryReader r) {
    valType(r);
    limits(r);
  }

  private static void limits(BinaryReader r) {
    int at = r.position();
    int flags = r.u8("limits flags");
    if ((flags & ~0x0F) != 0) {
      throw new MalformedComponent(
          at, "limits flags 0x" + Integer.toHexString(flags) + " (expected: 0x00 to 0x0f)");
    }
    r.u64("limits minimum");
    if ((flags & 1) != 0) {
      r.u64("limits maximum");
    }
    if ((flags & 8) != 0) {
      r.u32("page size");
    }
  }

  /**
   * A value type: one byte. The two-byte typed references (0x63/0x64 and a heap type) carry a type
   * index this rewrite would have to renumber in every local, global, table and signature.
   */
  private static int valType(BinaryReader r) {
    int at = r.position();
    int b = r.u8("value type");
    if ((b >= 0x7B && b <= 0x7F) || (b >= 0x69 && b <= 0x74)) {
      return b;
    }
    if (b == 0x63 || b == 0x64) {
      throw new UnsupportedFeature(
          "typed function references ((ref $t) value type at byte "
              + at
              + ") in a core module that shares a funcref table");
    }
    throw new MalformedComponent(
        at,
        "unknown value type 0x"
            + Integer.toHexString(b)
            + " (expected: i32, i64, f32, f64, v128 or a reference type)");
  }

  // ---- instructions ----

  /**
   * Walks instructions to the end of {@code r} (a function body) or, for a constant expression, to
   * its first {@code end}; renumbers the type immediates through {@code c}.
   */
  private static void instructions(BinaryReader r, Copier c, boolean constExpr) {
    while (constExpr || !r.atEnd()) {
      int at = r.position();
      int op = r.u8("instruction");
      switch (op) {
        case 0x0B -> {
          if (constExpr) {
            return;
          }
        }
        case 0x00, 0x01, 0x05, 0x0A, 0x0F, 0x19, 0x1A, 0x1B, 0xD1, 0xD3, 0xD4 -> {}
        case 0x02, 0x03, 0x04, 0x06 -> c.blockType(r);
        case 0x07, 0x08, 0x09, 0x0C, 0x0D, 0x10, 0x12, 0x18, 0xD2, 0xD5, 0xD6 -> r.u32("immediate");
        case 0x0E -> {
          int labels = r.count("br_table labels", 1);
          for (int i = 0; i <= labels; i++) {
            r.u32("br_table label");
          }
        }
        case 0x11, 0x13 -> {
          c.typeIndex(r);
          r.u32("table index");
        }
        case 0x14, 0x15 -> c.typeIndex(r);
        case 0x1C -> {
          int n = r.count("select types", 1);
          for (int i = 0; i < n; i++) {
            valType(r);
          }
        }
        case 0x1F -> {
          c.blockType(r);
          int catches = r.count("try_table catches", 2);
          for (int i = 0; i < catches; i++) {
            int kindAt = r.position();
            int kind = r.u8("catch kind");
            if (kind > 3) {
              throw new MalformedComponent(kindAt, "catch kind " + kind + " (expected: 0 to 3)");
            }
            if (kind < 2) {
              r.u32("tag index");
            }
            r.u32("label index");
          }
        }
        case 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x3F, 0x40 -> r.u32("immediate");
        case 0x41 -> r.s33("i32.const");
        case 0x42 -> skipS64(r);
        case 0x43 -> r.skip("f32.const", 4);
        case 0x44 -> r.skip("f64.const", 8);
        case 0xD0 -> c.heapType(r);
        case 0xFB ->
            throw new UnsupportedFeature(
                "GC instructions (0xfb prefix at byte "
                    + at
                    + ") in a core module that shares a funcref table");
        case 0xFC -> miscOp(r, at);
        case 0xFD -> simdOp(r, at);
        case 0xFE -> atomicOp(r, at);
        default -> {
          if (op >= 0x28 && op <= 0x3E) {
            memarg(r);
          } else if (op < 0x45 || op > 0xC4) {
            throw new MalformedComponent(
                at, "unknown opcode 0x" + Integer.toHexString(op) + " (expected: an instruction)");
          }
        }
      }
    }
  }

  private static void miscOp(BinaryReader r, int at) {
    int sub = r.u32("0xfc instruction");
    switch (sub) {
      case 0, 1, 2, 3, 4, 5, 6, 7 -> {}
      case 8, 10, 12, 14 -> {
        r.u32("immediate");
        r.u32("immediate");
      }
      case 9, 11, 13, 15, 16, 17 -> r.u32("immediate");
      default -> throw unknown(at, "0xfc", sub);
    }
  }

  private static void simdOp(BinaryReader r, int at) {
    int sub = r.u32("0xfd instruction");
    if (sub <= 11 || sub == 92 || sub == 93) {
      memarg(r);
    } else if (sub == 12 || sub == 13) {
      r.skip("v128 immediate", 16);
    } else if (sub >= 21 && sub <= 34) {
      r.u8("lane index");
    } else if (sub >= 84 && sub <= 91) {
      memarg(r);
      r.u8("lane index");
    } else if (sub > 0x113) {
      throw unknown(at, "0xfd", sub);
    }
  }

  private static void atomicOp(BinaryReader r, int at) {
    int sub = r.u32("0xfe instruction");
    if (sub == 3) {
      r.u8("atomic.fence flags");
    } else if (sub <= 2 || (sub >= 0x10 && sub <= 0x4E)) {
      memarg(r);
    } else {
      throw unknown(at, "0xfe", sub);
    }
  }

  private static MalformedComponent unknown(int at, String prefix, int sub) {
    return new MalformedComponent(
        at, "unknown opcode " + prefix + " " + sub + " (expected: an instruction)");
  }

  private static void memarg(BinaryReader r) {
    int align = r.u32("memarg alignment");
    if ((align & 0x40) != 0) {
      r.u32("memarg memory index");
    }
    r.u64("memarg offset");
  }

  private static void skipS64(BinaryReader r) {
    int at = r.position();
    for (int i = 0; i < 10; i++) {
      if ((r.u8("i64.const") & 0x80) == 0) {
        return;
      }
    }
    throw new MalformedComponent(at, "i64.const: LEB128 s64 longer than 10 bytes");
  }

  /**
   * Copies a region of the source to a sink, replacing renumbered type indices on the way: bytes
   * between replacements are copied in one piece when the next replacement (or the end) comes.
   */
  private static final class Copier {
    final byte[] src;
    final Sink out;
    final int[] map;
    int from;
    int patches;

    Copier(byte[] src, int from, Sink out, int[] map) {
      this.src = src;
      this.from = from;
      this.out = out;
      this.map = map;
    }

    void flushTo(int to) {
      out.bytes(src, from, to - from);
      from = to;
    }

    void finish(int end) {
      flushTo(end);
    }

    int mapped(int at, long index) {
      if (index < 0 || index >= map.length) {
        throw new MalformedComponent(
            at, "type index " + index + " is out of range (expected: below " + map.length + ")");
      }
      return map[(int) index];
    }

    /** A u32 type index. */
    void typeIndex(BinaryReader r) {
      int at = r.position();
      int old = r.u32("type index");
      int now = mapped(at, old & 0xFFFF_FFFFL);
      if (now != old) {
        flushTo(at);
        out.u32(now);
        from = r.position();
        patches++;
      }
    }

    /** A block type: 0x40, a value type, or a type index as a non-negative s33. */
    void blockType(BinaryReader r) {
      int at = r.position();
      int first = r.peek("block type");
      if (first == 0x40) {
        r.u8("block type");
        return;
      }
      if ((first & 0xC0) == 0x40) {
        // A one-byte negative s33: a value type.
        valType(r);
        return;
      }
      replaceS33(r, at, r.s33("block type"));
    }

    /** A heap type: an abstract one (negative s33) or a type index. */
    void heapType(BinaryReader r) {
      int at = r.position();
      long value = r.s33("heap type");
      if (value >= 0) {
        replaceS33(r, at, value);
      }
    }

    private void replaceS33(BinaryReader r, int at, long old) {
      if (old < 0) {
        throw new MalformedComponent(
            at, "block type " + old + " (expected: 0x40, a value type or a type index)");
      }
      int now = mapped(at, old);
      if (now != old) {
        flushTo(at);
        out.s33(now);
        from = r.position();
        patches++;
      }
    }
  }

  /** A growable byte array with LEB128 writers. */
  private static final class Sink {
    byte[] buf;
    int size;

    Sink(int capacity) {
      buf = new byte[Math.max(capacity, 16)];
    }

    private void ensure(int more) {
      if (size + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
      }
    }

    void u8(int b) {
      ensure(1);
      buf[size++] = (byte) b;
    }

    void bytes(byte[] src, int from, int length) {
      ensure(length);
      System.arraycopy(src, from, buf, size, length);
      size += length;
    }

    void u32(int value) {
      long v = value & 0xFFFF_FFFFL;
      do {
        int b = (int) (v & 0x7F);
        v >>>= 7;
        u8(v != 0 ? b | 0x80 : b);
      } while (v != 0);
    }

    void s33(long value) {
      while (true) {
        int b = (int) (value & 0x7F);
        value >>= 7;
        boolean done = (value == 0 && (b & 0x40) == 0) || (value == -1 && (b & 0x40) != 0);
        u8(done ? b : b | 0x80);
        if (done) {
          return;
        }
      }
    }

    byte[] toArray() {
      return Arrays.copyOf(buf, size);
    }
  }
}
