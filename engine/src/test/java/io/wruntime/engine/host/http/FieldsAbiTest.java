package io.wruntime.engine.host.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.engine.host.abi.AbiViolation;
import org.junit.jupiter.api.Test;

class FieldsAbiTest {
  private final AbiFixture abi = new AbiFixture(GuestInstance.noOutbound());

  @Test
  void fromListWritesTheHandleOrTheHeaderError() {
    writeEntry(256, 512, "Content-Type", 600, "text/plain");

    abi.call("[static]fields.from-list", 256, 1, 128);

    assertThat(abi.u8(128)).isZero();
    int fields = abi.i32(132);
    abi.call("[method]fields.entries", fields, 136);
    assertThat(abi.i32(140)).isEqualTo(1);
    int entry = abi.i32(136);
    assertThat(abi.stringAt(entry)).isEqualTo("content-type");
    assertThat(abi.stringAt(entry + 8)).isEqualTo("text/plain");

    writeEntry(256, 512, "Connection", 600, "close");
    abi.call("[static]fields.from-list", 256, 1, 128);
    assertThat(abi.u8(128)).isEqualTo(1);
    assertThat(abi.u8(132)).isEqualTo(HeaderError.FORBIDDEN.ordinal());

    writeEntry(256, 512, "bad name", 600, "v");
    abi.call("[static]fields.from-list", 256, 1, 128);
    assertThat(abi.u8(128)).isEqualTo(1);
    assertThat(abi.u8(132)).isEqualTo(HeaderError.INVALID_SYNTAX.ordinal());
  }

  @Test
  void getReturnsEveryValueAsAListOfLists() {
    int fields = abi.fields("x-a", "1", "x-b", "2", "X-A", "three");
    abi.put(512, "X-a");

    abi.call("[method]fields.get", fields, 512, 3, 128);

    assertThat(abi.i32(132)).isEqualTo(2);
    int list = abi.i32(128);
    assertThat(abi.stringAt(list)).isEqualTo("1");
    assertThat(abi.stringAt(list + 8)).isEqualTo("three");
    assertThat(abi.callInt("[method]fields.has", fields, 512, 3)).isEqualTo(1);
  }

  @Test
  void setDeleteAndCloneWorkThroughTheAbi() {
    int fields = abi.fields("x-a", "1");
    // list<field-value> at 256: ("x", "yz")
    abi.put(600, "xyz");
    abi.putI32(256, 600);
    abi.putI32(260, 1);
    abi.putI32(264, 601);
    abi.putI32(268, 2);
    abi.put(512, "x-a");

    abi.call("[method]fields.set", fields, 512, 3, 256, 2, 128);
    assertThat(abi.u8(128)).isZero();
    int clone = abi.callInt("[method]fields.clone", fields);
    abi.call("[method]fields.delete", fields, 512, 3, 128);
    assertThat(abi.u8(128)).isZero();

    assertThat(abi.callInt("[method]fields.has", fields, 512, 3)).isZero();
    abi.call("[method]fields.get", clone, 512, 3, 128);
    assertThat(abi.i32(132)).isEqualTo(2);
    assertThat(abi.stringAt(abi.i32(128) + 8)).isEqualTo("yz");
  }

  @Test
  void appendReportsHeaderErrorsInItsResult() {
    int fields = abi.fields();
    abi.put(512, "Keep-Alive");
    abi.put(600, "v");

    abi.call("[method]fields.append", fields, 512, 10, 600, 1, 128);

    assertThat(abi.u8(128)).isEqualTo(1);
    assertThat(abi.u8(129)).isEqualTo(HeaderError.FORBIDDEN.ordinal());
  }

  @Test
  void appendChecksEveryPointerAndHandle() {
    int fields = abi.fields();
    abi.put(512, "x-a");

    assertThatThrownBy(
            () -> abi.call("[method]fields.append", fields, 0xFFFF_FF00L, 4, 600, 1, 128))
        .isInstanceOf(AbiViolation.class)
        .hasMessageStartingWith("name: ")
        .hasMessageContaining("outside guest memory");
    assertThatThrownBy(() -> abi.call("[method]fields.append", fields, 512, 3, 65_530, 100, 128))
        .isInstanceOf(AbiViolation.class)
        .hasMessageStartingWith("value: ");
    assertThatThrownBy(
            () -> abi.call("[method]fields.append", fields, 512, 3, 600, 1, 0xFFFF_FFF0L))
        .isInstanceOf(AbiViolation.class)
        .hasMessageContaining("return area");
    assertThatThrownBy(() -> abi.call("[method]fields.append", 99, 512, 3, 600, 1, 128))
        .isInstanceOf(AbiViolation.class)
        .hasMessageContaining("handle 99");
    abi.memory.writeBytes("test", 512, new byte[] {(byte) 0xC3, 0x28});
    assertThatThrownBy(() -> abi.call("[method]fields.append", fields, 512, 2, 600, 1, 128))
        .isInstanceOf(AbiViolation.class)
        .hasMessageContaining("UTF-8");
  }

  @Test
  void hugeListsAreRejectedWithoutReadingThem() {
    int fields = abi.fields();
    abi.put(512, "x-a");

    assertThatThrownBy(() -> abi.call("[method]fields.set", fields, 512, 3, 256, 0x2000_0000L, 128))
        .isInstanceOf(AbiViolation.class)
        .hasMessageContaining("do not fit in guest memory");
    // within memory, but more entries than fields may hold
    abi.call("[method]fields.set", fields, 512, 3, 256, 1000, 128);
    assertThat(abi.u8(128)).isEqualTo(1);
    assertThat(abi.u8(129)).isEqualTo(HeaderError.FORBIDDEN.ordinal());
  }

  @Test
  void droppedFieldsAreGone() {
    int fields = abi.fields();
    abi.call("[resource-drop]fields", fields);

    assertThatThrownBy(() -> abi.call("[method]fields.clone", fields))
        .isInstanceOf(AbiViolation.class)
        .hasMessageContaining("not a live");
  }

  private void writeEntry(int at, int namePtr, String name, int valuePtr, String value) {
    abi.put(namePtr, name);
    abi.put(valuePtr, value);
    abi.putI32(at, namePtr);
    abi.putI32(at + 4, name.getBytes(UTF_8).length);
    abi.putI32(at + 8, valuePtr);
    abi.putI32(at + 12, value.getBytes(UTF_8).length);
  }
}
