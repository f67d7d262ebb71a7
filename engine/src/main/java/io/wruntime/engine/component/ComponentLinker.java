package io.wruntime.engine.component;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.ValType;
import io.wruntime.engine.component.Component.Alias;
import io.wruntime.engine.component.Component.CanonOptions;
import io.wruntime.engine.component.Component.Definition;
import io.wruntime.engine.component.Component.Sort;
import io.wruntime.engine.host.CodeCache;
import io.wruntime.engine.host.CompiledModule;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.module.ModuleDefinition;
import io.wruntime.engine.module.ModuleLoadException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Resolves a parsed component into a plan of core instances: walks its definitions in order,
 * building each index space (nested components are evaluated where they are instantiated, so a
 * component made of re-exporting shims flattens), compiles its core modules, resolves every {@code
 * canon lower} to a host function and checks each core import against what is wired to it. The
 * result is the ordered list of core instantiations with their imports, and the lifted handler.
 */
final class ComponentLinker {
  private static final Pattern HANDLER = Pattern.compile("wasi:http/incoming-handler@0\\.2\\.\\d+");
  private static final FunctionType HANDLER_TYPE =
      FunctionType.of(List.of(ValType.I32, ValType.I32), List.of());

  /**
   * The most core instantiations plus nested component instantiations one component may make: a
   * component that instantiates a nested one twice, nested twenty levels deep, would otherwise make
   * millions (docs/components.md).
   */
  static final int MAX_INSTANTIATIONS = 1_000;

  private final ModuleDefinition definition;
  private int instantiations;
  private final Map<WasmModule, Map<String, Export>> exportMaps = new IdentityHashMap<>();
  private final HostResolver host;
  private final CodeCache codeCache;
  private final List<CorePlan> plans = new ArrayList<>();
  private final Map<Component.CoreModule, ModuleRef> modules = new HashMap<>();

  private ComponentLinker(ModuleDefinition definition, HostResolver host, CodeCache codeCache) {
    this.definition = definition;
    this.codeCache = codeCache;
    this.host = host;
  }

  /** One core instantiation: the compiled module and where each of its imports comes from. */
  record CorePlan(
      int module, WasmModule parsed, CompiledModule compiled, List<ImportPlan> imports) {}

  /** One import of a core instantiation; {@code type} for functions. */
  record ImportPlan(
      String module, String name, ExternalType kind, CoreItem source, FunctionType type) {}

  /** The exported handler: its core function, post-return (or null) and memory (or null). */
  record Handler(
      String export, CoreItem.ExportOf core, CoreItem.ExportOf postReturn, CoreItem memory) {}

  record Linked(List<CorePlan> plans, Handler handler) {}

  /** Links {@code component}. */
  static Linked link(
      ModuleDefinition definition, Component component, HostResolver host, CodeCache codeCache)
      throws ModuleLoadException {
    ComponentLinker linker = new ComponentLinker(definition, host, codeCache);
    Scope top = new Scope(null, null, null);
    linker.evaluate(component, top);
    Handler handler = linker.handler(top);
    return new Linked(linker.compile(), handler);
  }

  // Items of the component-level index spaces.
  private record ModuleRef(
      int index, Component.CoreModule source, WasmModule module, boolean validated) {}

  private record Planned(int plan, WasmModule module) {}

  private record Bag(Map<String, CoreItem> exports) {}

  private record ImportedFunc(String instance, String name) {}

  private record LiftedFunc(
      CoreItem core, CoreItem memory, CoreItem realloc, CoreItem postReturn, Object type) {}

  private record ImportedInstance(String name, Component.InstanceTypeDef type) {}

  private record Exports(Map<String, Object> items) {}

  private record ImportedResource(String instance, String name) {}

  private record LocalResource() {}

  private record TypeItem(Component.DefType type) {}

  /** A nested component, the scope it was defined in and that scope's space sizes then. */
  private record ComponentRef(Component component, Scope defining, Map<Sort, Integer> sizes) {}

  private static final class Scope {
    final Scope parent;
    // The parent's space sizes when this scope's component was defined: what outer aliases see.
    final Map<Sort, Integer> parentSizes;
    final Map<String, Object> args;
    final Map<Sort, List<Object>> spaces = new EnumMap<>(Sort.class);
    final Map<String, Object> exports = new LinkedHashMap<>();

