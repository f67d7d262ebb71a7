package io.wruntime.engine.host.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.engine.http.Field;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FieldRulesTest {
  @ParameterizedTest
  @ValueSource(strings = {"content-type", "X-Custom_1", "a!#$%&'*+-.^_`|~z", "0"})
  void tokensAreValidNames(String name) {
    assertThat(FieldRules.isValidName(name)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "bad name", "bad:name", "x(y)", "caf\u00e9", "a\"b", "tab\there"})
  void nonTokensAreInvalidNames(String name) {
    assertThat(FieldRules.isValidName(name)).isFalse();
  }

  @Test
  void valuesRejectControlCharactersButTabAndObsText() {
    assertThat(FieldRules.isValidValue("text/plain; q=0.5".getBytes(ISO_8859_1))).isTrue();
    assertThat(FieldRules.isValidValue("a\tb".getBytes(ISO_8859_1))).isTrue();
    assertThat(FieldRules.isValidValue(new byte[] {(byte) 0x80, (byte) 0xFF})).isTrue();
    assertThat(FieldRules.isValidValue(new byte[0])).isTrue();
    assertThat(FieldRules.isValidValue("line\nbreak".getBytes(ISO_8859_1))).isFalse();
    assertThat(FieldRules.isValidValue("cr\r".getBytes(ISO_8859_1))).isFalse();
    assertThat(FieldRules.isValidValue(new byte[] {'a', 0})).isFalse();
    assertThat(FieldRules.isValidValue(new byte[] {0x7F})).isFalse();
  }

  @Test
  void connectionLevelHeadersAreForbiddenAndStrippedOnTheWayOut() {
    assertThat(FieldRules.FORBIDDEN)
        .contains("connection", "keep-alive", "transfer-encoding", "upgrade", "host");
    List<Field> out =
        FieldRules.withoutForbidden(
            List.of(
                Field.of("Connection", "close"),
                Field.of("x-kept", "1"),
                Field.of("Transfer-Encoding", "chunked")));
    assertThat(out).extracting(Field::name).containsExactly("x-kept");
  }

  @Test
  void contentLengthIsReadFromTheFields() {
    assertThat(FieldRules.contentLength(List.of())).isEqualTo(-1);
    assertThat(FieldRules.contentLength(List.of(Field.of("Content-Length", "12")))).isEqualTo(12);
    assertThat(
            FieldRules.contentLength(
                List.of(Field.of("content-length", "12"), Field.of("content-length", "12"))))
        .isEqualTo(12);
    assertThat(
            FieldRules.contentLength(
                List.of(Field.of("content-length", "12"), Field.of("content-length", "13"))))
        .isEqualTo(-2);
    assertThat(FieldRules.contentLength(List.of(Field.of("content-length", "-1")))).isEqualTo(-2);
    assertThat(FieldRules.contentLength(List.of(Field.of("content-length", "")))).isEqualTo(-2);
  }

  @Test
  void authoritiesSchemesAndPathsAreChecked() {
    assertThat(FieldRules.isValidAuthority("billing.api")).isTrue();
    assertThat(FieldRules.isValidAuthority("host:8080")).isTrue();
    assertThat(FieldRules.isValidAuthority("[::1]:80")).isTrue();
    assertThat(FieldRules.isValidAuthority("user@host")).isTrue();
    assertThat(FieldRules.isValidAuthority("")).isFalse();
    assertThat(FieldRules.isValidAuthority("host/path")).isFalse();
    assertThat(FieldRules.isValidAuthority("host:port")).isFalse();
    assertThat(FieldRules.isValidAuthority("a b")).isFalse();

    assertThat(FieldRules.isValidScheme("https")).isTrue();
    assertThat(FieldRules.isValidScheme("git+ssh")).isTrue();
    assertThat(FieldRules.isValidScheme("1http")).isFalse();
    assertThat(FieldRules.isValidScheme("")).isFalse();

    assertThat(FieldRules.isValidPathWithQuery("/a/b?c=d&e")).isTrue();
    assertThat(FieldRules.isValidPathWithQuery("")).isTrue();
    assertThat(FieldRules.isValidPathWithQuery("/a b")).isFalse();
    assertThat(FieldRules.isValidPathWithQuery("/a#frag")).isFalse();
  }
}
