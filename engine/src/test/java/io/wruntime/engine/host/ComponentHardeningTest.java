package io.wruntime.engine.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.engine.component.LoadedComponent;
import io.wruntime.engine.module.ModuleDefinition;
import io.wruntime.engine.module.ModuleDefinition.ExecutionMode;
import io.wruntime.engine.module.ModuleLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Components (and core modules) written in WAT and encoded by wasm-tools without validation: what a
 * hostile or broken binary gets from the loader — a load error naming the problem, never an engine
 * crash — and the component-model rules the runtime keeps.
 */
class ComponentHardeningTest {
  @TempDir Path dir;

  @RegisterExtension final LogCapture guestLog = new LogCapture();

  /**
   * A component serving wasi:http/incoming-handler@0.2.0 from a core module with {@code body},
   * lifted with {@code options} (the core memory is {@code $mem}, the core instance {@code $i}).
   */
  private static String handler(String body, String options) {
    return """
        (component
          (import "wasi:http/types@0.2.0" (instance $types
            (export "incoming-request" (type (sub resource)))
            (export "response-outparam" (type (sub resource)))
            (export "fields" (type (sub resource)))
            (export "[constructor]fields" (func (result (own 2))))))
          (alias export $types "incoming-request" (type $req))
          (alias export $types "response-outparam" (type $out))
          (alias export $types "[constructor]fields" (func $newfields))
          (core module $m
            (memory (export "memory") 1)
            (func (export "handle") (param i32 i32))
            %s)
          (core instance $i (instantiate $m))
          (alias core export $i "memory" (core memory $mem))
          (core func $host (canon lower (func $newfields)))
          (func $handle (param "request" (own $req)) (param "response-out" (own $out))
            (canon lift (core func $i "handle") %s))
          (instance $h (export "handle" (func $handle)))
          (export "wasi:http/incoming-handler@0.2.0" (instance $h)))
        """
        .formatted(body, options);
  }

  private Path wasm(String name, String wat) throws Exception {
    Path source = dir.resolve(name + ".wat");
    Path out = dir.resolve(name + ".wasm");
    Files.writeString(source, wat);
    WasmTools.require().run("parse", source.toString(), "-o", out.toString());
    return out;
  }

  private static ModuleDefinition definition(Path wasm) {
    return new ModuleDefinition(
        "test", "component", "1.0.0", wasm, Map.of(), 16L << 20, ExecutionMode.INTERPRETED);
  }

  private static Object load(Path wasm) throws Exception {
    try (WasiHttpModuleLoader loader = new WasiHttpModuleLoader(TestGuests.NO_OUTBOUND)) {
      return loader.load(definition(wasm));
    }
  }

  private static void assertRefused(Path wasm, String... fragments) {
    assertThatThrownBy(() -> load(wasm))
        .isInstanceOf(ModuleLoadException.class)
        .hasMessageContainingAll(fragments);
  }

  @Test
  void theHandlerComponentLoads() throws Exception {
    assertThat(load(wasm("plain", handler("", "")))).isInstanceOf(LoadedComponent.class);
  }

  @Test
  void nestedInstantiationsThatMultiplyAreCappedBeforeTheyExhaustTheHeap() throws Exception {
    // C0 instantiates an empty core module; Ck instantiates C(k-1) twice: 2^23 core instances.
    String c = "(component (core module) (core instance (instantiate 0)))";
    for (int k = 1; k <= 23; k++) {
      c = "(component " + c + " (instance (instantiate 0)) (instance (instantiate 0)))";
    }
    Path bomb = wasm("bomb", c);
    assertThat(Files.size(bomb)).isLessThan(1000);

    assertRefused(
        bomb,
        "module test.component",
        "component uses more than 1000 core and component instantiations",
        "not supported");
  }

  @Test
  void anExportedStartFunctionIsNotCalled() throws Exception {
    // Chicory's initialize(true) would call _start, which traps; the component model never does.
    Object loaded = load(wasm("start", handler("(func (export \"_start\") unreachable)", "")));

    LoadedComponent component = (LoadedComponent) loaded;
    component.instantiateAsARequest();
  }

