package io.wruntime.common.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OciReferenceTest {
  private static final String HEX = "a".repeat(64);

  @Test
  void parsesHostPortRepositoryTagAndDigest() {
    OciReference ref =
        OciReference.parse("registry.example.com:5000/team/echo:1.0.0@sha256:" + HEX);

    assertThat(ref.registry()).isEqualTo("registry.example.com:5000");
    assertThat(ref.host()).isEqualTo("registry.example.com");
    assertThat(ref.repository()).isEqualTo("team/echo");
    assertThat(ref.tag()).isEqualTo("1.0.0");
    assertThat(ref.digest()).isEqualTo(new Digest(HEX));
    assertThat(ref.isPinned()).isTrue();
    assertThat(ref.manifestReference()).isEqualTo("sha256:" + HEX);
    assertThat(ref).hasToString("registry.example.com:5000/team/echo:1.0.0@sha256:" + HEX);
  }

  @Test
  void aReferenceWithoutTagOrDigestMeansLatest() {
    OciReference ref = OciReference.parse("localhost/echo");

    assertThat(ref.tag()).isNull();
    assertThat(ref.isPinned()).isFalse();
    assertThat(ref.manifestReference()).isEqualTo("latest");
    assertThat(ref.pinned(new Digest(HEX))).hasToString("localhost/echo@sha256:" + HEX);
  }

  @Test
  void refusesAReferenceWithoutARegistryHost() {
    assertThatThrownBy(() -> OciReference.parse("team/echo:1.0.0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "OCI reference: \"team/echo:1.0.0\" starts with \"team\", which is not a registry host"
                + " (a registry host has a '.' or a port, or is localhost; expected:"
                + " host[:port]/repository[:tag][@sha256:<64 hex digits>], e.g."
                + " registry.example.com/team/echo:1.0.0)");
    assertThatThrownBy(() -> OciReference.parse("echo"))
        .hasMessageContaining("names no registry host");
  }

  @Test
  void refusesMalformedParts() {
    assertThatThrownBy(() -> OciReference.parse("r.io/Team/echo"))
        .hasMessageContaining("repository: \"Team/echo\" (expected: lowercase path components");
    assertThatThrownBy(() -> OciReference.parse("r.io/echo@sha256:abc"))
        .hasMessageContaining(
            "digest: \"sha256:abc\" (expected: sha256:<64 lowercase hex digits>)");
    assertThatThrownBy(() -> OciReference.parse("r.io/echo:-bad"))
        .hasMessageContaining("tag: \"-bad\"");
    assertThatThrownBy(() -> OciReference.parse("https://r.io/echo"))
        .hasMessageContaining("expected: host[:port]/repository");
  }
}
