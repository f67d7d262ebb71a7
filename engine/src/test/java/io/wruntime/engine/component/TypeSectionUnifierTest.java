package io.wruntime.engine.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ImportTable;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import io.wruntime.engine.host.WasmTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The type-section rewrite of core modules that share a funcref table, on modules written in WAT
 * (encoded by wasm-tools) and run on Chicory: a {@code call_indirect} into another instance fails
 * with Chicory's type mismatch before and works after; every other instruction and section comes
 * out as it went in; malformed modules are refused with the offset and what was expected.
 */
class TypeSectionUnifierTest {
  @TempDir Path dir;

  /** Exports a table holding {@code double} (type 2 here) and {@code add} (type 3, implicit). */
  private static final String LIB =
      """
      (module
        (type (func))
        (type (func (param i64)))
        (type $f (func (param i32) (result i32)))
        (table (export "t") 2 funcref)
        (func $double (type $f) (i32.mul (local.get 0) (i32.const 2)))
        (func $add (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
        (elem (i32.const 0) func $double $add))
      """;

  /** Calls into the imported table with its own numbering: (i32 i32) -> i32 is 0, i32 -> i32 1. */
  private static final String MAIN =
      """
      (module
        (type $g (func (param i32 i32) (result i32)))
        (type $f (func (param i32) (result i32)))
        (import "lib" "t" (table 2 funcref))
        (func (export "double") (param i32) (result i32)
          (call_indirect (type $f) (local.get 0) (i32.const 0)))
        (func (export "add") (param i32 i32) (result i32)
          local.get 0
          local.get 1
          block (type $g) (param i32 i32) (result i32)
            i32.const 1
            call_indirect (type $g)
          end))
      """;

  private byte[] wasm(String name, String wat) throws Exception {
    Path source = dir.resolve(name + ".wat");
    Path out = dir.resolve(name + ".wasm");
    Files.writeString(source, wat);
    WasmTools.require().run("parse", source.toString(), "-o", out.toString());
    return Files.readAllBytes(out);
  }

  private static Instance instantiate(byte[] bytes, boolean compiled, Instance lib) {
    WasmModule module = Parser.parse(bytes);
    Instance.Builder builder = Instance.builder(module);
    if (compiled) {
      builder.withMachineFactory(MachineFactoryCompiler.compile(module));
    }
    if (lib != null) {
      builder.withImportValues(
          ImportValues.builder()
              .addTable(new ImportTable("lib", "t", lib.exports().table("t")))
              .build());
    }
    return builder.build();
  }

  @ParameterizedTest(name = "compiled={0}")
  @ValueSource(booleans = {false, true})
  void callIndirectIntoAnotherInstanceFailsBeforeAndWorksAfter(boolean compiled) throws Exception {
    byte[] lib = wasm("lib", LIB);
    byte[] main = wasm("main", MAIN);

    Instance before = instantiate(main, compiled, instantiate(lib, compiled, null));
    assertThatThrownBy(() -> before.export("double").apply(21))
        .isInstanceOf(ChicoryException.class)
        .hasMessageContaining("indirect call type mismatch");

    List<byte[]> unified = TypeSectionUnifier.unify(List.of(lib, main));

    assertThat(unified.get(0)).as("lib's types already are the union").isSameAs(lib);
    Instance after = instantiate(unified.get(1), compiled, instantiate(lib, compiled, null));
    assertThat(after.export("double").apply(21)).containsExactly(42);
    assertThat(after.export("add").apply(40, 2)).containsExactly(42);
  }

  @Test
  void duplicateTypesWithinAndAcrossModulesBecomeOne() throws Exception {
    byte[] a = wasm("a", "(module (type (func (param i32))) (type (func (param i32))))");
    byte[] b = wasm("b", "(module (type (func)) (type (func (param i32))))");

    List<byte[]> unified = TypeSectionUnifier.unify(List.of(a, b));

    for (byte[] module : unified) {
      assertThat(Parser.parse(module).typeSection().typeCount()).isEqualTo(2);
      assertThat(types(module)).containsExactly("(func (param i32))", "(func)");
    }
    List<byte[]> again = TypeSectionUnifier.unify(unified);
    assertThat(again.get(0)).isSameAs(unified.get(0));
    assertThat(again.get(1)).isSameAs(unified.get(1));
  }