  /**
   * A component whose core module's start function writes a line to stdout through wasi:cli (its
   * memory comes from a core instance of its own, as real components wire it).
   */
  private static final String START_WRITES =
      """
      (component
        (import "wasi:io/streams@0.2.0" (instance $streams
          (export "output-stream" (type (sub resource)))
          (export "[method]output-stream.blocking-write-and-flush"
            (func (param "self" (borrow 0)) (param "contents" (list u8)) (result (result))))))
        (alias export $streams "output-stream" (type $os))
        (alias export $streams "[method]output-stream.blocking-write-and-flush" (func $write))
        (import "wasi:cli/stdout@0.2.0" (instance $stdout
          (export "output-stream" (type (sub resource)))
          (export "get-stdout" (func (result (own 0))))))
        (alias export $stdout "get-stdout" (func $getstdout))
        (import "wasi:http/types@0.2.0" (instance $types
          (export "incoming-request" (type (sub resource)))
          (export "response-outparam" (type (sub resource)))))
        (alias export $types "incoming-request" (type $req))
        (alias export $types "response-outparam" (type $out))
        (core module $memory (memory (export "memory") 1))
        (core instance $mi (instantiate $memory))
        (alias core export $mi "memory" (core memory $mem))
        (core func $get (canon lower (func $getstdout)))
        (core func $put (canon lower (func $write) (memory $mem)))
        (core func $drop (canon resource.drop $os))
        (core instance $host
          (export "get-stdout" (func $get))
          (export "write" (func $put))
          (export "drop" (func $drop))
          (export "memory" (memory $mem)))
        (core module $m
          (import "host" "get-stdout" (func $get (result i32)))
          (import "host" "write" (func $write (param i32 i32 i32 i32)))
          (import "host" "drop" (func $drop (param i32)))
          (import "host" "memory" (memory 1))
          (data (i32.const 16) "start ran\\n")
          (func $start (local $stream i32)
            (local.set $stream (call $get))
            (call $write (local.get $stream) (i32.const 16) (i32.const 10) (i32.const 64))
            (call $drop (local.get $stream)))
          (start $start)
          (func (export "handle") (param i32 i32)))
        (core instance $i (instantiate $m (with "host" (instance $host))))
        (func $handle (param "request" (own $req)) (param "response-out" (own $out))
          (canon lift (core func $i "handle")))
        (instance $h (export "handle" (func $handle)))
        (export "wasi:http/incoming-handler@0.2.0" (instance $h)))
      """;

  @Test
  void startFunctionsRunOnceAtLoadAndNotForRequests() throws Exception {
    LoadedComponent component = (LoadedComponent) load(wasm("start-writes", START_WRITES));
    assertThat(component.snapshot()).as("the start function left nothing open").isNotNull();

    assertThat(startLines()).as("the start function ran once at load").isEqualTo(1);
    component.instantiateAsARequest();
    component.instantiateAsARequest();
    assertThat(startLines()).as("requests start from the snapshot").isEqualTo(1);
  }

  private long startLines() {
    return guestLog.lines().stream().filter(l -> l.endsWith("stdout: start ran")).count();
  }

  @Test
  void aCoreModuleOfAComponentWithTwoMemoriesIsRefused() throws Exception {
    assertRefused(
        wasm("two-memories", handler("(memory 1)", "")),
        "module test.component",
        "a core module defines 2 memories (expected: one; multi-memory is not supported)");
  }

  @Test
  void aCoreModuleWithTwoMemoriesIsRefused() throws Exception {
    Path core =
        wasm(
            "two-memories-core",
            """
            (module
              (memory (export "memory") 1 1)
              (memory 1)
              (func (export "wasi:http/incoming-handler@0.2.0#handle") (param i32 i32))
              (func (export "grow") (result i32) (memory.grow 1 (i32.const 4000))))
            """);
    assertRefused(
        core,
        "module test.component",
        "a core module defines 2 memories (expected: one; multi-memory is not supported)");
  }

  @Test
  void anAliasOfAnExportOfAnotherSortIsRefused() throws Exception {
    Path wasm =
        wasm(
            "alias-sort",
            """
            (component
              (component $c (core module $m) (export "x" (core module $m)))
              (instance $i (instantiate $c))
              (alias export $i "x" (func $f)))
            """);
    assertRefused(
        wasm,
        "is not a valid WebAssembly component",
        "alias of export x is a func but refers to a core module");
  }

