package io.wruntime.common.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobCacheTest {
  @TempDir Path dir;

  private static final byte[] CONTENT = "module bytes".getBytes(StandardCharsets.UTF_8);

  @Test
  void storesUnderTheDigestAndFindsIt() throws Exception {
    BlobCache cache = new BlobCache(dir);
    Digest digest = Digest.of(CONTENT);

    Path stored = cache.put(new ByteArrayInputStream(CONTENT), digest, "blob", 1024);

    assertThat(stored).isEqualTo(dir.resolve("sha256").resolve(digest.hex()));
    assertThat(cache.find(digest)).contains(stored);
    assertThat(cache.read(digest)).hasValueSatisfying(b -> assertThat(b).isEqualTo(CONTENT));
  }

  @Test
  void contentWithAnotherDigestIsNeverPublished() throws Exception {
    BlobCache cache = new BlobCache(dir);
    Digest expected = Digest.of("other".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(
            () -> cache.put(new ByteArrayInputStream(CONTENT), expected, "blob X of r.io/a", 1024))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessage(
            "blob X of r.io/a has digest " + Digest.of(CONTENT) + " (expected: " + expected + ")");
    try (var files = Files.list(cache.directory())) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void contentLongerThanAllowedIsRefused() {
    BlobCache cache = new BlobCache(dir);
    assertThatThrownBy(
            () -> cache.put(new ByteArrayInputStream(CONTENT), Digest.of(CONTENT), "blob", 4))
        .isInstanceOf(OciException.class)
        .hasMessage("blob is longer than 4 bytes (expected: at most that)");
  }

  @Test
  void aBlobChangedOnDiskIsDroppedOnRead() throws Exception {
    BlobCache cache = new BlobCache(dir);
    Path stored = cache.put(CONTENT);
    Files.writeString(stored, "changed");

    assertThat(cache.find(Digest.of(CONTENT))).isEmpty();
    assertThat(stored).doesNotExist();
  }
}