    Scope(Scope parent, Map<Sort, Integer> parentSizes, Map<String, Object> args) {
      this.parent = parent;
      this.parentSizes = parentSizes;
      this.args = args;
    }

    void add(Sort sort, Object item) {
      spaces.computeIfAbsent(sort, k -> new ArrayList<>()).add(item);
    }

    Map<Sort, Integer> sizes() {
      Map<Sort, Integer> sizes = new EnumMap<>(Sort.class);
      spaces.forEach((sort, space) -> sizes.put(sort, space.size()));
      return sizes;
    }

    Object get(Sort sort, int index, int offset) {
      List<Object> space = spaces.getOrDefault(sort, List.of());
      if (index < 0 || index >= space.size()) {
        throw new MalformedComponent(
            offset,
            sort + " index " + index + " is out of range (expected: below " + space.size() + ")");
      }
      return space.get(index);
    }
  }

  private void count(int at) {
    if (++instantiations > MAX_INSTANTIATIONS) {
      throw new UnsupportedFeature(
          "more than "
              + MAX_INSTANTIATIONS
              + " core and component instantiations (at byte "
              + at
              + "; expected: at most "
              + MAX_INSTANTIATIONS
              + ")");
    }
  }

  private void evaluate(Component component, Scope s) throws ModuleLoadException {
    for (Definition d : component.definitions()) {
      int at = d.offset();
      switch (d) {
        case Component.Custom c -> {}
        case Component.CoreModule m -> s.add(Sort.CORE_MODULE, module(m));
        case Component.CoreInstantiate ci -> {
          ModuleRef ref =
              as(ModuleRef.class, s.get(Sort.CORE_MODULE, ci.module(), at), at, "core module");
          count(at);
          Map<String, Object> args = new HashMap<>();
          for (Component.CoreArg a : ci.args()) {
            args.put(a.name(), s.get(Sort.CORE_INSTANCE, a.instance(), at));
          }
          s.add(Sort.CORE_INSTANCE, instantiate(ref, args, at));
        }
        case Component.CoreInlineExports ce -> {
          Map<String, CoreItem> exports = new LinkedHashMap<>();
          for (Component.CoreExport e : ce.exports()) {
            exports.put(e.name(), coreItem(s, e.sort(), e.index(), at));
          }
          s.add(Sort.CORE_INSTANCE, new Bag(exports));
        }
        case Component.CoreType t -> s.add(Sort.CORE_TYPE, t);
        case Component.NestedComponent n ->
            s.add(Sort.COMPONENT, new ComponentRef(n.component(), s, s.sizes()));
        case Component.Instantiate in -> {
          ComponentRef ref =
              as(ComponentRef.class, s.get(Sort.COMPONENT, in.component(), at), at, "component");
          count(at);
          Map<String, Object> args = new HashMap<>();
          for (Component.Arg a : in.args()) {
            args.put(a.name(), s.get(a.sort(), a.index(), at));
          }
          Scope inner = new Scope(ref.defining(), ref.sizes(), args);
          evaluate(ref.component(), inner);
          s.add(Sort.INSTANCE, new Exports(inner.exports));
        }
        case Component.InlineExports ie -> {
          Map<String, Object> items = new LinkedHashMap<>();
          for (Component.Arg a : ie.exports()) {
            items.put(a.name(), s.get(a.sort(), a.index(), at));
          }
          s.add(Sort.INSTANCE, new Exports(items));
        }
        case Alias a -> s.add(a.sort(), alias(s, a));
        case Component.TypeDef t ->
            s.add(
                Sort.TYPE,
                t.type() instanceof Component.ResourceTypeDef
                    ? new LocalResource()
                    : new TypeItem(t.type()));
        case Component.Lift l -> {
          checkOptions(l.options(), "canon lift");
          CanonOptions o = l.options();
          CoreItem core = coreItem(s, Sort.CORE_FUNC, l.coreFunc(), at);
          CoreItem postReturn = null;
          if (o.postReturn() >= 0) {
            postReturn = coreItem(s, Sort.CORE_FUNC, o.postReturn(), at);
            FunctionType lifted = functionType(core);
            if (lifted != null) {
              checkType(
                  postReturn, FunctionType.of(lifted.returns(), List.of()), "post-return", at);
            }
          }
          s.add(
              Sort.FUNC,
              new LiftedFunc(
                  core,
                  o.memory() < 0 ? null : coreItem(s, Sort.CORE_MEMORY, o.memory(), at),
                  realloc(s, o, at),
                  postReturn,
                  s.get(Sort.TYPE, l.type(), at)));
        }
        case Component.Lower l -> s.add(Sort.CORE_FUNC, lower(s, l));
        case Component.ResourceBuiltin r -> s.add(Sort.CORE_FUNC, resourceBuiltin(s, r));
        case Component.Start st -> throw new UnsupportedFeature("a component start function");
        case Component.Value v ->
            throw new UnsupportedFeature("a value section (component values)");
        case Component.Import imp -> s.add(imp.desc().sort(), importItem(s, imp));
        case Component.Export e -> {
          Object item = s.get(e.sort(), e.index(), at);
          s.exports.put(e.name(), item);
          s.add(e.sort(), item);
        }
      }
    }
  }