  @Test
  void aNestedImportSuppliedWithAnItemOfAnotherSortIsRefused() throws Exception {
    Path wasm =
        wasm(
            "import-sort",
            """
            (component
              (component $c (import "f" (func)))
              (core module $m)
              (instance (instantiate $c (with "f" (core module $m)))))
            """);
    assertRefused(
        wasm,
        "is not a valid WebAssembly component",
        "nested component import f is a func but refers to a core module");
  }

  @Test
  void anOuterAliasCannotSeeItemsDefinedAfterTheNestedComponent() throws Exception {
    Path wasm =
        wasm(
            "outer-later",
            """
            (component
              (component $c (alias outer 1 0 (core module $x)))
              (core module $m)
              (instance (instantiate $c)))
            """);
    assertRefused(
        wasm,
        "is not a valid WebAssembly component",
        "outer alias of core module 0 refers to an item defined after the nested component");
  }

  @Test
  void aReallocOfTheWrongTypeIsRefused() throws Exception {
    Path wasm =
        wasm(
            "realloc-type",
            handler(
                "(func (export \"realloc\") (param i32) (result i32) i32.const 0)",
                "(memory $mem) (realloc (core func $i \"realloc\"))"));
    assertRefused(
        wasm,
        "the realloc option's function has type (i32) -> (i32)",
        "(expected: (i32, i32, i32, i32) -> (i32))");
  }

  @Test
  void aReallocThatIsAHostFunctionIsRefused() throws Exception {
    Path wasm = wasm("realloc-host", handler("", "(memory $mem) (realloc $host)"));
    assertRefused(
        wasm,
        "the realloc option is the host function wasi:http/types@0.2.0#[constructor]fields",
        "(expected: a core function of the component)");
  }

  @Test
  void aPostReturnOfTheWrongTypeIsRefused() throws Exception {
    Path wasm =
        wasm(
            "post-return-type",
            handler(
                "(func (export \"post\") (param i32))", "(post-return (core func $i \"post\"))"));
    assertRefused(
        wasm, "the post-return option's function has type (i32) -> ()", "(expected: () -> ())");
  }

  @Test
  void aHostFunctionLoweredWithoutAMemoryFailsAsAnAbiViolationNamingIt() throws Exception {
    Path wasm =
        wasm(
            "lower-no-memory",
            """
            (component
              (import "wasi:random/random@0.2.0" (instance $random
                (export "get-random-bytes" (func (param "len" u64) (result (list u8))))))
              (alias export $random "get-random-bytes" (func $bytes))
              (core func $lowered (canon lower (func $bytes)))
              (core module $m
                (import "random" "get-random-bytes" (func $get (param i64 i32)))
                (memory (export "memory") 1)
                (func (export "handle") (param i32 i32))
                (func $start (call $get (i64.const 4) (i32.const 0)))
                (start $start))
              (core instance $r (export "get-random-bytes" (func $lowered)))
              (core instance $i (instantiate $m (with "random" (instance $r))))
              (import "wasi:http/types@0.2.0" (instance $types
                (export "incoming-request" (type (sub resource)))
                (export "response-outparam" (type (sub resource)))))
              (alias export $types "incoming-request" (type $req))
              (alias export $types "response-outparam" (type $out))
              (func $handle (param "request" (own $req)) (param "response-out" (own $out))
                (canon lift (core func $i "handle")))
              (instance $h (export "handle" (func $handle)))
              (export "wasi:http/incoming-handler@0.2.0" (instance $h)))
            """);
    assertRefused(
        wasm,
        "wasi:random/random@0.2.0#get-random-bytes: the host function reads or writes guest memory,"
            + " but no memory is bound");
  }

