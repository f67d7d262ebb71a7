package io.wruntime.engine.component;

import com.dylibso.chicory.wasm.types.FunctionType;
import java.util.List;

/**
 * A parsed component (binary format layer 1): its definitions in the order its sections declare
 * them, which is the order its index spaces are built in. Only structure is kept; the core modules
 * stay bytes until the linker hands them to Chicory.
 */
record Component(List<Definition> definitions) {
  Component {
    definitions = List.copyOf(definitions);
  }

  /** The kinds of things a component's index spaces hold. */
  enum Sort {
    CORE_FUNC("core func"),
    CORE_TABLE("core table"),
    CORE_MEMORY("core memory"),
    CORE_GLOBAL("core global"),
    CORE_TAG("core tag"),
    CORE_TYPE("core type"),
    CORE_MODULE("core module"),
    CORE_INSTANCE("core instance"),
    FUNC("func"),
    VALUE("value"),
    TYPE("type"),
    COMPONENT("component"),
    INSTANCE("instance");

    private final String label;

    Sort(String label) {
      this.label = label;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  /** One item of a section, at its byte offset. */
  sealed interface Definition {
    int offset();
  }

  record CoreModule(int offset, byte[] bytes) implements Definition {}

  record CoreArg(String name, int instance) {}

  record CoreInstantiate(int offset, int module, List<CoreArg> args) implements Definition {}

  record CoreExport(String name, Sort sort, int index) {}

  record CoreInlineExports(int offset, List<CoreExport> exports) implements Definition {}

  /** A core type: a function type, or a module type (kept only as such). */
  record CoreType(int offset, FunctionType function) implements Definition {}

  record NestedComponent(int offset, Component component) implements Definition {}

  record Arg(String name, Sort sort, int index) {}

  record Instantiate(int offset, int component, List<Arg> args) implements Definition {}

  record InlineExports(int offset, List<Arg> exports) implements Definition {}

  /** An alias: of an instance's export, a core instance's export, or an enclosing component's. */
  record Alias(int offset, Sort sort, Target target) implements Definition {
    sealed interface Target {}

    record Export(int instance, String name) implements Target {}

    record CoreExport(int instance, String name) implements Target {}

    record Outer(int count, int index) implements Target {}
  }

  record TypeDef(int offset, DefType type) implements Definition {}

  /** {@code canon lift}: a core function exposed as a component function of type {@code type}. */
  record Lift(int offset, int coreFunc, CanonOptions options, int type) implements Definition {}

  /** {@code canon lower}: a component function made callable as a core function. */
  record Lower(int offset, int func, CanonOptions options) implements Definition {}

  /** {@code canon resource.new}, {@code .drop} or {@code .rep} of resource type {@code type}. */
  record ResourceBuiltin(int offset, String builtin, int type, boolean async)
      implements Definition {}

  record Start(int offset, int func) implements Definition {}

  record Import(int offset, String name, ExternDesc desc) implements Definition {}

  record Export(int offset, String name, Sort sort, int index, ExternDesc desc)
      implements Definition {}

  /** A value section item: parsed far enough to be refused by name. */
  record Value(int offset) implements Definition {}

  /** A custom section: skipped. */
  record Custom(int offset, String name) implements Definition {}

  /** What an import or export is: its sort and type index (or bound, for types). */
  record ExternDesc(Sort sort, int type, boolean subResource) {}

  /** The options of a {@code canon lift} or {@code lower}. */
  record CanonOptions(
      String stringEncoding, int memory, int realloc, int postReturn, boolean async, int callback) {
    static final CanonOptions NONE = new CanonOptions("utf8", -1, -1, -1, false, -1);
  }

  /** A component value type: a primitive (e.g. {@code string}) or a type index. */
  record ValType(String primitive, int type) {}

  /** A component-level type definition. */
  sealed interface DefType {}

  /**
   * A defined value type: {@code kind} ({@code record}, {@code own}, ...); for own/borrow, the
   * resource.
   */
  record ValueTypeDef(String kind, int resource) implements DefType {}

  record Param(String name, ValType type) {}

  record FuncTypeDef(List<Param> params, List<ValType> results, boolean async) implements DefType {}

  /** An instance or component type: its declarations. */
  record InstanceTypeDef(boolean component, List<Decl> decls) implements DefType {}

  record ResourceTypeDef(int destructor, boolean async) implements DefType {}

  /** A declaration inside an instance or component type. */
  sealed interface Decl {}

  record DeclCoreType() implements Decl {}

  record DeclType(DefType type) implements Decl {}

  record DeclAlias(Alias alias) implements Decl {}

  record DeclExport(String name, ExternDesc desc) implements Decl {}

  record DeclImport(String name, ExternDesc desc) implements Decl {}
}
