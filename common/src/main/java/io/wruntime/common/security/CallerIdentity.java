package io.wruntime.common.security;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;

/**
 * Who is calling, as proven by a client certificate issued by the deployment's CA (or, without TLS,
 * the trusted local caller of a loopback-only listener).
 *
 * <p>A wruntime certificate names its holder in a URI subject alternative name {@code
 * spiffe://<trust-domain>/<role>/<name>}, e.g. {@code spiffe://wruntime/node/node-a}. Tools that
 * cannot write URI SANs (Helm's {@code genSignedCert}) may instead put {@code <role>:<name>} in the
 * subject's common name; the URI SAN wins when both are present.
 *
 * @param role what the holder may do
 * @param name the holder's name within its role: the node name of a proxy, the user of an admin
 */
public record CallerIdentity(Role role, String name) {
  /** Roles a certificate can carry. */
  public enum Role {
    /** Operators and tools (wr-cli): may call every ManagerService method. */
    ADMIN,
    /**
     * A proxy sidecar speaking for the engines of one node: registers, heartbeats and deregisters
     * engines of its own node, watches the routing table, calls other proxies' peer ports.
     */
    NODE,
    /** A manager (server certificate of ManagerService; peer managers). */
    MANAGER,
    /**
     * A caller on a plaintext listener bound to loopback only: no certificate exists, and anyone
     * who can reach loopback already runs on the same host. Has every permission.
     */
    LOCAL;

    /** The lower-case name used in certificates ({@code node}, {@code admin}, ...). */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Optional<Role> fromLabel(String label) {
      for (Role role : values()) {
        if (role != LOCAL && role.label().equals(label)) {
          return Optional.of(role);
        }
      }
      return Optional.empty();
    }
  }

  /** Names: 1-253 characters of [a-z0-9.-], starting and ending with a letter or digit. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?");

  /** The caller of a loopback-only plaintext listener. */
  public static final CallerIdentity LOCAL = new CallerIdentity(Role.LOCAL, "local");

  private static final int URI_SAN = 6;

  public CallerIdentity {
    requireNonNull(role, "role");
    requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "identity name: "
              + name
              + " (expected: 1-253 characters of a-z, 0-9, '.' and '-', starting and ending with"
              + " a letter or digit)");
    }
  }

  /** The URI SAN that names this identity in certificates of {@code trustDomain}. */
  public URI toUri(String trustDomain) {
    return URI.create("spiffe://" + trustDomain + "/" + role.label() + "/" + name);
  }

  /** Whether this caller may act as an administrator. */
  public boolean isAdmin() {
    return role == Role.ADMIN || role == Role.LOCAL;
  }

  @Override
  public String toString() {
    return role.label() + "/" + name;
  }

  /**
   * Reads the identity a (chain-verified) certificate names.
   *
   * @throws IllegalArgumentException when the certificate names no wruntime identity, naming what
   *     it found and what was expected
   */
  public static CallerIdentity of(X509Certificate certificate) {
    requireNonNull(certificate, "certificate");
    Collection<List<?>> sans;
    try {
      sans = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new IllegalArgumentException(
          "certificate " + certificate.getSubjectX500Principal() + ": unreadable SANs", e);
    }
    if (sans != null) {
      for (List<?> san : sans) {
        if (san.size() == 2 && Integer.valueOf(URI_SAN).equals(san.get(0))) {
          Optional<CallerIdentity> fromUri = fromUri(String.valueOf(san.get(1)));
          if (fromUri.isPresent()) {
            return fromUri.get();
          }
        }
      }
    }
    String cn = commonName(certificate.getSubjectX500Principal());
    int colon = cn == null ? -1 : cn.indexOf(':');
    if (colon > 0) {
      Optional<Role> role = Role.fromLabel(cn.substring(0, colon));
      if (role.isPresent()) {
        return new CallerIdentity(role.get(), cn.substring(colon + 1));
      }
    }
    throw new IllegalArgumentException(
        "certificate "
            + certificate.getSubjectX500Principal()
            + " names no wruntime identity (expected: a URI SAN spiffe://<trust-domain>/<role>/<name>"
            + " or a common name <role>:<name>, role one of admin, node, manager)");
  }

  /** Parses {@code spiffe://<trust-domain>/<role>/<name>}; empty when it is not of that shape. */
  public static Optional<CallerIdentity> fromUri(String uri) {
    URI parsed;
    try {
      parsed = URI.create(uri);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (!"spiffe".equals(parsed.getScheme()) || parsed.getPath() == null) {
      return Optional.empty();
    }
    String[] parts = parsed.getPath().split("/", -1);
    if (parts.length != 3 || !parts[0].isEmpty()) {
      return Optional.empty();
    }
    Optional<Role> role = Role.fromLabel(parts[1]);
    if (role.isEmpty() || !NAME.matcher(parts[2]).matches()) {
      return Optional.empty();
    }
    return Optional.of(new CallerIdentity(role.get(), parts[2]));
  }

  private static String commonName(X500Principal principal) {
    for (String rdn : principal.getName(X500Principal.RFC2253).split(",")) {
      if (rdn.startsWith("CN=")) {
        return rdn.substring(3);
      }
    }
    return null;
  }
}
