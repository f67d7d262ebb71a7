package io.wruntime.cli.cert;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.cli.CliRun;
import io.wruntime.common.testing.TestCertificates;
import io.wruntime.manager.Manager;
import io.wruntime.manager.config.ManagerConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * wr-cli against a manager that serves only mTLS (real Netty on loopback), with every certificate
 * made by {@code wr-cli cert}.
 */
class ManagerTlsCommandsIT {
  @TempDir Path dir;
  private Manager manager;
  private String address;

  @BeforeEach
  void start() throws Exception {
    cli("cert", "init-ca", "--out", dir.resolve("ca").toString());
    cli(
        "cert",
        "generate",
        "--ca",
        dir.resolve("ca").toString(),
        "--role",
        "manager",
        "--name",
        "manager",
        "--out",
        dir.resolve("manager").toString());
    cli(
        "cert",
        "generate",
        "--ca",
        dir.resolve("ca").toString(),
        "--role",
        "admin",
        "--name",
        "alice",
        "--out",
        dir.resolve("alice").toString());
    Path certs = dir.resolve("manager");
    manager =
        Manager.start(
            ManagerConfig.parse(
                "manager.toml",
                """
                listen_address = "127.0.0.1:0"
                [tls]
                """
                    + TestCertificates.tomlKeys(certs)));
    address = "http://127.0.0.1:" + manager.listenAddress().port();
  }

  @AfterEach
  void stop() {
    if (manager != null) {
      manager.close();
    }
  }

  @Test
  void anAdminCertificateFromTheOptionsOrTheEnvironmentIsServed() {
    Path alice = dir.resolve("alice");

    CliRun options =
        CliRun.run(
            "engines",
            "list",
            "--manager",
            address,
            "--tls-cert",
            alice.resolve("tls.crt").toString(),
            "--tls-key",
            alice.resolve("tls.key").toString(),
            "--tls-ca",
            alice.resolve("ca.crt").toString());
    CliRun environment =
        CliRun.run(
            Map.of(
                "WR_MANAGER", address,
                "WR_TLS_CERT", alice.resolve("tls.crt").toString(),
                "WR_TLS_KEY", alice.resolve("tls.key").toString(),
                "WR_TLS_CA", alice.resolve("ca.crt").toString()),
            "engines",
            "list");

    assertThat(options.exitCode()).as(options.err()).isZero();
    assertThat(environment.exitCode()).as(environment.err()).isZero();
  }

  @Test
  void withoutACertificateTheCallIsRefused() {
    CliRun plaintext = CliRun.run("engines", "list", "--manager", address);

    assertThat(plaintext.exitCode()).isEqualTo(1);
    assertThat(plaintext.err())
        .startsWith("wr-cli: cannot reach the manager at " + address + ": connection closed")
        .contains("expected: --tls-cert, --tls-key and --tls-ca");
  }

  @Test
  void incompleteTlsOptionsAreAUsageError() {
    CliRun run =
        CliRun.run(
            "engines",
            "list",
            "--manager",
            address,
            "--tls-cert",
            dir.resolve("alice/tls.crt").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "wr-cli: missing --tls-key (WR_TLS_KEY) and --tls-ca (WR_TLS_CA) (expected: --tls-cert,"
                + " --tls-key and --tls-ca together, e.g. the tls.crt, tls.key and ca.crt of wr-cli"
                + " cert generate --role admin)\n");
  }

  private static void cli(String... args) {
    CliRun run = CliRun.run(args);
    assertThat(run.exitCode()).as(run.err()).isZero();
  }
}
