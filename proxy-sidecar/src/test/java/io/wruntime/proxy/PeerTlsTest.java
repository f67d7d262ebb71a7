package io.wruntime.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.common.config.ConfigException;
import io.wruntime.common.security.CallerIdentity;
import io.wruntime.common.security.CallerIdentity.Role;
import io.wruntime.common.testing.TestCertificates;
import io.wruntime.common.testing.TestCertificates.Issued;
import io.wruntime.common.tls.CertificateAuthority;
import io.wruntime.proxy.tls.PeerTls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The peer port's TLS material: a node certificate is required, and an unusable key is named. */
class PeerTlsTest {
  @TempDir Path dir;

  @Test
  void aNodeCertificateServesThePeerPortAsThatNode() throws Exception {
    CertificateAuthority ca = TestCertificates.authority();
    Issued node = issue(ca, Role.NODE, "node-a");

    PeerTls tls = PeerTls.load(node.files(), "p.toml");

    assertThat(tls.self()).isEqualTo(new CallerIdentity(CallerIdentity.Role.NODE, "node-a"));
    assertThat(tls.server().isServer()).isTrue();
    assertThat(tls.client().isClient()).isTrue();
  }

  @Test
  void aCertificateOfAnotherRoleIsRefusedNamingTheKeyAndTheRole() throws Exception {
    CertificateAuthority ca = TestCertificates.authority();
    Issued admin = issue(ca, Role.ADMIN, "ops");

    assertThatThrownBy(() -> PeerTls.load(admin.files(), "p.toml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("p.toml: node.tls.cert_path = \"" + admin.certPath() + "\"")
        .hasMessageContaining("names admin/ops (expected: a node certificate");
    assertThatThrownBy(() -> PeerTls.load(admin.files(), "p.toml"))
        .hasMessageContaining("cannot serve the peer port");
  }

  @Test
  void aKeyThatIsNotAPrivateKeyIsNamed() throws Exception {
    CertificateAuthority ca = TestCertificates.authority();
    Issued node = issue(ca, Role.NODE, "node-a");
    Files.writeString(
        node.keyPath(), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

    assertThatThrownBy(() -> PeerTls.load(node.files(), "p.toml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("p.toml: [node.tls] " + node.keyPath());
  }

  private Issued issue(CertificateAuthority authority, Role role, String name) throws IOException {
    return TestCertificates.issue(authority, role, name, dir);
  }
}
