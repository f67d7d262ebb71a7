package io.wruntime.proxy.routing;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which external hosts and ports calls may reach. An entry of {@code allowed_domains} is a host
 * name ({@code api.stripe.com}) or {@code *.example.com} for any host one label below {@code
 * example.com} ({@code api.example.com}, not {@code a.b.example.com} nor {@code example.com}),
 * optionally with a port: without one it allows ports 80 and 443 only, with one ({@code
 * api.example.com:8443}) that port only.
 *
 * <p>IP literals ({@code 10.0.0.5}, {@code [fd00::1]}) are refused as entries unless {@code
 * allowIpLiterals}, and a destination written as an IP literal matches only an entry that names
 * that very address: a wildcard never matches one. Loopback host names ({@code localhost}, {@code
 * *.localhost}) are refused as entries and never match, so a module cannot reach the node's own
 * listeners (the proxy's admin endpoints, the engine) through egress by a name; a loopback address
 * can be allowed only as an explicit IP literal with {@code allowIpLiterals}.
 *
 * @param enabled whether egress is on at all
 * @param rules the parsed entries
 * @param allowIpLiterals whether entries may be IP literals
 */
public record EgressPolicy(boolean enabled, List<Rule> rules, boolean allowIpLiterals) {
  private static final Pattern NAME =
      Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]*:[0-9a-f:.]*");

  /** What an entry of {@code allowed_domains} should look like, for error messages. */
  public static final String EXPECTED =
      "a host name such as api.example.com or *.example.com, optionally with a port"
          + " (api.example.com:8443), without scheme or path";

  public EgressPolicy {
    rules = List.copyOf(requireNonNull(rules, "rules"));
  }

  /**
   * Parses {@code entries} of {@code allowed_domains}.
   *
   * @throws IllegalArgumentException naming the first unusable entry and what was expected
   */
  public static EgressPolicy of(boolean enabled, List<String> entries, boolean allowIpLiterals) {
    List<Rule> rules = new ArrayList<>();
    for (String entry : requireNonNull(entries, "entries")) {
      rules.add(Rule.parse(entry, allowIpLiterals));
    }
    return new EgressPolicy(enabled, rules, allowIpLiterals);
  }

  /** Whether {@code host} on {@code port} is allowed (whether or not egress is enabled). */
  public boolean allows(String host, int port) {
    requireNonNull(host, "host");
    String h = bare(host.toLowerCase(Locale.ROOT));
    if (isLoopbackName(h) || (isIpLiteral(h) && !allowIpLiterals)) {
      return false;
    }
    for (Rule rule : rules) {
      if (rule.matches(h, port)) {
        return true;
      }
    }
    return false;
  }

  private static String bare(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  static boolean isIpLiteral(String host) {
    return IPV4.matcher(host).matches() || IPV6.matcher(host).matches();
  }

  private static boolean isLoopbackName(String host) {
    return host.equals("localhost") || host.endsWith(".localhost");
  }

  /**
   * One entry of {@code allowed_domains}.
   *
   * @param host a lowercase host name, {@code *.suffix}, or an IP literal without brackets
   * @param port the one allowed port, or -1 for 80 and 443
   */
  public record Rule(String host, int port) {
    public Rule {
      requireNonNull(host, "host");
    }

    /**
     * Parses {@code host}, {@code host:port}, {@code *.suffix[:port]}, or with {@code
     * allowIpLiterals} an IPv4 address or a bracketed IPv6 one, each with an optional port.
     *
     * @throws IllegalArgumentException saying what is wrong and what was expected
     */
    public static Rule parse(String entry, boolean allowIpLiterals) {
      requireNonNull(entry, "entry");
      String lower = entry.trim().toLowerCase(Locale.ROOT);
      if (lower.isEmpty() || lower.contains("/") || lower.contains("@") || lower.contains(" ")) {
        throw new IllegalArgumentException("(expected: " + EXPECTED + ")");
      }
      String host;
      String portText = null;
      if (lower.startsWith("[")) {
        int close = lower.indexOf(']');
        if (close < 0) {
          throw new IllegalArgumentException("has an unclosed [ (expected: " + EXPECTED + ")");
        }
        host = lower.substring(1, close);
        String rest = lower.substring(close + 1);
        if (!rest.isEmpty()) {
          if (!rest.startsWith(":")) {
            throw new IllegalArgumentException("(expected: " + EXPECTED + ")");
          }
          portText = rest.substring(1);
        }
        if (!IPV6.matcher(host).matches()) {
          throw new IllegalArgumentException(
              "has "
                  + host
                  + " in brackets, which is not an IPv6 address (expected: "
                  + EXPECTED
                  + ")");
        }
      } else {
        int colon = lower.indexOf(':');
        if (colon >= 0 && lower.indexOf(':', colon + 1) >= 0) {
          throw new IllegalArgumentException(
              "(expected: " + EXPECTED + "; an IPv6 address in brackets, as [fd00::1]:8080)");
        }
        host = colon < 0 ? lower : lower.substring(0, colon);
        portText = colon < 0 ? null : lower.substring(colon + 1);
        if (!NAME.matcher(host).matches()) {
          throw new IllegalArgumentException("(expected: " + EXPECTED + ")");
        }
      }
      int port = -1;
      if (portText != null) {
        try {
          port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
          port = 0;
        }
        if (port < 1 || port > 65535) {
          throw new IllegalArgumentException(
              "has the port " + portText + " (expected: 1 to 65535)");
        }
      }
      if (isIpLiteral(host)) {
        if (!allowIpLiterals) {
          throw new IllegalArgumentException(
              "is an IP address (expected: "
                  + EXPECTED
                  + "; IP addresses only with [egress] allow_ip_literals = true)");
        }
      } else if (isLoopbackName(host)) {
        throw new IllegalArgumentException(
            "is a loopback host name (expected: "
                + EXPECTED
                + "; a loopback address only as an IP address with [egress] allow_ip_literals ="
                + " true)");
      }
      return new Rule(host, port);
    }

    boolean matches(String h, int p) {
      if (port < 0 ? p != 80 && p != 443 : p != port) {
        return false;
      }
      if (host.startsWith("*.")) {
        String suffix = host.substring(1);
        if (isIpLiteral(h) || !h.endsWith(suffix)) {
          return false;
        }
        String label = h.substring(0, h.length() - suffix.length());
        return !label.isEmpty() && !label.contains(".");
      }
      return host.equals(h);
    }
  }
}