  /** Every instruction family with immediates, next to renumbered type indices. */
  private static final String EVERYTHING =
      """
      (module
        (type $v (func))
        (type $p (func (param i32 i32) (result i32)))
        (type $e (func (param i32)))
        (import "env" "f" (func $imported (type $p)))
        (import "env" "tag" (tag $imported_tag (type $e)))
        (import "env" "t" (table 4 funcref))
        (memory 1 2 shared)
        (table $own 2 externref)
        (global $g (mut i32) (i32.add (i32.const 8) (i32.mul (i32.const 2) (i32.const 3))))
        (global $r funcref (ref.null func))
        (tag $own_tag (type $e))
        (data $d "hello, data")
        (elem $passive func $plain)
        (elem declare func $simd)
        (func $plain (type $v))
        (func $simd (param i32) (result i32)
          (local v128 i64 f32 f64)
          (local.set 1 (v128.const i32x4 1 2 3 4))
          (local.set 1 (i8x16.shuffle 0 17 2 19 4 21 6 23 8 25 10 27 12 29 14 31
            (local.get 1) (v128.load offset=16 align=8 (local.get 0))))
          (v128.store64_lane offset=8 1 (local.get 0) (local.get 1))
          (local.set 1 (v128.load32_zero (local.get 0)))
          (local.set 1 (i32x4.replace_lane 3 (local.get 1) (i32.const 7)))
          (i32x4.extract_lane 2 (local.get 1)))
        (func $bulk (param i32)
          (memory.copy (local.get 0) (i32.const 0) (i32.const 4))
          (memory.fill (local.get 0) (i32.const 0) (i32.const 4))
          (memory.init $d (i32.const 0) (i32.const 0) (i32.const 4))
          (data.drop $d)
          (table.init 0 $passive (i32.const 0) (i32.const 0) (i32.const 1))
          (elem.drop $passive)
          (table.copy 0 0 (i32.const 0) (i32.const 1) (i32.const 1))
          (drop (table.grow $own (ref.null extern) (i32.const 1)))
          (drop (table.size $own))
          (table.fill $own (i32.const 0) (ref.null extern) (i32.const 1))
          (table.set 0 (i32.const 0) (ref.func $plain))
          (drop (table.get 0 (i32.const 0)))
          (drop (i32.trunc_sat_f64_s (f64.const 1e300)))
          (drop (i64.extend32_s (i64.const -12345678901234)))
          (drop (memory.grow (i32.const 0)))
          (drop (select (result i32) (i32.const 1) (i32.const 2) (local.get 0)))
          (drop (i32.atomic.rmw.add offset=4 (local.get 0) (i32.const 1)))
          (drop (memory.atomic.notify (local.get 0) (i32.const 1)))
          (atomic.fence)
          (global.set $g (i32.const 5)))
        (func $control (param i32) (result i32)
          (block $none
            (block $out (result i32)
              (try_table (result i32) (catch $own_tag $out) (catch_all $none)
                (call_indirect (type $p) (local.get 0) (i32.const 1) (i32.const 2))
                (if (param i32) (result i32) (local.get 0)
                  (then (i32.const 3) (i32.add))
                  (else (throw $imported_tag)))
                (loop $l (param i32) (result i32)
                  (br_if $l (i32.eqz (local.get 0)))
                  (br_table 1 1 (i32.const 0)))
                (call $imported (i32.const 0))))
            (return))
          (i32.const 0))
        (func $tail (param i32 i32) (result i32)
          (return_call_indirect (type $p) (local.get 0) (local.get 1) (i32.const 0)))
        (start $plain)
        (export "control" (func $control))
        (@custom "a-custom-section" "kept as it was"))
      """;