  private ModuleRef module(Component.CoreModule m) throws ModuleLoadException {
    ModuleRef known = modules.get(m);
    if (known != null) {
      return known;
    }
    int index = modules.size();
    CompiledModule.Parsed parsed;
    try {
      // Without validating the bodies when the code cache holds this module's code (compile()).
      parsed = CompiledModule.parseForLink(definition, m.bytes(), codeCache);
    } catch (CompiledModule.InvalidModule e) {
      throw new MalformedComponent(
          m.offset(),
          "core module " + index + " is not a valid WebAssembly module: " + e.getMessage());
    }
    ModuleRef ref = new ModuleRef(index, m, parsed.module(), parsed.validated());
    modules.put(m, ref);
    return ref;
  }

  private Planned instantiate(ModuleRef ref, Map<String, Object> args, int at)
      throws ModuleLoadException {
    WasmModule module = ref.module();
    List<ImportPlan> imports = new ArrayList<>();
    for (int i = 0; i < module.importSection().importCount(); i++) {
      Import imp = module.importSection().getImport(i);
      String what = "core module " + ref.index() + " import " + imp.module() + "#" + imp.name();
      Object instance = args.get(imp.module());
      if (instance == null) {
        throw new MalformedComponent(
            at,
            what
                + " is not supplied (expected: an instantiate argument named "
                + imp.module()
                + ")");
      }
      Sort sort =
          switch (imp.importType()) {
            case FUNCTION -> Sort.CORE_FUNC;
            case TABLE -> Sort.CORE_TABLE;
            case MEMORY -> Sort.CORE_MEMORY;
            case GLOBAL -> Sort.CORE_GLOBAL;
            case TAG -> throw new UnsupportedFeature("core exception tags (" + what + ")");
          };
      CoreItem source = exportOf(instance, imp.name(), sort, at, what);
      FunctionType type = null;
      if (imp instanceof FunctionImport fi) {
        type = module.typeSection().getType(fi.typeIndex());
        FunctionType actual = functionType(source);
        if (actual != null && !actual.equals(type)) {
          String from =
              source instanceof CoreItem.Lowered l
                  ? "the host function " + l.instance() + "#" + l.function()
                  : "the function wired to it";
          throw new ModuleLoadException(
              "module "
                  + definition.label()
                  + ": component "
                  + what
                  + " has type "
                  + format(type)
                  + " but "
                  + from
                  + " has type "
                  + format(actual)
                  + " (expected: the same core type)");
        }
      }
      imports.add(new ImportPlan(imp.module(), imp.name(), imp.importType(), source, type));
    }
    plans.add(new CorePlan(ref.index(), module, null, imports));
    return new Planned(plans.size() - 1, module);
  }

  /** The item {@code name} of the core instance {@code instance}, of sort {@code sort}. */
  private CoreItem exportOf(Object instance, String name, Sort sort, int at, String what) {
    if (instance instanceof Planned p) {
      Export e = export(p.module(), name);
      if (e == null || sort(e.exportType()) != sort) {
        throw new MalformedComponent(
            at, what + ": the instance wired to it has no " + sort + " export " + name);
      }
      return new CoreItem.ExportOf(p.plan(), name, sort);
    }
    if (instance instanceof Bag b) {
      CoreItem item = b.exports().get(name);
      if (item == null || item.sort() != sort) {
        throw new MalformedComponent(
            at, what + ": the instance wired to it has no " + sort + " export " + name);
      }
      return item;
    }
    throw new MalformedComponent(at, what + ": wired to something that is not a core instance");
  }

