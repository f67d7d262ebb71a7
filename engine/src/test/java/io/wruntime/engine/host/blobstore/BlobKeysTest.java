package io.wruntime.engine.host.blobstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.engine.host.blobstore.Blob.ErrorKind;
import io.wruntime.engine.host.blobstore.Blob.Failure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BlobKeysTest {
  @Test
  void keysAreStoredUnderTheNamespace() throws Failure {
    assertThat(BlobKeys.stored("shop", "reports/2024.csv")).isEqualTo("shop/reports/2024.csv");
    assertThat(BlobKeys.stored("shop", "a..b/.hidden/x")).isEqualTo("shop/a..b/.hidden/x");
    assertThat(BlobKeys.unstored("shop", "shop/reports/2024.csv")).isEqualTo("reports/2024.csv");
    assertThat(BlobKeys.storedPrefix("shop", "")).isEqualTo("shop/");
    assertThat(BlobKeys.storedPrefix("shop", "rep")).isEqualTo("shop/rep");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "/etc/passwd",
        "..",
        "../other/x",
        "a/../../x",
        "a/..",
        "a\u0000b",
        "tab\there",
        "del\u007f"
      })
  void keysThatCouldLeaveTheNamespaceAreAccessDenied(String key) {
    assertThatThrownBy(() -> BlobKeys.stored("shop", key))
        .isInstanceOfSatisfying(
            Failure.class, f -> assertThat(f.kind()).isEqualTo(ErrorKind.ACCESS_DENIED));
  }

  @Test
  void messagesSayWhatWasWrongAndWhatWasExpected() {
    assertThatThrownBy(() -> BlobKeys.stored("shop", "a\nb"))
        .hasMessage(
            "key \"a\\u000ab\" contains the control character U+000A (expected: printable"
                + " characters)");
    assertThatThrownBy(() -> BlobKeys.stored("shop", "/x"))
        .hasMessage("key \"/x\" is absolute (expected: no leading '/')");
    assertThatThrownBy(() -> BlobKeys.storedPrefix("shop", "../"))
        .hasMessage("prefix \"../\" has a '..' segment (expected: a key without '..' segments)");
  }

  @Test
  void keysLongerThanS3AllowsWithTheNamespaceAreAccessDenied() throws Failure {
    assertThat(BlobKeys.stored("shop", "k".repeat(1019))).hasSize(1024);
    assertThatThrownBy(() -> BlobKeys.stored("shop", "k".repeat(1020)))
        .hasMessageStartingWith(
            "key is 1025 bytes long with its namespace (expected: at most 1024");
    // Bytes of UTF-8, not characters.
    assertThatThrownBy(() -> BlobKeys.stored("shop", "é".repeat(510)))
        .hasMessageStartingWith("key is 1025 bytes long");
  }

  @Test
  void continuationsRoundTripAndForgeriesAreRefused() throws Failure {
    String token = WruntimeBlobstore.encodeContinuation("page/2.txt");
    assertThat(WruntimeBlobstore.decodeContinuation(token)).isEqualTo("page/2.txt");
    assertThatThrownBy(() -> WruntimeBlobstore.decodeContinuation("%%%"))
        .isInstanceOfSatisfying(
            Failure.class, f -> assertThat(f.kind()).isEqualTo(ErrorKind.ACCESS_DENIED));
  }
}
