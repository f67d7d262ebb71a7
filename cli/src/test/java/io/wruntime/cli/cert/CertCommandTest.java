package io.wruntime.cli.cert;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.cli.CliRun;
import io.wruntime.common.security.CallerIdentity;
import io.wruntime.common.security.CallerIdentity.Role;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertCommandTest {
  @TempDir Path dir;

  @Test
  void initCaThenGenerateMakesACertificateOfTheCasTrustDomain() throws Exception {
    CliRun ca =
        CliRun.run(
            "cert",
            "init-ca",
            "--out",
            dir.resolve("ca").toString(),
            "--trust-domain",
            "prod.example");
    assertThat(ca.exitCode()).as(ca.err()).isZero();
    assertThat(ca.out())
        .startsWith("wrote " + dir.resolve("ca/ca.crt") + " and " + dir.resolve("ca/ca.key"));

    CliRun node =
        CliRun.run(
            "cert",
            "generate",
            "--ca",
            dir.resolve("ca").toString(),
            "--role",
            "node",
            "--name",
            "node-a",
            "--dns",
            "node-a.example,node-a.local",
            "--ip",
            "10.0.0.7",
            "--days",
            "30",
            "--out",
            dir.resolve("node-a").toString());

    assertThat(node.exitCode()).as(node.err()).isZero();
    assertThat(node.out()).contains("for spiffe://prod.example/node/node-a (valid until ");
    X509Certificate leaf = certificate(dir.resolve("node-a/tls.crt"));
    assertThat(CallerIdentity.of(leaf)).isEqualTo(new CallerIdentity(Role.NODE, "node-a"));
    assertThat(leaf.getSubjectAlternativeNames())
        .contains(
            List.of(6, "spiffe://prod.example/node/node-a"),
            List.of(2, "node-a.example"),
            List.of(2, "node-a.local"),
            List.of(7, "10.0.0.7"));
    leaf.verify(certificate(dir.resolve("ca/ca.crt")).getPublicKey());
    assertThat(Files.readString(dir.resolve("node-a/ca.crt")))
        .isEqualTo(Files.readString(dir.resolve("ca/ca.crt")));
    assertThat(Files.getPosixFilePermissions(dir.resolve("node-a/tls.key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void existingFilesAreKeptWithoutForce() throws Exception {
    assertThat(CliRun.run("cert", "init-ca", "--out", dir.toString()).exitCode()).isZero();
    String before = Files.readString(dir.resolve("ca.crt"));

    CliRun again = CliRun.run("cert", "init-ca", "--out", dir.toString());

    assertThat(again.exitCode()).isEqualTo(2);
    assertThat(again.err())
        .isEqualTo(
            "wr-cli: "
                + dir.resolve("ca.crt")
                + " exists (expected: a new file; --force replaces it)\n");
    assertThat(Files.readString(dir.resolve("ca.crt"))).isEqualTo(before);
    assertThat(CliRun.run("cert", "init-ca", "--out", dir.toString(), "--force").exitCode())
        .isZero();
    assertThat(Files.readString(dir.resolve("ca.crt"))).isNotEqualTo(before);
  }

  @Test
  void badInputIsNamedWithWhatWasExpected() throws Exception {
    Path ca = dir.resolve("ca");
    assertThat(CliRun.run("cert", "init-ca", "--out", ca.toString()).exitCode()).isZero();

    assertThat(generate(dir.resolve("nowhere"), "node", "a").err())
        .isEqualTo(
            "wr-cli: "
                + dir.resolve("nowhere")
                + " is not a directory (expected: a CA directory made by wr-cli cert init-ca)\n");
    assertThat(generate(dir, "node", "a").err())
        .startsWith("wr-cli: " + dir + " has no readable ca.crt (expected: a CA directory");
    assertThat(generate(ca, "root", "a").err())
        .isEqualTo("wr-cli: --role root (expected: node, admin or manager)\n");
    assertThat(generate(ca, "node", "Node_A").err())
        .startsWith("wr-cli: --name Node_A (expected: 1-253 characters of a-z, 0-9, '.' and '-'");
    CliRun badIp =
        CliRun.run(
            "cert",
            "generate",
            "--ca",
            ca.toString(),
            "--role",
            "node",
            "--name",
            "a",
            "--ip",
            "example.com",
            "--out",
            dir.resolve("out").toString());
    assertThat(badIp.exitCode()).isEqualTo(2);
    assertThat(badIp.err())
        .isEqualTo("wr-cli: --ip example.com (expected: an IPv4 or IPv6 address)\n");
    CliRun tooLong =
        CliRun.run(
            "cert",
            "generate",
            "--ca",
            ca.toString(),
            "--role",
            "admin",
            "--name",
            "alice",
            "--days",
            "5000",
            "--out",
            dir.resolve("out").toString());
    assertThat(tooLong.exitCode()).isEqualTo(2);
    assertThat(tooLong.err()).contains("after the CA's own certificate");
    assertThat(Files.exists(dir.resolve("out"))).isFalse();
  }

  private CliRun generate(Path ca, String role, String name) {
    CliRun run =
        CliRun.run(
            "cert",
            "generate",
            "--ca",
            ca.toString(),
            "--role",
            role,
            "--name",
            name,
            "--out",
            dir.resolve("out").toString());
    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    return run;
  }

  private static X509Certificate certificate(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }
}