  private FunctionType functionType(CoreItem item) {
    if (item instanceof CoreItem.Lowered l) {
      return l.type();
    }
    if (item instanceof CoreItem.ExportOf e) {
      WasmModule module = plans.get(e.instance()).parsed();
      Export export = export(module, e.name());
      return export == null ? null : functionTypeOf(module, (int) export.index());
    }
    return null;
  }

  private static FunctionType functionTypeOf(WasmModule module, int index) {
    int imported = 0;
    for (int i = 0; i < module.importSection().importCount(); i++) {
      if (module.importSection().getImport(i) instanceof FunctionImport fi) {
        if (imported == index) {
          return module.typeSection().getType(fi.typeIndex());
        }
        imported++;
      }
    }
    int local = index - imported;
    if (local < 0 || local >= module.functionSection().functionCount()) {
      return null;
    }
    return module.typeSection().getType(module.functionSection().getFunctionType(local));
  }

  private Export export(WasmModule module, String name) {
    return exportMaps
        .computeIfAbsent(
            module,
            m -> {
              Map<String, Export> map = new HashMap<>();
              for (int i = 0; i < m.exportSection().exportCount(); i++) {
                Export e = m.exportSection().getExport(i);
                map.putIfAbsent(e.name(), e);
              }
              return map;
            })
        .get(name);
  }

  private static Sort sort(ExternalType type) {
    return switch (type) {
      case FUNCTION -> Sort.CORE_FUNC;
      case TABLE -> Sort.CORE_TABLE;
      case MEMORY -> Sort.CORE_MEMORY;
      case GLOBAL -> Sort.CORE_GLOBAL;
      case TAG -> Sort.CORE_TAG;
    };
  }

  private static CoreItem coreItem(Scope s, Sort sort, int index, int at) {
    Object item = s.get(sort, index, at);
    if (item instanceof CoreItem c) {
      return c;
    }
    throw new UnsupportedFeature("a " + sort + " other than a function, table, memory or global");
  }

  private Object alias(Scope s, Alias a) {
    int at = a.offset();
    switch (a.target()) {
      case Alias.Export e -> {
        Object instance = s.get(Sort.INSTANCE, e.instance(), at);
        if (instance instanceof ImportedInstance ii) {
          return switch (a.sort()) {
            case FUNC -> new ImportedFunc(ii.name(), e.name());
            case TYPE -> importedType(ii, e.name());
            default ->
                throw new UnsupportedFeature(
                    "an alias of the "
                        + a.sort()
                        + " "
                        + e.name()
                        + " of the imported "
                        + ii.name());
          };
        }
        Exports exports = as(Exports.class, instance, at, "instance");
        Object item = exports.items().get(e.name());
        if (item == null) {
          throw new MalformedComponent(
              at, "alias of export " + e.name() + ", which the instance does not have");
        }
        return checkSort(item, a.sort(), at, "alias of export " + e.name());
      }
      case Alias.CoreExport e -> {
        Object instance = s.get(Sort.CORE_INSTANCE, e.instance(), at);
        return exportOf(instance, e.name(), a.sort(), at, "alias of core export " + e.name());
      }
      case Alias.Outer o -> {
        Scope target = s;
        Map<Sort, Integer> bounds = null;
        for (int i = 0; i < o.count(); i++) {
          bounds = target.parentSizes;
          target = target.parent;
          if (target == null) {
            throw new MalformedComponent(
                at, "outer alias count " + o.count() + " reaches past the outermost component");
          }
        }
        if (bounds != null && o.index() >= bounds.getOrDefault(a.sort(), 0)) {
          throw new MalformedComponent(
              at,
              "outer alias of "
                  + a.sort()
                  + " "
                  + o.index()
                  + " refers to an item defined after the nested component (expected: below "
                  + bounds.getOrDefault(a.sort(), 0)
                  + ")");
        }
        return checkSort(target.get(a.sort(), o.index(), at), a.sort(), at, "outer alias");
      }
    }
  }

  /** The sort of a linker item: the index space it belongs in. */
  private static Sort sortOf(Object item) {
    return switch (item) {
      case CoreItem c -> c.sort();
      case ModuleRef m -> Sort.CORE_MODULE;
      case Planned p -> Sort.CORE_INSTANCE;
      case Bag b -> Sort.CORE_INSTANCE;
      case Component.CoreType t -> Sort.CORE_TYPE;
      case ImportedFunc f -> Sort.FUNC;
      case LiftedFunc f -> Sort.FUNC;
      case ImportedInstance i -> Sort.INSTANCE;
      case Exports e -> Sort.INSTANCE;
      case ImportedResource r -> Sort.TYPE;
      case LocalResource r -> Sort.TYPE;
      case TypeItem t -> Sort.TYPE;
      case ComponentRef c -> Sort.COMPONENT;
      default -> null;
    };
  }

