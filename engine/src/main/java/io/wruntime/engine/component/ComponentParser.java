package io.wruntime.engine.component;

import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import io.wruntime.engine.component.Component.Alias;
import io.wruntime.engine.component.Component.Arg;
import io.wruntime.engine.component.Component.CanonOptions;
import io.wruntime.engine.component.Component.CoreArg;
import io.wruntime.engine.component.Component.CoreExport;
import io.wruntime.engine.component.Component.Decl;
import io.wruntime.engine.component.Component.DefType;
import io.wruntime.engine.component.Component.Definition;
import io.wruntime.engine.component.Component.ExternDesc;
import io.wruntime.engine.component.Component.Param;
import io.wruntime.engine.component.Component.Sort;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the component binary format (layer 1, version {@code 0x0d}): every section id (custom 0,
 * core module 1, core instance 2, core type 3, component 4, instance 5, alias 6, type 7, canon 8,
 * start 9, import 10, export 11, value 12), the type grammar and the canon options. Features the
 * runtime does not implement are parsed as far as needed to name them; what it cannot parse is a
 * {@link MalformedComponent} naming the offset and what was expected there.
 */
final class ComponentParser {
  /** Preamble: magic, version 0x0d 0x00, layer 1. */
  static final byte[] PREAMBLE = {0, 'a', 's', 'm', 0x0d, 0, 1, 0};

  private static final int MAX_DEPTH = 32;

  private ComponentParser() {}

  /** Parses a whole component binary. */
  static Component parse(byte[] bytes) {
    BinaryReader r = new BinaryReader(bytes, 0, bytes.length);
    return component(r, 0);
  }

  private static Component component(BinaryReader r, int depth) {
    if (depth > MAX_DEPTH) {
      throw r.malformed("components nested deeper than " + MAX_DEPTH);
    }
    int start = r.position();
    for (int i = 0; i < 4; i++) {
      if (r.u8("preamble") != (PREAMBLE[i] & 0xFF)) {
        throw new MalformedComponent(
            start, "not a WebAssembly binary (expected: the magic bytes 00 61 73 6d)");
      }
    }
    int version = r.u8("preamble") | r.u8("preamble") << 8;
    int layer = r.u8("preamble") | r.u8("preamble") << 8;
    if (layer != 1 || version != 0x0d) {
      throw new MalformedComponent(
          start + 4,
          "component binary version "
              + version
              + " layer "
              + layer
              + " (expected: version 13 (0x0d), layer 1)");
    }
    List<Definition> defs = new ArrayList<>();
    while (!r.atEnd()) {
      int idAt = r.position();
      int id = r.u8("section id");
      if (id > 12) {
        throw new MalformedComponent(
            idAt, "unknown section id " + id + " (expected: 0 to 12 of the component format)");
      }
      int size = r.index("section size");
      int bodyStart = r.position();
      if (size > r.remaining()) {
        throw new MalformedComponent(
            bodyStart,
            "section "
                + id
                + " declares "
                + size
                + " bytes but "
                + r.remaining()
                + " are left (expected: a complete section)");
      }
      BinaryReader s = new BinaryReader(r.source(), bodyStart, bodyStart + size);
      section(id, s, defs, depth);
      if (!s.atEnd()) {
        throw new MalformedComponent(
            s.position(), "section " + id + " has " + s.remaining() + " bytes after its last item");
      }
      r.skip("section", size);
    }
    return new Component(defs);
  }

