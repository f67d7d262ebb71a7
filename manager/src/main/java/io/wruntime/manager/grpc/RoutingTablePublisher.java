package io.wruntime.manager.grpc;

import static java.util.Objects.requireNonNull;

import io.wruntime.manager.registry.Registry;
import io.wruntime.manager.registry.RoutingTableSnapshot;
import io.wruntime.proto.v1.RoutingRule;
import io.wruntime.proto.v1.RoutingTable;

/**
 * The registry's routing table as proxies receive it: mapped to the wire once per version, and
 * localized for the node that asks (routes on that node marked {@code local}).
 */
public final class RoutingTablePublisher {
  private final Registry registry;
  // The wire form of the newest snapshot seen; replaced when the registry moved on.
  private volatile Mapped mapped;

  private record Mapped(RoutingTableSnapshot snapshot, RoutingTable table) {}

  public RoutingTablePublisher(Registry registry) {
    this.registry = requireNonNull(registry, "registry");
    RoutingTableSnapshot first = registry.routingTable();
    this.mapped = new Mapped(first, ProtoMapping.table(first));
  }

  /** Runs {@code listener} after every change of the routing table (a new version). */
  public void addListener(Runnable listener) {
    registry.addListener(listener);
  }

  public void removeListener(Runnable listener) {
    registry.removeListener(listener);
  }

  /** The current table, every route non-local. Never blocks on the registry lock. */
  public RoutingTable current() {
    RoutingTableSnapshot snapshot = registry.routingTable();
    Mapped last = mapped;
    if (last.snapshot() == snapshot) {
      return last.table();
    }
    // Two threads may map the same snapshot at once: both results are equal, either may stay.
    Mapped fresh = new Mapped(snapshot, ProtoMapping.table(snapshot));
    mapped = fresh;
    return fresh.table();
  }

  /** The current table as seen from {@code node}. */
  public RoutingTable current(String node) {
    return localize(current(), node);
  }

  /** {@code table} as seen from {@code node}: routes on that node marked local. */
  public static RoutingTable localize(RoutingTable table, String node) {
    requireNonNull(table, "table");
    if (node == null || node.isEmpty()) {
      return table;
    }
    RoutingTable.Builder out = table.toBuilder();
    for (int i = 0; i < out.getRoutesCount(); i++) {
      if (out.getRoutes(i).getNode().equals(node)) {
        out.setRoutes(i, out.getRoutes(i).toBuilder().setLocal(true));
      }
    }
    for (int i = 0; i < out.getRulesCount(); i++) {
      RoutingRule.Builder rule = out.getRulesBuilder(i);
      for (int j = 0; j < rule.getRoutesCount(); j++) {
        if (rule.getRoutes(j).getNode().equals(node)) {
          rule.setRoutes(j, rule.getRoutes(j).toBuilder().setLocal(true));
        }
      }
    }
    return out.build();
  }
}
