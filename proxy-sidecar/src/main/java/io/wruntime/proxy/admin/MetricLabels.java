package io.wruntime.proxy.admin;

import static java.util.Objects.requireNonNull;

import io.wruntime.proxy.routing.EgressPolicy;
import io.wruntime.proxy.routing.RoutingTable;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The label values the proxy's request metrics may carry, all from things the operator configured:
 * a {@code source} or {@code destination} is a module of the routing table ({@code
 * namespace.module}) or, for a destination outside the mesh, the {@code allowed_domains} entry that
 * lets it through ({@code api.stripe.com}, {@code *.example.com}). Anything else, such as a made-up
 * {@code x-wr-source} or a host nobody routes, is {@value #UNKNOWN}: callers cannot create series.
 */
public final class MetricLabels {
  /** The one value every unknown source and destination folds into. */
  public static final String UNKNOWN = "unknown";

  private final Predicate<String> knownModule;
  private final EgressPolicy egress;

  /**
   * @param knownModule whether a {@code namespace.module} is in the routing table in use
   * @param egress the egress allowlist (its entries are the known external destinations)
   */
  public MetricLabels(Predicate<String> knownModule, EgressPolicy egress) {
    this.knownModule = requireNonNull(knownModule, "knownModule");
    this.egress = requireNonNull(egress, "egress");
  }

  /** Labels that know the modules of the table {@code table} supplies, and {@code egress}. */
  public static MetricLabels of(Supplier<RoutingTable> table, EgressPolicy egress) {
    requireNonNull(table, "table");
    return new MetricLabels(name -> table.get().knows(name), egress);
  }

  /** The {@code source} label of a caller that said it is {@code source}. */
  public String source(String source) {
    String known = source == null ? null : module(source);
    return known == null ? UNKNOWN : known;
  }

  /** The {@code destination} label of a request for {@code destination} (a module or a host). */
  public String destination(String destination) {
    if (destination == null) {
      return UNKNOWN;
    }
    String known = module(destination);
    if (known != null) {
      return known;
    }
    String entry = egressEntry(destination.toLowerCase(Locale.ROOT));
    return entry == null ? UNKNOWN : entry;
  }

  private String module(String name) {
    return knownModule.test(name) ? name : null;
  }

  /** The allowlist entry (host part) that names {@code host}, or null. */
  private String egressEntry(String host) {
    if (!egress.enabled()) {
      return null;
    }
    for (EgressPolicy.Rule rule : egress.rules()) {
      String pattern = rule.host();
      if (pattern.equals(host)) {
        return pattern;
      }
      if (pattern.startsWith("*.")) {
        String suffix = pattern.substring(1); // ".example.com"
        if (host.endsWith(suffix)
            && host.length() > suffix.length()
            && host.indexOf('.') == host.length() - suffix.length()) {
          return pattern;
        }
      }
    }
    return null;
  }
}