  @Test
  void everyOtherInstructionAndSectionPassesThroughUnchanged() throws Exception {
    byte[] other = wasm("other", "(module (type (func (param f64))) (type (func (param i64))))");
    byte[] everything = wasm("everything", EVERYTHING);
    WasmTools tools = WasmTools.require();
    tools.run("validate", "--features", "all", dir.resolve("everything.wasm").toString());

    List<byte[]> unified = TypeSectionUnifier.unify(List.of(other, everything));

    assertThat(unified.get(1)).isNotEqualTo(everything);
    Path out = dir.resolve("everything-unified.wasm");
    Files.write(out, unified.get(1));
    tools.run("validate", "--features", "all", out.toString());
    assertThat(typesResolved(unified.get(1))).isEqualTo(typesResolved(everything));
    assertThat(types(unified.get(1)).subList(0, 2))
        .containsExactly("(func (param f64))", "(func (param i64))");
  }

  /** A module of one function whose body is {@code body} (its size is prefixed here). */
  private static byte[] oneFunction(int... body) {
    int[] head = {
      0,
      'a',
      's',
      'm',
      1,
      0,
      0,
      0, // header
      1,
      4,
      1,
      0x60,
      0,
      0, // type section: () -> ()
      3,
      2,
      1,
      0, // function section: one function of type 0
      10,
      body.length + 2,
      1,
      body.length // code section: one body
    };
    byte[] bytes = new byte[head.length + body.length];
    for (int i = 0; i < head.length; i++) {
      bytes[i] = (byte) head[i];
    }
    for (int i = 0; i < body.length; i++) {
      bytes[head.length + i] = (byte) body[i];
    }
    return bytes;
  }