  /** {@code item}, when it is of {@code sort}; a MalformedComponent naming both otherwise. */
  private static Object checkSort(Object item, Sort sort, int at, String what) {
    Sort actual = sortOf(item);
    if (actual != sort) {
      throw new MalformedComponent(
          at, what + " is a " + sort + " but refers to a " + actual + " (expected: the same sort)");
    }
    return item;
  }

  private static Object importedType(ImportedInstance ii, String name) {
    if (ii.type() != null) {
      for (Component.Decl d : ii.type().decls()) {
        if (d instanceof Component.DeclExport de
            && de.name().equals(name)
            && de.desc().sort() == Sort.TYPE) {
          return de.desc().subResource()
              ? new ImportedResource(ii.name(), name)
              : new TypeItem(null);
        }
      }
    }
    return new TypeItem(null);
  }

  private Object importItem(Scope s, Component.Import imp) {
    int at = imp.offset();
    if (s.args != null) {
      Object item = s.args.get(imp.name());
      if (item == null) {
        throw new MalformedComponent(
            at, "nested component import " + imp.name() + " is not supplied by its instantiation");
      }
      return checkSort(item, imp.desc().sort(), at, "nested component import " + imp.name());
    }
    if (imp.desc().sort() != Sort.INSTANCE) {
      throw new UnsupportedFeature(
          "an import of a "
              + imp.desc().sort()
              + " ("
              + imp.name()
              + "; expected: instances of WASI interfaces)");
    }
    Object type = s.get(Sort.TYPE, imp.desc().type(), at);
    Component.InstanceTypeDef it =
        type instanceof TypeItem t && t.type() instanceof Component.InstanceTypeDef d ? d : null;
    return new ImportedInstance(imp.name(), it);
  }

  private CoreItem lower(Scope s, Component.Lower l) throws ModuleLoadException {
    int at = l.offset();
    checkOptions(l.options(), "canon lower");
    Object func = s.get(Sort.FUNC, l.func(), at);
    if (!(func instanceof ImportedFunc f)) {
      throw new UnsupportedFeature(
          "a canon lower of a function it lifts itself (components linked to each other)");
    }
    HostFunctionDef def = host.resolve(f.instance(), f.name());
    CanonOptions o = l.options();
    return new CoreItem.Lowered(
        f.instance(),
        f.name(),
        def,
        o.memory() < 0 ? null : coreItem(s, Sort.CORE_MEMORY, o.memory(), at),
        realloc(s, o, at));
  }

  private static final FunctionType REALLOC_TYPE =
      FunctionType.of(
          List.of(ValType.I32, ValType.I32, ValType.I32, ValType.I32), List.of(ValType.I32));

  /** The realloc option, or null: a core function of the component of type (i32 x4) -> i32. */
  private CoreItem realloc(Scope s, CanonOptions o, int at) {
    if (o.realloc() < 0) {
      return null;
    }
    CoreItem realloc = coreItem(s, Sort.CORE_FUNC, o.realloc(), at);
    checkType(realloc, REALLOC_TYPE, "realloc", at);
    return realloc;
  }

  /** Refuses a canon option function that is a host function or does not have type {@code want}. */
  private void checkType(CoreItem item, FunctionType want, String option, int at) {
    if (item instanceof CoreItem.Lowered l) {
      throw new MalformedComponent(
          at,
          "the "
              + option
              + " option is the host function "
              + l.instance()
              + "#"
              + l.function()
              + " (expected: a core function of the component)");
    }
    FunctionType actual = functionType(item);
    if (actual == null || !actual.equals(want)) {
      throw new MalformedComponent(
          at,
          "the "
              + option
              + " option's function has type "
              + (actual == null ? "unknown" : format(actual))
              + " (expected: "
              + format(want)
              + ")");
    }
  }

