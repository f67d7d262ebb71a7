package io.wruntime.proxy.routing;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;

/**
 * Which external hosts calls may reach: exact host names, or {@code *.example.com} for any host one
 * label below {@code example.com} ({@code api.example.com}, not {@code a.b.example.com} nor {@code
 * example.com}).
 *
 * @param enabled whether egress is on at all
 * @param allowedDomains lowercase patterns
 */
public record EgressPolicy(boolean enabled, List<String> allowedDomains) {
  public EgressPolicy {
    allowedDomains = List.copyOf(requireNonNull(allowedDomains, "allowedDomains"));
  }

  /** Whether {@code host} is on the allowlist (whether or not egress is enabled). */
  public boolean allows(String host) {
    requireNonNull(host, "host");
    String h = host.toLowerCase(Locale.ROOT);
    for (String pattern : allowedDomains) {
      if (pattern.startsWith("*.")) {
        String suffix = pattern.substring(1);
        if (h.endsWith(suffix)) {
          String label = h.substring(0, h.length() - suffix.length());
          if (!label.isEmpty() && !label.contains(".")) {
            return true;
          }
        }
      } else if (pattern.equals(h)) {
        return true;
      }
    }
    return false;
  }
}
