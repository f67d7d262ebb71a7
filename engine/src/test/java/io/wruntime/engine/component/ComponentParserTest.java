package io.wruntime.engine.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The component binary parser on small hand-made binaries: what it reads and how it refuses. */
class ComponentParserTest {
  private static byte[] component(int... sectionBytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(ComponentParser.PREAMBLE);
    for (int b : sectionBytes) {
      out.write(b);
    }
    return out.toByteArray();
  }

  private static int[] name(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    int[] out = new int[bytes.length + 1];
    out[0] = bytes.length;
    for (int i = 0; i < bytes.length; i++) {
      out[i + 1] = bytes[i];
    }
    return out;
  }

  @Test
  void readsAnInstanceImportWithItsTypeAndAVersionedName() {
    int[] importName = name("wasi:io/poll@0.2.0");
    // type section: one instance type exporting a resource type "pollable" (sub resource)
    int[] pollable = name("pollable");
    int typeSize = 1 + 1 + 1 + 1 + 1 + pollable.length + 2;
    int[] types = {7, typeSize, 1, 0x42, 1, 0x04, 0x00};
    int[] bytes = concat(types, pollable, new int[] {0x03, 0x01});
    int[] imports =
        concat(
            new int[] {10, 1 + 1 + importName.length + 2, 1, 0x00},
            importName,
            new int[] {0x05, 0});
    Component c = ComponentParser.parse(component(concat(bytes, imports)));

    assertThat(c.definitions()).hasSize(2);
    assertThat(c.definitions().get(0))
        .isInstanceOfSatisfying(
            Component.TypeDef.class,
            t ->
                assertThat(t.type())
                    .isEqualTo(
                        new Component.InstanceTypeDef(
                            false,
                            java.util.List.of(
                                new Component.DeclExport(
                                    "pollable",
                                    new Component.ExternDesc(Component.Sort.TYPE, -1, true))))));
    assertThat(c.definitions().get(1))
        .isEqualTo(
            new Component.Import(
                c.definitions().get(1).offset(),
                "wasi:io/poll@0.2.0",
                new Component.ExternDesc(Component.Sort.INSTANCE, 0, false)));
  }

  @Test
  void aCountLargerThanTheBytesLeftIsRefusedBeforeAllocating() {
    // import section of 6 bytes claiming 0x0fffffff imports
    byte[] bytes = component(10, 6, 0xff, 0xff, 0xff, 0x7f, 0, 0);

    assertThatThrownBy(() -> ComponentParser.parse(bytes))
        .isInstanceOf(MalformedComponent.class)
        .hasMessage(
            "at byte 10: imports count 268435455 exceeds the 2 bytes left (expected: a count the"
                + " section's bytes can hold)");
  }

  @Test
  void aSectionLongerThanTheFileIsRefused() {
    byte[] bytes = component(1, 100, 0, 0);

    assertThatThrownBy(() -> ComponentParser.parse(bytes))
        .isInstanceOf(MalformedComponent.class)
        .hasMessage(
            "at byte 10: section 1 declares 100 bytes but 2 are left (expected: a complete"
                + " section)");
  }

  @Test
  void anOverlongLeb128IsRefused() {
    byte[] bytes = component(10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);

    assertThatThrownBy(() -> ComponentParser.parse(bytes))
        .isInstanceOf(MalformedComponent.class)
        .hasMessage("at byte 9: section size: LEB128 u32 longer than 5 bytes");
  }

  @Test
  void aCoreModuleHeaderIsNotAComponent() {
    byte[] core = {0, 'a', 's', 'm', 1, 0, 0, 0};

    assertThatThrownBy(() -> ComponentParser.parse(core))
        .isInstanceOf(MalformedComponent.class)
        .hasMessage(
            "at byte 4: component binary version 1 layer 0 (expected: version 13 (0x0d), layer 1)");
  }

  @Test
  void asyncBuiltInsNameThemselves() {
    // canon section: one item, opcode 0x0e (stream.new) with a type index
    byte[] bytes = component(8, 3, 1, 0x0e, 0);

    assertThatThrownBy(() -> ComponentParser.parse(bytes))
        .isInstanceOf(UnsupportedFeature.class)
        .hasMessageStartingWith("component uses the async canonical built-in 0x0e")
        .hasMessageEndingWith(", not supported");
  }

  @Test
  void nestingIsCapped() {
    byte[] inner = component();
    for (int i = 0; i < 40; i++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(ComponentParser.PREAMBLE);
      out.write(4);
      writeLeb(out, inner.length);
      out.writeBytes(inner);
      inner = out.toByteArray();
    }
    byte[] nested = inner;

    assertThatThrownBy(() -> ComponentParser.parse(nested))
        .isInstanceOf(MalformedComponent.class)
        .hasMessageContaining("components nested deeper than 32");
  }

  private static void writeLeb(ByteArrayOutputStream out, int value) {
    do {
      int b = value & 0x7f;
      value >>>= 7;
      out.write(value != 0 ? b | 0x80 : b);
    } while (value != 0);
  }

  private static int[] concat(int[]... parts) {
    int n = 0;
    for (int[] p : parts) {
      n += p.length;
    }
    int[] out = new int[n];
    int at = 0;
    for (int[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
