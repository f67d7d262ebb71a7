package io.wruntime.cli.cert;

import io.wruntime.cli.UsageException;
import io.wruntime.cli.WrCli;
import io.wruntime.cli.output.Json;
import io.wruntime.cli.output.OutputFormat;
import io.wruntime.common.tls.CertificateAuthority;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wr-cli cert init-ca --out DIR}: a new CA (ECDSA P-256), written as {@code DIR/ca.crt} and
 * {@code DIR/ca.key} (0600). The trust domain is stored in the CA certificate, so {@code cert
 * generate} reuses it.
 */
@Command(
    name = "init-ca",
    mixinStandardHelpOptions = true,
    description = "Make a new certificate authority: DIR/ca.crt and DIR/ca.key (mode 0600).")
public final class CertInitCaCommand implements Callable<Integer> {
  /** How long a CA is valid unless {@code --days} says otherwise: ten years. */
  public static final int DEFAULT_DAYS = 3650;

  @Spec CommandSpec spec;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Directory to write ca.crt and ca.key to (created when missing).")
  Path out;

  @Option(
      names = "--trust-domain",
      paramLabel = "NAME",
      defaultValue = CertificateAuthority.DEFAULT_TRUST_DOMAIN,
      description =
          "Trust domain of the identities this CA issues, spiffe://NAME/<role>/<name> (default:"
              + " ${DEFAULT-VALUE}).")
  String trustDomain;

  @Option(
      names = "--days",
      paramLabel = "N",
      defaultValue = "" + DEFAULT_DAYS,
      description = "Validity in days (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(names = "--force", description = "Replace ca.crt and ca.key when they exist.")
  boolean force;

  @Override
  public Integer call() throws IOException {
    CertificateAuthority ca;
    try {
      ca = CertificateAuthority.create(trustDomain, Duration.ofDays(days), Clock.systemUTC());
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage(), e);
    }
    try {
      ca.writeTo(out, force);
    } catch (FileAlreadyExistsException e) {
      throw new UsageException(
          e.getFile() + " exists (expected: a new file; --force replaces it)", e);
    }
    PrintWriter writer = spec.commandLine().getOut();
    if (WrCli.of(spec).output() == OutputFormat.JSON) {
      var json = Json.object();
      json.put("caCert", out.resolve(CertificateAuthority.CA_CERT).toString());
      json.put("caKey", out.resolve(CertificateAuthority.CA_KEY).toString());
      json.put("trustDomain", ca.trustDomain());
      json.put("notAfter", ca.certificate().getNotAfter().toInstant().toString());
      writer.println(Json.print(json));
    } else {
      writer.println(
          "wrote "
              + out.resolve(CertificateAuthority.CA_CERT)
              + " and "
              + out.resolve(CertificateAuthority.CA_KEY)
              + " (trust domain "
              + ca.trustDomain()
              + ", valid until "
              + ca.certificate().getNotAfter().toInstant()
              + "); keep "
              + CertificateAuthority.CA_KEY
              + " secret");
    }
    writer.flush();
    return 0;
  }
}