  private static void section(int id, BinaryReader s, List<Definition> defs, int depth) {
    int at = s.position();
    switch (id) {
      case 0 -> {
        String name = s.name("custom section name");
        s.skip("custom section", s.remaining());
        defs.add(new Component.Custom(at, name));
      }
      case 1 -> {
        defs.add(new Component.CoreModule(at, s.copy(at, s.end())));
        s.skip("core module", s.remaining());
      }
      case 2 -> {
        int n = s.count("core instances", 2);
        for (int i = 0; i < n; i++) {
          defs.add(coreInstance(s));
        }
      }
      case 3 -> {
        int n = s.count("core types", 1);
        for (int i = 0; i < n; i++) {
          defs.add(coreType(s));
        }
      }
      case 4 -> {
        BinaryReader nested = new BinaryReader(s.source(), at, s.end());
        defs.add(new Component.NestedComponent(at, component(nested, depth + 1)));
        s.skip("component", s.remaining());
      }
      case 5 -> {
        int n = s.count("instances", 2);
        for (int i = 0; i < n; i++) {
          defs.add(instance(s));
        }
      }
      case 6 -> {
        int n = s.count("aliases", 3);
        for (int i = 0; i < n; i++) {
          defs.add(alias(s));
        }
      }
      case 7 -> {
        int n = s.count("types", 1);
        for (int i = 0; i < n; i++) {
          int typeAt = s.position();
          defs.add(new Component.TypeDef(typeAt, defType(s, depth)));
        }
      }
      case 8 -> {
        int n = s.count("canonical functions", 2);
        for (int i = 0; i < n; i++) {
          defs.add(canon(s));
        }
      }
      case 9 -> {
        int func = s.index("start function");
        int args = s.count("start arguments");
        for (int i = 0; i < args; i++) {
          s.index("start argument");
        }
        s.index("start results");
        defs.add(new Component.Start(at, func));
      }
      case 10 -> {
        int n = s.count("imports", 3);
        for (int i = 0; i < n; i++) {
          int importAt = s.position();
          String name = externName(s, "import name");
          defs.add(new Component.Import(importAt, name, externDesc(s)));
        }
      }
      case 11 -> {
        int n = s.count("exports", 4);
        for (int i = 0; i < n; i++) {
          int exportAt = s.position();
          String name = externName(s, "export name");
          Sort sort = sort(s);
          int index = s.index("export index");
          ExternDesc desc = option(s, "export type") ? externDesc(s) : null;
          defs.add(new Component.Export(exportAt, name, sort, index, desc));
        }
      }
      case 12 -> {
        defs.add(new Component.Value(at));
        s.skip("value section", s.remaining());
      }
      default ->
          throw new MalformedComponent(
              at - 1, "unknown section id " + id + " (expected: 0 to 12 of the component format)");
    }
  }