  @Test
  void modulesSharingATableCallEachOtherThoughTheyNumberTheirTypesDifferently() throws Exception {
    // $lib's (i32) -> i32 is its type 2, $app's is type 0: Chicory compares type indices between
    // instances, so $app's start function traps unless the linker gave both one type section.
    String component =
        """
        (component
          (import "wasi:http/types@0.2.0" (instance $types
            (export "incoming-request" (type (sub resource)))
            (export "response-outparam" (type (sub resource)))))
          (alias export $types "incoming-request" (type $req))
          (alias export $types "response-outparam" (type $out))
          (core module $lib
            (type (func))
            (type (func (param i64)))
            (type $f (func (param i32) (result i32)))
            (memory (export "memory") 1)
            (table (export "t") 1 funcref)
            (global $seen (export "seen") (mut i32) (i32.const 0))
            (func $double (type $f) (i32.mul (local.get 0) (i32.const 2)))
            (func (export "handle") (param i32 i32))
            (elem (i32.const 0) func $double))
          (core module $app
            (type $f (func (param i32) (result i32)))
            (import "lib" "t" (table 1 funcref))
            (func $start
              (if (i32.ne (call_indirect (type $f) (i32.const 21) (i32.const 0)) (i32.const 42))
                (then unreachable)))
            (start $start))
          (core instance $i (instantiate $lib))
          (core instance $j (instantiate $app (with "lib" (instance $i))))
          (func $handle (param "request" (own $req)) (param "response-out" (own $out))
            (canon lift (core func $i "handle")))
          (instance $h (export "handle" (func $handle)))
          (export "wasi:http/incoming-handler@0.2.0" (instance $h)))
        """;

    LoadedComponent loaded = (LoadedComponent) load(wasm("renumbered", component));

    loaded.instantiateAsARequest();
  }

  @Test
  void aSnapshotKeepsNoCaptureTimeInstanceAlive() throws Exception {
    // Core instance 1 writes its own function into instance 0's table: the snapshot of instance 0
    // records whose the entry is, by index, not by the captured instance (and its memory).
    Path wasm =
        wasm(
            "shared-table",
            """
            (component
              (import "wasi:http/types@0.2.0" (instance $types
                (export "incoming-request" (type (sub resource)))
                (export "response-outparam" (type (sub resource)))))
              (alias export $types "incoming-request" (type $req))
              (alias export $types "response-outparam" (type $out))
              (core module $a
                (type (func (param i32 i32)))
                (type (func))
                (memory (export "memory") 1)
                (table (export "t") 2 funcref)
                (func (export "handle") (type 0) (call_indirect (type 1) (i32.const 0))))
              (core module $b
                (type (func (param i32 i32)))
                (type (func))
                (import "a" "t" (table 2 funcref))
                (func $f (type 1))
                (elem (table 0) (i32.const 0) func $f))
              (core instance $i (instantiate $a))
              (core instance $j (instantiate $b (with "a" (instance $i))))
              (func $handle (param "request" (own $req)) (param "response-out" (own $out))
                (canon lift (core func $i "handle")))
              (instance $h (export "handle" (func $handle)))
              (export "wasi:http/incoming-handler@0.2.0" (instance $h)))
            """);
    LoadedComponent component = (LoadedComponent) load(wasm);
    assertThat(component.snapshot()).isNotNull();

    assertThat(reaches(component.snapshot(), com.dylibso.chicory.runtime.Instance.class))
        .as("the snapshot references a core instance")
        .isFalse();
    // Requests still start from it, with the table entry pointing at their own instance 1.
    component.instantiateAsARequest();
  }

  /** Whether {@code root}'s object graph holds an instance of {@code type}. */
  private static boolean reaches(Object root, Class<?> type) throws IllegalAccessException {
    java.util.Set<Object> seen =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    java.util.ArrayDeque<Object> todo = new java.util.ArrayDeque<>(java.util.List.of(root));
    while (!todo.isEmpty()) {
      Object o = todo.pop();
      if (!seen.add(o)) {
        continue;
      }
      if (type.isInstance(o)) {
        return true;
      }
      Class<?> c = o.getClass();
      if (c.isArray()) {
        if (!c.getComponentType().isPrimitive()) {
          for (Object e : (Object[]) o) {
            if (e != null) {
              todo.push(e);
            }
          }
        }
      } else if (o instanceof Map<?, ?> m) {
        m.forEach(
            (k, v) -> {
              todo.push(k);
              if (v != null) {
                todo.push(v);
              }
            });
      } else if (o instanceof java.util.Collection<?> col) {
        col.forEach(e -> todo.push(e));
      } else if (!c.getName().startsWith("java.")) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
          for (java.lang.reflect.Field f : k.getDeclaredFields()) {
            if (java.lang.reflect.Modifier.isStatic(f.getModifiers())
                || f.getType().isPrimitive()) {
              continue;
            }
            try {
              f.setAccessible(true);
            } catch (RuntimeException inaccessible) {
              continue;
            }
            Object v = f.get(o);
            if (v != null) {
              todo.push(v);
            }
          }
        }
      }
    }
    return false;
  }
}
