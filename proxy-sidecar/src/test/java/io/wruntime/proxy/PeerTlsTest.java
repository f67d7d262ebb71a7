package io.wruntime.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.common.config.ConfigException;
import io.wruntime.common.security.CallerIdentity;
import io.wruntime.common.tls.TlsFiles;
import io.wruntime.proxy.tls.PeerTls;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The peer port's TLS material: a node certificate is required, and an unusable key is named. */
class PeerTlsTest {
  @TempDir Path dir;

  @Test
  void aNodeCertificateServesThePeerPortAsThatNode() throws Exception {
    TestPki pki = TestPki.create(dir, "mesh");
    TestPki.Issued node = pki.issue("node", "node-a");

    PeerTls tls = PeerTls.load(files(node), "p.toml");

    assertThat(tls.self()).isEqualTo(new CallerIdentity(CallerIdentity.Role.NODE, "node-a"));
    assertThat(tls.server().isServer()).isTrue();
    assertThat(tls.client().isClient()).isTrue();
  }

  @Test
  void aCertificateOfAnotherRoleIsRefusedNamingTheKeyAndTheRole() throws Exception {
    TestPki pki = TestPki.create(dir, "mesh");
    TestPki.Issued admin = pki.issue("admin", "ops");

    assertThatThrownBy(() -> PeerTls.load(files(admin), "p.toml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("p.toml: node.tls.cert_path = \"" + admin.certPath() + "\"")
        .hasMessageContaining("names admin/ops (expected: a node certificate");
    assertThatThrownBy(() -> PeerTls.load(files(admin), "p.toml"))
        .hasMessageContaining("cannot serve the peer port");
  }

  @Test
  void aKeyThatIsNotAPrivateKeyIsNamed() throws Exception {
    TestPki pki = TestPki.create(dir, "mesh");
    TestPki.Issued node = pki.issue("node", "node-a");
    Files.writeString(
        node.keyPath(), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

    assertThatThrownBy(() -> PeerTls.load(files(node), "p.toml"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("p.toml: [node.tls] " + node.keyPath());
  }

  private static TlsFiles files(TestPki.Issued issued) {
    return new TlsFiles(issued.certPath(), issued.keyPath(), issued.caPath());
  }
}