  /** A module whose one type, (i32) -> (), comes before {@link #oneFunction}'s in the union. */
  private static final byte[] FIRST = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5, 1, 0x60, 1, 0x7F, 0};

  private static void assertMalformed(byte[] module, String... fragments) {
    assertThatThrownBy(() -> TypeSectionUnifier.unify(List.of(FIRST, module)))
        .isInstanceOf(TypeSectionUnifier.ModuleProblem.class)
        .satisfies(e -> assertThat(((TypeSectionUnifier.ModuleProblem) e).module()).isEqualTo(1))
        .cause()
        .isInstanceOf(MalformedComponent.class)
        .hasMessageContainingAll(fragments);
  }

  @Test
  void theFuzzSeedIsReadToItsEndAndRenumbered() {
    List<byte[]> unified =
        TypeSectionUnifier.unify(List.of(FIRST, TypeSectionUnifierFuzzTest.SEED));

    // Its types 0 and 1 become 1 and 2: the block type and call_indirect's immediate follow.
    byte[] rewritten = unified.get(1);
    assertThat(rewritten).isNotEqualTo(TypeSectionUnifierFuzzTest.SEED);
    assertThat(indexOf(rewritten, new byte[] {0x02, 2, 0x41, 0, 0x11, 2, 0})).isPositive();
    assertThat(TypeSectionUnifier.unify(unified).get(1)).isSameAs(rewritten);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int k = 0; k < needle.length; k++) {
        if (haystack[i + k] != needle[k]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void aBodyEndingInsideAnImmediateIsRefusedWithItsOffset() {
    // locals: none; i32.const with a LEB128 that announces a byte more than the body has
    assertMalformed(oneFunction(0, 0x41, 0x80), "at byte 25", "unexpected end of i32.const");
  }

  @Test
  void anUnknownOpcodeIsNamedWithItsOffset() {
    assertMalformed(oneFunction(0, 0x27, 0x0B), "at byte 23", "unknown opcode 0x27");
    assertMalformed(oneFunction(0, 0xFC, 0x7F, 0x0B), "at byte 23", "unknown opcode 0xfc 127");
  }

  @Test
  void aTypeIndexOutOfRangeIsRefused() {
    // call_indirect (type 5) of a module with one type
    assertMalformed(
        oneFunction(0, 0x41, 0, 0x11, 5, 0, 0x0B),
        "type index 5 is out of range (expected: below 1)");
  }

  @Test
  void aSectionLongerThanTheModuleIsRefused() {
    byte[] whole = oneFunction(0, 0x0B);
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 1);
    assertMalformed(cut, "section 10");
  }

  @Test
  void everyTruncationIsEitherAModuleOrARefusalNamingWhatWasExpected() throws Exception {
    byte[] everything = wasm("everything", EVERYTHING);
    for (int length = 0; length < everything.length; length++) {
      byte[] cut = java.util.Arrays.copyOf(everything, length);
      try {
        TypeSectionUnifier.unify(List.of(FIRST, cut));
      } catch (TypeSectionUnifier.ModuleProblem e) {
        assertThat(e.getCause()).isInstanceOf(MalformedComponent.class);
        assertThat(e.getMessage()).as("truncated at %d", length).contains("expected");
        assertThat(((MalformedComponent) e.getCause()).offset()).isLessThanOrEqualTo(length);
      }
    }
  }

  @Test
  void typedFunctionReferencesAndGcTypesAreRefusedByName() {
    // a local of type (ref null 0)
    assertThatThrownBy(
            () -> TypeSectionUnifier.unify(List.of(FIRST, oneFunction(1, 1, 0x63, 0, 0x0B))))
        .cause()
        .isInstanceOf(UnsupportedFeature.class)
        .hasMessageContaining("typed function references");
    byte[] struct = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5, 1, 0x5F, 1, 0x7F, 0};
    assertThatThrownBy(() -> TypeSectionUnifier.unify(List.of(FIRST, struct)))
        .cause()
        .isInstanceOf(UnsupportedFeature.class)
        .hasMessageContaining("GC types");
  }

  @Test
  void modulesNumberingTheirTypesAlikeAreLeftAsTheyAreWhateverTheTypes() {
    // Both with the same GC struct type: nothing to renumber, so nothing to refuse.
    byte[] struct = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5, 1, 0x5F, 1, 0x7F, 0};
    byte[] same = struct.clone();
    List<byte[]> out = TypeSectionUnifier.unify(List.of(struct, same));
    assertThat(out.get(0)).isSameAs(struct);
    assertThat(out.get(1)).isSameAs(same);
  }

  // ---- reading modules back with wasm-tools ----

  private static final Pattern TYPE_DEF =
      Pattern.compile("(?m)^\\s*\\(type (\\$\\S+ )?\\(;(\\d+);\\) (\\(func.*\\))\\)$");
  private static final Pattern TYPE_USE = Pattern.compile("\\(type (\\d+|\\$[^)\\s]+)\\)");

  private String print(byte[] module) throws Exception {
    Path file = Files.createTempFile(dir, "print", ".wasm");
    Files.write(file, module);
    return WasmTools.require().run("print", file.toString());
  }

  private List<String> types(byte[] module) throws Exception {
    return TYPE_DEF.matcher(print(module)).results().map(m -> m.group(3)).toList();
  }

  /** The printed module with every type use replaced by the type itself and the types dropped. */
  private String typesResolved(byte[] module) throws Exception {
    String text = print(module);
    Map<String, String> types = new HashMap<>();
    TYPE_DEF
        .matcher(text)
        .results()
        .forEach(
            m -> {
              types.put(m.group(2), m.group(3));
              if (m.group(1) != null) {
                types.put(m.group(1).strip(), m.group(3));
              }
            });
    String body = TYPE_DEF.matcher(text).replaceAll("").replaceAll("\\n\\s*\\n", "\n");
    Matcher use = TYPE_USE.matcher(body);
    return use.replaceAll(m -> Matcher.quoteReplacement(types.get(m.group(1))));
  }
}