  private static Definition coreInstance(BinaryReader s) {
    int at = s.position();
    int kind = s.u8("core instance");
    switch (kind) {
      case 0x00 -> {
        int module = s.index("core module index");
        int n = s.count("instantiate arguments", 3);
        List<CoreArg> args = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          String name = s.name("instantiate argument name");
          int sortAt = s.position();
          if (s.u8("instantiate argument sort") != 0x12) {
            throw new MalformedComponent(
                sortAt, "core instantiate argument is not an instance (expected: sort 0x12)");
          }
          args.add(new CoreArg(name, s.index("core instance index")));
        }
        return new Component.CoreInstantiate(at, module, args);
      }
      case 0x01 -> {
        int n = s.count("core instance exports", 3);
        List<CoreExport> exports = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          String name = s.name("core export name");
          Sort sort = coreSort(s);
          exports.add(new CoreExport(name, sort, s.index("core export index")));
        }
        return new Component.CoreInlineExports(at, exports);
      }
      default ->
          throw new MalformedComponent(
              at, "core instance kind " + kind + " (expected: 0 instantiate or 1 exports)");
    }
  }

  private static Definition coreType(BinaryReader s) {
    int at = s.position();
    int form = s.u8("core type");
    switch (form) {
      case 0x60 -> {
        return new Component.CoreType(at, coreFuncType(s));
      }
      case 0x50 -> {
        int n = s.count("module type declarations", 2);
        for (int i = 0; i < n; i++) {
          moduleDecl(s);
        }
        return new Component.CoreType(at, null);
      }
      case 0x4e, 0x4f, 0x5e, 0x5f ->
          throw new UnsupportedFeature("core GC types (rec/sub/struct/array)");
      default ->
          throw new MalformedComponent(
              at, "core type form 0x" + hex(form) + " (expected: 0x60 func or 0x50 module)");
    }
  }

  private static FunctionType coreFuncType(BinaryReader s) {
    int np = s.count("core function params");
    List<ValType> params = new ArrayList<>(np);
    for (int i = 0; i < np; i++) {
      params.add(coreValType(s));
    }
    int nr = s.count("core function results");
    List<ValType> results = new ArrayList<>(nr);
    for (int i = 0; i < nr; i++) {
      results.add(coreValType(s));
    }
    return FunctionType.of(params, results);
  }

  private static ValType coreValType(BinaryReader s) {
    int at = s.position();
    int b = s.u8("core value type");
    return switch (b) {
      case 0x7f -> ValType.I32;
      case 0x7e -> ValType.I64;
      case 0x7d -> ValType.F32;
      case 0x7c -> ValType.F64;
      case 0x7b -> ValType.V128;
      case 0x70 -> ValType.FuncRef;
      case 0x6f -> ValType.ExternRef;
      case 0x63, 0x64 -> {
        s.s33("heap type");
        throw new UnsupportedFeature("typed function references in core types");
      }
      default ->
          throw new MalformedComponent(
              at, "core value type 0x" + hex(b) + " (expected: i32, i64, f32, f64, v128 or a ref)");
    };
  }

  private static void moduleDecl(BinaryReader s) {
    int at = s.position();
    int kind = s.u8("module type declaration");
    switch (kind) {
      case 0x00 -> {
        s.name("import module");
        s.name("import name");
        coreImportDesc(s);
      }
      case 0x01 -> {
        int formAt = s.position();
        if (s.u8("core type") != 0x60) {
          throw new MalformedComponent(
              formAt, "type in a module type is not a function type (expected: 0x60)");
        }
        coreFuncType(s);
      }
      case 0x02 -> {
        coreSort(s);
        int targetAt = s.position();
        if (s.u8("core alias target") != 0x01) {
          throw new MalformedComponent(
              targetAt, "alias in a module type is not an outer alias (expected: 0x01)");
        }
        s.index("outer count");
        s.index("outer index");
      }
      case 0x03 -> {
        s.name("export name");
        coreImportDesc(s);
      }
      default ->
          throw new MalformedComponent(
              at, "module type declaration " + kind + " (expected: 0 to 3)");
    }
  }

  private static void coreImportDesc(BinaryReader s) {
    int at = s.position();
    int kind = s.u8("core import description");
    switch (kind) {
      case 0x00 -> s.index("function type index");
      case 0x01 -> {
        coreValType(s);
        limits(s);
      }
      case 0x02 -> limits(s);
      case 0x03 -> {
        coreValType(s);
        int mutAt = s.position();
        int mut = s.u8("global mutability");
        if (mut > 1) {
          throw new MalformedComponent(mutAt, "global mutability " + mut + " (expected: 0 or 1)");
        }
      }
      case 0x04 -> {
        s.u8("tag attribute");
        s.index("tag type index");
      }
      default ->
          throw new MalformedComponent(
              at,
              "core import kind "
                  + kind
                  + " (expected: 0 func, 1 table, 2 memory, 3 global, 4 tag)");
    }
  }

  private static void limits(BinaryReader s) {
    int at = s.position();
    int flags = s.u8("limits");
    if ((flags & ~0x0f) != 0) {
      throw new MalformedComponent(
          at, "limits flags 0x" + hex(flags) + " (expected: 0x00 to 0x0f)");
    }
    boolean wide = (flags & 0x04) != 0;
    if (wide) {
      s.u64("minimum");
    } else {
      s.u32("minimum");
    }
    if ((flags & 0x01) != 0) {
      if (wide) {
        s.u64("maximum");
      } else {
        s.u32("maximum");
      }
    }
    if ((flags & 0x08) != 0) {
      s.u32("page size");
    }
  }

  private static Definition instance(BinaryReader s) {
    int at = s.position();
    int kind = s.u8("instance");
    switch (kind) {
      case 0x00 -> {
        int component = s.index("component index");
        int n = s.count("instantiate arguments", 3);
        List<Arg> args = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          String name = s.name("instantiate argument name");
          Sort sort = sort(s);
          args.add(new Arg(name, sort, s.index("argument index")));
        }
        return new Component.Instantiate(at, component, args);
      }
      case 0x01 -> {
        int n = s.count("instance exports", 4);
        List<Arg> exports = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          String name = externName(s, "export name");
          Sort sort = sort(s);
          exports.add(new Arg(name, sort, s.index("export index")));
        }
        return new Component.InlineExports(at, exports);
      }
      default ->
          throw new MalformedComponent(
              at, "instance kind " + kind + " (expected: 0 instantiate or 1 exports)");
    }
  }

  private static Alias alias(BinaryReader s) {
    int at = s.position();
    Sort sort = sort(s);
    int targetAt = s.position();
    int target = s.u8("alias target");
    return switch (target) {
      case 0x00 -> new Alias(at, sort, new Alias.Export(s.index("instance index"), s.name("name")));
      case 0x01 ->
          new Alias(at, sort, new Alias.CoreExport(s.index("core instance index"), s.name("name")));
      case 0x02 ->
          new Alias(at, sort, new Alias.Outer(s.index("outer count"), s.index("outer index")));
      default ->
          throw new MalformedComponent(
              targetAt, "alias target " + target + " (expected: 0 export, 1 core export, 2 outer)");
    };
  }

  private static DefType defType(BinaryReader s, int depth) {
    if (depth > MAX_DEPTH) {
      throw s.malformed("types nested deeper than " + MAX_DEPTH);
    }
    int at = s.position();
    int form = s.peek("type");
    switch (form) {
      case 0x40, 0x43 -> {
        s.u8("type");
        int n = s.count("function params", 2);
        List<Param> params = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          String name = s.name("param name");
          params.add(new Param(name, valType(s)));
        }
        List<Component.ValType> results = new ArrayList<>();
        int resultAt = s.position();
        int kind = s.u8("function results");
        if (kind == 0x00) {
          results.add(valType(s));
        } else if (kind == 0x01) {
          int named = s.count("named results", 2);
          for (int i = 0; i < named; i++) {
            s.name("result name");
            results.add(valType(s));
          }
        } else {
          throw new MalformedComponent(
              resultAt, "function result kind " + kind + " (expected: 0 one result, 1 none)");
        }
        return new Component.FuncTypeDef(params, results, form == 0x43);
      }
      case 0x41, 0x42 -> {
        s.u8("type");
        boolean component = form == 0x41;
        int n =
            s.count(component ? "component type declarations" : "instance type declarations", 2);
        List<Decl> decls = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          decls.add(decl(s, component, depth));
        }
        return new Component.InstanceTypeDef(component, decls);
      }
      case 0x3f, 0x3e -> {
        s.u8("type");
        int repAt = s.position();
        if (s.u8("resource representation") != 0x7f) {
          throw new MalformedComponent(repAt, "resource representation (expected: 0x7f i32)");
        }
        int dtor = -1;
        if (form == 0x3f) {
          if (option(s, "resource destructor")) {
            dtor = s.index("destructor index");
          }
        } else {
          dtor = s.index("destructor index");
          if (option(s, "destructor callback")) {
            s.index("callback index");
          }
        }
        return new Component.ResourceTypeDef(dtor, form == 0x3e);
      }
      default -> {
        return valueTypeDef(s, at);
      }
    }
  }

  private static Decl decl(BinaryReader s, boolean component, int depth) {
    int at = s.position();
    int kind = s.u8("declaration");
    switch (kind) {
      case 0x00 -> {
        coreType(s);
        return new Component.DeclCoreType();
      }
      case 0x01 -> {
        return new Component.DeclType(defType(s, depth + 1));
      }
      case 0x02 -> {
        return new Component.DeclAlias(alias(s));
      }
      case 0x03 -> {
        if (!component) {
          throw new MalformedComponent(
              at, "import declaration in an instance type (expected: 0, 1, 2 or 4)");
        }
        String name = externName(s, "import name");
        return new Component.DeclImport(name, externDesc(s));
      }
      case 0x04 -> {
        String name = externName(s, "export name");
        return new Component.DeclExport(name, externDesc(s));
      }
      default ->
          throw new MalformedComponent(
              at,
              "declaration kind "
                  + kind
                  + " (expected: 0 core type, 1 type, 2 alias, 3 import, 4 export)");
    }
  }

  private static DefType valueTypeDef(BinaryReader s, int at) {
    int b = s.u8("value type");
    String prim = primitive(b);
    if (prim != null) {
      return new Component.ValueTypeDef(prim, -1);
    }
    switch (b) {
      case 0x72 -> {
        int n = s.count("record fields", 2);
        for (int i = 0; i < n; i++) {
          s.name("field name");
          valType(s);
        }
        return new Component.ValueTypeDef("record", -1);
      }
      case 0x71 -> {
        int n = s.count("variant cases", 3);
        for (int i = 0; i < n; i++) {
          s.name("case name");
          if (option(s, "case type")) {
            valType(s);
          }
          int refinesAt = s.position();
          if (s.u8("case refines") != 0x00) {
            throw new MalformedComponent(refinesAt, "variant case refines (expected: 0x00)");
          }
        }
        return new Component.ValueTypeDef("variant", -1);
      }
      case 0x70 -> {
        valType(s);
        return new Component.ValueTypeDef("list", -1);
      }
      case 0x67 -> {
        valType(s);
        s.u32("fixed list length");
        return new Component.ValueTypeDef("fixed-length list", -1);
      }
      case 0x6f -> {
        int n = s.count("tuple types");
        for (int i = 0; i < n; i++) {
          valType(s);
        }
        return new Component.ValueTypeDef("tuple", -1);
      }
      case 0x6e, 0x6d -> {
        int n = s.count(b == 0x6e ? "flags" : "enum cases");
        for (int i = 0; i < n; i++) {
          s.name("label");
        }
        return new Component.ValueTypeDef(b == 0x6e ? "flags" : "enum", -1);
      }
      case 0x6b -> {
        valType(s);
        return new Component.ValueTypeDef("option", -1);
      }
      case 0x6a -> {
        if (option(s, "result ok type")) {
          valType(s);
        }
        if (option(s, "result error type")) {
          valType(s);
        }
        return new Component.ValueTypeDef("result", -1);
      }
      case 0x69, 0x68 -> {
        return new Component.ValueTypeDef(
            b == 0x69 ? "own" : "borrow", s.index("resource type index"));
      }
      case 0x66, 0x65 -> {
        if (option(s, "element type")) {
          valType(s);
        }
        return new Component.ValueTypeDef(b == 0x66 ? "stream" : "future", -1);
      }
      default ->
          throw new MalformedComponent(
              at,
              "type form 0x"
                  + hex(b)
                  + " (expected: a value, function, component, instance or resource type)");
    }
  }

  private static Component.ValType valType(BinaryReader s) {
    int at = s.position();
    long v = s.s33("value type");
    if (v >= 0) {
      if (v > Integer.MAX_VALUE) {
        throw new MalformedComponent(at, "type index " + v + " is too large");
      }
      return new Component.ValType(null, (int) v);
    }
    String prim = primitive((int) (v & 0x7F));
    if (prim == null) {
      throw new MalformedComponent(
          at, "value type " + v + " (expected: a primitive or a type index)");
    }
    return new Component.ValType(prim, -1);
  }

  private static String primitive(int b) {
    return switch (b) {
      case 0x7f -> "bool";
      case 0x7e -> "s8";
      case 0x7d -> "u8";
      case 0x7c -> "s16";
      case 0x7b -> "u16";
      case 0x7a -> "s32";
      case 0x79 -> "u32";
      case 0x78 -> "s64";
      case 0x77 -> "u64";
      case 0x76 -> "f32";
      case 0x75 -> "f64";
      case 0x74 -> "char";
      case 0x73 -> "string";
      case 0x64 -> "error-context";
      default -> null;
    };
  }

  private static Definition canon(BinaryReader s) {
    int at = s.position();
    int op = s.u8("canonical function");
    switch (op) {
      case 0x00, 0x01 -> {
        int zeroAt = s.position();
        if (s.u8("canonical function") != 0x00) {
          throw new MalformedComponent(
              zeroAt,
              "canon " + (op == 0 ? "lift" : "lower") + " (expected: 0x00 after the opcode)");
        }
        int func = s.index("function index");
        CanonOptions options = canonOptions(s);
        if (op == 0x00) {
          return new Component.Lift(at, func, options, s.index("function type index"));
        }
        return new Component.Lower(at, func, options);
      }
      case 0x02 -> {
        return new Component.ResourceBuiltin(
            at, "resource.new", s.index("resource type index"), false);
      }
      case 0x03, 0x07 -> {
        return new Component.ResourceBuiltin(
            at, "resource.drop", s.index("resource type index"), op == 0x07);
      }
      case 0x04 -> {
        return new Component.ResourceBuiltin(
            at, "resource.rep", s.index("resource type index"), false);
      }
      default -> {
        if (op >= 0x05 && op <= 0x2f) {
          throw new UnsupportedFeature(
              "the async canonical built-in 0x"
                  + hex(op)
                  + " (tasks, subtasks, streams, futures, waitables, error contexts)");
        }
        if (op >= 0x40 && op <= 0x4f) {
          throw new UnsupportedFeature("the thread canonical built-in 0x" + hex(op));
        }
        throw new MalformedComponent(
            at,
            "canonical function opcode 0x"
                + hex(op)
                + " (expected: a canon lift, lower or built-in)");
      }
    }
  }

  private static CanonOptions canonOptions(BinaryReader s) {
    int n = s.count("canonical options");
    String encoding = "utf8";
    int memory = -1;
    int realloc = -1;
    int postReturn = -1;
    boolean async = false;
    int callback = -1;
    for (int i = 0; i < n; i++) {
      int at = s.position();
      int opt = s.u8("canonical option");
      switch (opt) {
        case 0x00 -> encoding = "utf8";
        case 0x01 -> encoding = "utf16";
        case 0x02 -> encoding = "latin1+utf16";
        case 0x03 -> memory = s.index("memory index");
        case 0x04 -> realloc = s.index("realloc index");
        case 0x05 -> postReturn = s.index("post-return index");
        case 0x06 -> async = true;
        case 0x07 -> callback = s.index("callback index");
        case 0x08 -> {
          s.index("core type index");
          throw new UnsupportedFeature("the canonical option core-type");
        }
        case 0x09 -> throw new UnsupportedFeature("the canonical option gc");
        default ->
            throw new MalformedComponent(
                at, "canonical option 0x" + hex(opt) + " (expected: 0x00 to 0x09)");
      }
    }
    return new CanonOptions(encoding, memory, realloc, postReturn, async, callback);
  }

  private static ExternDesc externDesc(BinaryReader s) {
    int at = s.position();
    int kind = s.u8("extern description");
    switch (kind) {
      case 0x00 -> {
        int sortAt = s.position();
        if (s.u8("core sort") != 0x11) {
          throw new MalformedComponent(
              sortAt, "core extern description is not a module (expected: 0x11)");
        }
        return new ExternDesc(Sort.CORE_MODULE, s.index("core type index"), false);
      }
      case 0x01 -> {
        return new ExternDesc(Sort.FUNC, s.index("type index"), false);
      }
      case 0x02 -> {
        int bound = s.u8("value bound");
        if (bound == 0x00) {
          s.index("value index");
        } else if (bound == 0x01) {
          valType(s);
        } else {
          throw new MalformedComponent(at + 1, "value bound " + bound + " (expected: 0 or 1)");
        }
        return new ExternDesc(Sort.VALUE, -1, false);
      }
      case 0x03 -> {
        int boundAt = s.position();
        int bound = s.u8("type bound");
        if (bound == 0x00) {
          return new ExternDesc(Sort.TYPE, s.index("type index"), false);
        } else if (bound == 0x01) {
          return new ExternDesc(Sort.TYPE, -1, true);
        }
        throw new MalformedComponent(
            boundAt, "type bound " + bound + " (expected: 0 eq or 1 sub resource)");
      }
      case 0x04 -> {
        return new ExternDesc(Sort.COMPONENT, s.index("type index"), false);
      }
      case 0x05 -> {
        return new ExternDesc(Sort.INSTANCE, s.index("type index"), false);
      }
      default ->
          throw new MalformedComponent(
              at,
              "extern description kind "
                  + kind
                  + " (expected: 0 module, 1 func, 2 value, 3 type, 4 component, 5 instance)");
    }
  }

  /**
   * An import or export name: {@code 0x00 name}, {@code 0x01 name} (the former interface form), or
   * {@code 0x02 name version-suffix}.
   */
  private static String externName(BinaryReader s, String what) {
    int at = s.position();
    int kind = s.u8(what);
    return switch (kind) {
      case 0x00, 0x01 -> s.name(what);
      case 0x02 -> s.name(what) + s.name(what + " version suffix");
      default ->
          throw new MalformedComponent(
              at, what + " kind " + kind + " (expected: 0x00, 0x01 or 0x02)");
    };
  }

  private static Sort sort(BinaryReader s) {
    int at = s.position();
    int b = s.u8("sort");
    return switch (b) {
      case 0x00 -> coreSort(s);
      case 0x01 -> Sort.FUNC;
      case 0x02 -> Sort.VALUE;
      case 0x03 -> Sort.TYPE;
      case 0x04 -> Sort.COMPONENT;
      case 0x05 -> Sort.INSTANCE;
      default ->
          throw new MalformedComponent(
              at,
              "sort "
                  + b
                  + " (expected: 0 core, 1 func, 2 value, 3 type, 4 component, 5 instance)");
    };
  }

  private static Sort coreSort(BinaryReader s) {
    int at = s.position();
    int b = s.u8("core sort");
    return switch (b) {
      case 0x00 -> Sort.CORE_FUNC;
      case 0x01 -> Sort.CORE_TABLE;
      case 0x02 -> Sort.CORE_MEMORY;
      case 0x03 -> Sort.CORE_GLOBAL;
      case 0x04 -> Sort.CORE_TAG;
      case 0x10 -> Sort.CORE_TYPE;
      case 0x11 -> Sort.CORE_MODULE;
      case 0x12 -> Sort.CORE_INSTANCE;
      default ->
          throw new MalformedComponent(
              at,
              "core sort 0x"
                  + hex(b)
                  + " (expected: func, table, memory, global, tag, type, module or instance)");
    };
  }

  private static boolean option(BinaryReader s, String what) {
    int at = s.position();
    int b = s.u8(what);
    if (b > 1) {
      throw new MalformedComponent(
          at, what + ": option flag " + b + " (expected: 0 absent or 1 present)");
    }
    return b == 1;
  }

  private static String hex(int b) {
    return String.format("%02x", b);
  }
}
