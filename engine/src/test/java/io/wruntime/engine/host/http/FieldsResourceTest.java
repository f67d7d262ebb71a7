package io.wruntime.engine.host.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.engine.http.Field;
import java.util.List;
import org.junit.jupiter.api.Test;

class FieldsResourceTest {
  @Test
  void namesAreCaseInsensitiveAndKeptInLowerCaseInOrder() {
    FieldsResource f = FieldsResource.empty();
    assertThat(f.append("Accept", bytes("a"))).isNull();
    assertThat(f.append("x-other", bytes("o"))).isNull();
    assertThat(f.append("ACCEPT", bytes("b"))).isNull();

    assertThat(f.get("accept")).containsExactly(bytes("a"), bytes("b"));
    assertThat(f.has("Accept")).isTrue();
    assertThat(f.entries()).extracting(Field::name).containsExactly("accept", "x-other", "accept");
  }

  @Test
  void setReplacesAndDeleteRemovesEveryValue() {
    FieldsResource f = FieldsResource.empty();
    f.append("a", bytes("1"));
    f.append("b", bytes("2"));
    f.append("a", bytes("3"));

    assertThat(f.set("A", List.of(bytes("x"), bytes("y")))).isNull();
    assertThat(f.get("a")).containsExactly(bytes("x"), bytes("y"));
    assertThat(f.delete("a")).isNull();
    assertThat(f.has("a")).isFalse();
    assertThat(f.entries()).extracting(Field::name).containsExactly("b");
  }

  @Test
  void invalidNamesReadAsAbsentAndFailChanges() {
    FieldsResource f = FieldsResource.empty();
    assertThat(f.get("bad name")).isEmpty();
    assertThat(f.has("bad name")).isFalse();
    assertThat(f.append("bad name", bytes("v"))).isEqualTo(HeaderError.INVALID_SYNTAX);
    assertThat(f.append("ok", bytes("bad\nvalue"))).isEqualTo(HeaderError.INVALID_SYNTAX);
    assertThat(f.set("ok", List.of(bytes("fine"), bytes("bad\r"))))
        .isEqualTo(HeaderError.INVALID_SYNTAX);
    assertThat(f.delete("bad name")).isEqualTo(HeaderError.INVALID_SYNTAX);
    assertThat(f.append("Host", bytes("evil"))).isEqualTo(HeaderError.FORBIDDEN);
    assertThat(f.entries()).isEmpty();
  }

  @Test
  void fieldsOfARequestAreImmutableButTheirCloneIsNot() {
    FieldsResource received = FieldsResource.immutableOf(List.of(Field.of("X-Trace", "1")));

    assertThat(received.get("x-trace")).containsExactly(bytes("1"));
    assertThat(received.append("x-more", bytes("1"))).isEqualTo(HeaderError.IMMUTABLE);
    assertThat(received.set("x-trace", List.of())).isEqualTo(HeaderError.IMMUTABLE);
    assertThat(received.delete("x-trace")).isEqualTo(HeaderError.IMMUTABLE);
    // wasmtime's order: a forbidden name is reported before immutability
    assertThat(received.append("connection", bytes("x"))).isEqualTo(HeaderError.FORBIDDEN);

    FieldsResource copy = received.copy();
    assertThat(copy.append("x-more", bytes("1"))).isNull();
    assertThat(received.has("x-more")).isFalse();
  }

  @Test
  void guestFieldsAreBoundedInCountAndSize() {
    FieldsResource many = FieldsResource.empty();
    for (int i = 0; i < FieldsResource.MAX_ENTRIES; i++) {
      assertThat(many.append("x-" + i, bytes("v"))).isNull();
    }
    assertThat(many.append("x-one-more", bytes("v"))).isEqualTo(HeaderError.FORBIDDEN);
    assertThat(many.set("x-0", List.of(bytes("a"), bytes("b")))).isEqualTo(HeaderError.FORBIDDEN);
    assertThat(many.set("x-0", List.of(bytes("replaced")))).isNull();

    FieldsResource big = FieldsResource.empty();
    byte[] half = new byte[FieldsResource.MAX_BYTES / 2];
    java.util.Arrays.fill(half, (byte) 'v');
    assertThat(big.append("a", half)).isNull();
    assertThat(big.append("b", half)).isEqualTo(HeaderError.FORBIDDEN);
    assertThat(big.delete("a")).isNull();
    assertThat(big.append("b", half)).isNull();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }
}
