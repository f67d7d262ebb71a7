package io.wruntime.cli.cert;

import io.wruntime.cli.UsageException;
import io.wruntime.cli.WrCli;
import io.wruntime.cli.output.Json;
import io.wruntime.cli.output.OutputFormat;
import io.wruntime.common.security.CallerIdentity;
import io.wruntime.common.security.CallerIdentity.Role;
import io.wruntime.common.tls.CertificateAuthority;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wr-cli cert generate --ca DIR --role ROLE --name NAME --out DIR}: a certificate for one
 * identity, issued by the CA in {@code --ca}: {@code tls.crt}, {@code tls.key} (0600) and the CA's
 * {@code ca.crt}, the three files of a {@code [tls]} table and the keys of a Kubernetes Secret.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description =
        "Issue a certificate for a node, an admin or a manager: DIR/tls.crt, DIR/tls.key (mode"
            + " 0600) and DIR/ca.crt.")
public final class CertGenerateCommand implements Callable<Integer> {
  /** How long a certificate is valid unless {@code --days} says otherwise: one year. */
  public static final int DEFAULT_DAYS = 365;

  private static final Pattern DNS =
      Pattern.compile(
          "(\\*\\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
  private static final Pattern IP_LITERAL =
      Pattern.compile("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

  @Spec CommandSpec spec;

  @Option(
      names = "--ca",
      required = true,
      paramLabel = "DIR",
      description = "The CA directory made by cert init-ca (ca.crt and ca.key).")
  Path ca;

  @Option(
      names = "--role",
      required = true,
      paramLabel = "ROLE",
      description = "node (a proxy), admin (wr-cli) or manager.")
  String role;

  @Option(
      names = "--name",
      required = true,
      paramLabel = "NAME",
      description = "The holder's name: the node name of a proxy, the user of an admin.")
  String name;

  @Option(
      names = "--dns",
      paramLabel = "NAME",
      split = ",",
      description = "Extra DNS names (repeatable or comma-separated).")
  List<String> dnsNames = new ArrayList<>();

  @Option(
      names = "--ip",
      paramLabel = "ADDRESS",
      split = ",",
      description = "Extra IP addresses (repeatable or comma-separated).")
  List<String> ips = new ArrayList<>();

  @Option(
      names = "--days",
      paramLabel = "N",
      defaultValue = "" + DEFAULT_DAYS,
      description = "Validity in days (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Directory to write tls.crt, tls.key and ca.crt to (created when missing).")
  Path out;

  @Option(names = "--force", description = "Replace tls.crt, tls.key and ca.crt when they exist.")
  boolean force;

  @Override
  public Integer call() throws IOException {
    CallerIdentity identity = new CallerIdentity(role(), name());
    List<InetAddress> addresses = addresses();
    for (String dns : dnsNames) {
      if (!DNS.matcher(dns).matches()) {
        throw new UsageException(
            "--dns "
                + dns
                + " (expected: a lower-case DNS name such as wruntime-manager.wruntime-system.svc)");
      }
    }
    CertificateAuthority authority;
    CertificateAuthority.Issued issued;
    try {
      authority = CertificateAuthority.load(ca);
      issued =
          authority.issue(identity, dnsNames, addresses, Duration.ofDays(days), Clock.systemUTC());
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage(), e);
    }
    try {
      issued.writeTo(out, force);
    } catch (FileAlreadyExistsException e) {
      throw new UsageException(
          e.getFile() + " exists (expected: a new file; --force replaces it)", e);
    }
    String uri = identity.toUri(authority.trustDomain()).toString();
    String notAfter = issued.certificate().getNotAfter().toInstant().toString();
    PrintWriter writer = spec.commandLine().getOut();
    if (WrCli.of(spec).output() == OutputFormat.JSON) {
      var json = Json.object();
      json.put("identity", uri);
      json.put("cert", out.resolve(CertificateAuthority.CERT).toString());
      json.put("key", out.resolve(CertificateAuthority.KEY).toString());
      json.put("caCert", out.resolve(CertificateAuthority.CA_CERT).toString());
      json.put("notAfter", notAfter);
      writer.println(Json.print(json));
    } else {
      writer.println(
          "wrote "
              + out.resolve(CertificateAuthority.CERT)
              + ", "
              + CertificateAuthority.KEY
              + " and "
              + CertificateAuthority.CA_CERT
              + " for "
              + uri
              + " (valid until "
              + notAfter
              + ")");
    }
    writer.flush();
    return 0;
  }

  private Role role() {
    return switch (role.toLowerCase(Locale.ROOT)) {
      case "node" -> Role.NODE;
      case "admin" -> Role.ADMIN;
      case "manager" -> Role.MANAGER;
      default -> throw new UsageException("--role " + role + " (expected: node, admin or manager)");
    };
  }

  private String name() {
    try {
      return new CallerIdentity(Role.ADMIN, name).name();
    } catch (IllegalArgumentException e) {
      throw new UsageException("--name " + e.getMessage().substring("identity name: ".length()), e);
    }
  }

  private List<InetAddress> addresses() {
    List<InetAddress> out = new ArrayList<>();
    for (String ip : ips) {
      if (!IP_LITERAL.matcher(ip).matches()) {
        throw new UsageException("--ip " + ip + " (expected: an IPv4 or IPv6 address)");
      }
      try {
        // A literal: no name lookup happens.
        out.add(InetAddress.getByName(ip));
      } catch (UnknownHostException e) {
        throw new UsageException("--ip " + ip + " (expected: an IPv4 or IPv6 address)", e);
      }
    }
    return out;
  }
}