  private CoreItem resourceBuiltin(Scope s, Component.ResourceBuiltin r)
      throws ModuleLoadException {
    Object type = s.get(Sort.TYPE, r.type(), r.offset());
    if (!r.builtin().equals("resource.drop") || !(type instanceof ImportedResource res)) {
      throw new UnsupportedFeature(
          "canon " + r.builtin() + " of a resource type it defines (guest-defined resources)");
    }
    if (r.async()) {
      throw new UnsupportedFeature("canon resource.drop async");
    }
    String name = "[resource-drop]" + res.name();
    return new CoreItem.Lowered(
        res.instance(), name, host.resolve(res.instance(), name), null, null);
  }

  private static void checkOptions(CanonOptions o, String what) {
    if (!o.stringEncoding().equals("utf8")) {
      throw new UnsupportedFeature("string-encoding=" + o.stringEncoding());
    }
    if (o.async() || o.callback() >= 0) {
      throw new UnsupportedFeature("the async option of " + what);
    }
  }

  private Handler handler(Scope top) throws ModuleLoadException {
    for (Map.Entry<String, Object> e : top.exports.entrySet()) {
      if (!HANDLER.matcher(e.getKey()).matches() || !(e.getValue() instanceof Exports ex)) {
        continue;
      }
      if (!(ex.items().get("handle") instanceof LiftedFunc f)) {
        throw new ModuleLoadException(
            "module "
                + definition.label()
                + ": the component's export "
                + e.getKey()
                + " has no lifted function handle (expected: handle(request: own<incoming-request>,"
                + " response-out: own<response-outparam>))");
      }
      if (f.type() instanceof TypeItem t
          && t.type() instanceof Component.FuncTypeDef ft
          && (ft.params().size() != 2 || !ft.results().isEmpty())) {
        throw new ModuleLoadException(
            "module "
                + definition.label()
                + ": the component's "
                + e.getKey()
                + "#handle takes "
                + ft.params().size()
                + " parameters and returns "
                + ft.results().size()
                + " results (expected: 2 parameters, no results)");
      }
      if (!(f.core() instanceof CoreItem.ExportOf core)) {
        throw new UnsupportedFeature("a handler lifted from a host function");
      }
      FunctionType actual = functionType(core);
      if (!HANDLER_TYPE.equals(actual)) {
        throw new ModuleLoadException(
            "module "
                + definition.label()
                + ": the core function lifted as "
                + e.getKey()
                + "#handle has type "
                + (actual == null ? "unknown" : format(actual))
                + " (expected: (i32, i32) -> ())");
      }
      CoreItem.ExportOf post = null;
      if (f.postReturn() != null) {
        if (!(f.postReturn() instanceof CoreItem.ExportOf p)) {
          throw new UnsupportedFeature("a post-return that is a host function");
        }
        post = p;
      }
      return new Handler(e.getKey(), core, post, f.memory());
    }
    throw new ModuleLoadException(
        "module "
            + definition.label()
            + ": "
            + definition.wasmPath()
            + " is a component that does not export wasi:http/incoming-handler@0.2.N (expected: an"
            + " instance export of that interface with its handle function; it exports: "
            + (top.exports.isEmpty()
                ? "nothing"
                : String.join(", ", new TreeSet<>(top.exports.keySet())))
            + ")");
  }

