package io.wruntime.engine.component;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.List;

/**
 * The type-section rewrite on malformed core modules: arbitrary bytes, and a small module (types, a
 * table, a block type and a {@code call_indirect} with type indices, SIMD) with fuzzed byte edits
 * and truncations. Each is rewritten behind a module whose one type comes first in the union, so
 * every module that reads is walked to its end. Either the result is a module set whose rewrite is
 * the same again, or a {@link TypeSectionUnifier.ModuleProblem} for that module carrying a {@link
 * MalformedComponent} or {@link UnsupportedFeature}; nothing else escapes.
 */
class TypeSectionUnifierFuzzTest {
  /** One type, (i32) -> (). */
  private static final byte[] FIRST = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5, 1, 0x60, 1, 0x7F, 0};

  static final byte[] SEED =
      bytes(
          0x00,
          0x61,
          0x73,
          0x6d,
          1,
          0,
          0,
          0,
          // types: () -> (), (i32 i32) -> i32
          1,
          10,
          2,
          0x60,
          0,
          0,
          0x60,
          2,
          0x7F,
          0x7F,
          1,
          0x7F,
          // functions of types 0 and 1; a funcref table
          3,
          3,
          2,
          0,
          1,
          4,
          4,
          1,
          0x70,
          0,
          1,
          // code: i32.const 1, i32.const 2, block (type 1) i32.const 0 call_indirect 1 0 end,
          // drop, v128.const 0 x16, drop, end | one i32 local: local.get 0 x2, i32.add, end
          10,
          46,
          2,
          34,
          0,
          0x41,
          1,
          0x41,
          2,
          0x02,
          1,
          0x41,
          0,
          0x11,
          1,
          0,
          0x0B,
          0x1A,
          0xFD,
          0x0C,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0x1A,
          0x0B,
          9,
          1,
          1,
          0x7F,
          0x20,
          0,
          0x20,
          0,
          0x6A,
          0x0B);

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  @FuzzTest
  void unify(FuzzedDataProvider data) {
    byte[] module;
    if (data.consumeBoolean()) {
      module = SEED.clone();
      int edits = data.consumeInt(0, 6);
      for (int i = 0; i < edits; i++) {
        module[data.consumeInt(0, module.length - 1)] = data.consumeByte();
      }
      module = Arrays.copyOf(module, data.consumeInt(8, module.length));
    } else {
      module = data.consumeRemainingAsBytes();
    }
    try {
      List<byte[]> out = TypeSectionUnifier.unify(List.of(FIRST, module));
      List<byte[]> again = TypeSectionUnifier.unify(out);
      assertThat(again.get(0)).isSameAs(out.get(0));
      assertThat(again.get(1)).isSameAs(out.get(1));
    } catch (TypeSectionUnifier.ModuleProblem e) {
      assertThat(e.module()).isEqualTo(1);
      assertThat(e.getCause()).isInstanceOfAny(MalformedComponent.class, UnsupportedFeature.class);
    }
  }
}