  /**
   * The final plans: the modules of each group sharing a table rewritten to one type section
   * ({@link TypeSectionUnifier}) and parsed again, then every module compiled (through the code
   * cache, keyed by the digest of the bytes compiled).
   */
  private List<CorePlan> compile() throws ModuleLoadException {
    ModuleRef[] byIndex = new ModuleRef[modules.size()];
    modules.values().forEach(ref -> byIndex[ref.index()] = ref);
    WasmModule[] parsed = new WasmModule[byIndex.length];
    for (ModuleRef ref : byIndex) {
      parsed[ref.index()] = ref.module();
    }
    for (List<Integer> group : sharedTableGroups(byIndex.length)) {
      List<byte[]> bytes = new ArrayList<>(group.size());
      for (int m : group) {
        bytes.add(byIndex[m].source().bytes());
      }
      List<byte[]> unified;
      try {
        unified = TypeSectionUnifier.unify(bytes);
      } catch (TypeSectionUnifier.ModuleProblem e) {
        ModuleRef ref = byIndex[group.get(e.module())];
        if (e.getCause() instanceof UnsupportedFeature u) {
          throw new UnsupportedFeature(u.feature() + " (core module " + ref.index() + ")");
        }
        MalformedComponent m = (MalformedComponent) e.getCause();
        throw new MalformedComponent(
            ref.source().offset(),
            "core module "
                + ref.index()
                + ", byte "
                + m.offset()
                + " of the module (read to renumber its types, as it shares a funcref table): "
                + m.detail());
      }
      for (int k = 0; k < group.size(); k++) {
        if (unified.get(k) != bytes.get(k)) {
          ModuleRef ref = byIndex[group.get(k)];
          parsed[ref.index()] = reparse(ref, unified.get(k));
        }
      }
    }
    CompiledModule[] compiled = new CompiledModule[byIndex.length];
    for (ModuleRef ref : byIndex) {
      WasmModule module = parsed[ref.index()];
      if (module != ref.module() || ref.validated()) {
        compiled[ref.index()] = CompiledModule.compilePart(definition, module, codeCache);
        continue;
      }
      try {
        compiled[ref.index()] =
            CompiledModule.compilePart(
                definition,
                new CompiledModule.Parsed(module, false, ref.source().bytes()),
                codeCache);
      } catch (CompiledModule.InvalidModule e) {
        throw new MalformedComponent(
            ref.source().offset(),
            "core module " + ref.index() + " is not a valid WebAssembly module: " + e.getMessage());
      }
    }
    List<CorePlan> done = new ArrayList<>(plans.size());
    for (CorePlan p : plans) {
      done.add(new CorePlan(p.module(), parsed[p.module()], compiled[p.module()], p.imports()));
    }
    return List.copyOf(done);
  }

  private static WasmModule reparse(ModuleRef ref, byte[] bytes) {
    try {
      return Parser.parse(bytes);
    } catch (RuntimeException | AssertionError e) {
      throw new MalformedComponent(
          ref.source().offset(),
          "core module "
              + ref.index()
              + " is not a valid WebAssembly module after its types were renumbered: "
              + e.getMessage());
    }
  }

  /**
   * The core modules (by index) that share tables, each group with at least two distinct modules,
   * in module order: a module whose instance imports a table exported by another instance joins
   * that instance's module, transitively. Chicory checks a {@code call_indirect} into another
   * instance by comparing the caller's type index with the callee's in the callee's module, so the
   * modules of a group must number their function types alike — as wit-component's shim and fixup
   * modules do, and as the separately compiled libraries of a dynamically linked component
   * (componentize-py) do not.
   */
  private List<List<Integer>> sharedTableGroups(int moduleCount) {
    int[] parent = new int[moduleCount];
    for (int i = 0; i < moduleCount; i++) {
      parent[i] = i;
    }
    for (CorePlan p : plans) {
      for (ImportPlan imp : p.imports()) {
        if (imp.kind() == ExternalType.TABLE && imp.source() instanceof CoreItem.ExportOf e) {
          int a = root(parent, p.module());
          int b = root(parent, plans.get(e.instance()).module());
          parent[Math.max(a, b)] = Math.min(a, b);
        }
      }
    }
    Map<Integer, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < moduleCount; i++) {
      groups.computeIfAbsent(root(parent, i), k -> new ArrayList<>()).add(i);
    }
    List<List<Integer>> shared = new ArrayList<>();
    for (List<Integer> group : groups.values()) {
      if (group.size() > 1) {
        shared.add(group);
      }
    }
    return shared;
  }

  private static int root(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  private static <T> T as(Class<T> type, Object item, int at, String what) {
    if (type.isInstance(item)) {
      return type.cast(item);
    }
    throw new MalformedComponent(at, "expected a " + what + " here");
  }

  static String format(FunctionType type) {
    StringBuilder b = new StringBuilder("(");
    for (int i = 0; i < type.params().size(); i++) {
      b.append(i == 0 ? "" : ", ").append(name(type.params().get(i)));
    }
    b.append(") -> (");
    for (int i = 0; i < type.returns().size(); i++) {
      b.append(i == 0 ? "" : ", ").append(name(type.returns().get(i)));
    }
    return b.append(")").toString();
  }

  private static String name(ValType t) {
    if (t.equals(ValType.I32)) {
      return "i32";
    } else if (t.equals(ValType.I64)) {
      return "i64";
    } else if (t.equals(ValType.F32)) {
      return "f32";
    } else if (t.equals(ValType.F64)) {
      return "f64";
    }
    return t.toString().toLowerCase(java.util.Locale.ROOT);
  }
}
