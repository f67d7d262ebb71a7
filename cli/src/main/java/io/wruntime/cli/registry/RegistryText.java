package io.wruntime.cli.registry;

import com.google.protobuf.Timestamp;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.Route;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** How registry values read in text output. */
final class RegistryText {
  private RegistryText() {}

  /** {@code namespace.name}. */
  static String service(ModuleRef ref) {
    return ref.getNamespace() + "." + ref.getName();
  }

  /** {@code namespace.name@version}. */
  static String module(ModuleRef ref) {
    return service(ref) + "@" + ref.getVersion();
  }

  /** An instant in UTC to the second ({@code 2025-01-01T00:00:00Z}), or null when unset. */
  static String time(boolean set, Timestamp t) {
    if (!set) {
      return null;
    }
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos())
        .truncatedTo(ChronoUnit.SECONDS)
        .toString();
  }

  static String yesNo(boolean value) {
    return value ? "yes" : "no";
  }

  /** {@code healthy/total} instances. */
  static String instances(long healthy, long total) {
    return healthy + "/" + total;
  }

  /** Where a route sends traffic: the engine's address, and the node's proxy for other nodes. */
  static String node(Route route) {
    if (route.getNode().isEmpty()) {
      return null;
    }
    return route.getNodeAddress().isEmpty()
        ? route.getNode()
        : route.getNode() + " (" + route.getNodeAddress() + ")";
  }

  /**
   * Splits {@code namespace.module}.
   *
   * @throws IllegalArgumentException naming the value and what was expected
   */
  static String[] serviceName(String text) {
    int dot = text.indexOf('.');
    if (dot <= 0 || dot == text.length() - 1 || text.indexOf('.', dot + 1) >= 0) {
      throw new IllegalArgumentException(
          "\"" + text + "\" (expected: NAMESPACE.MODULE, e.g. example.echo)");
    }
    return new String[] {text.substring(0, dot), text.substring(dot + 1)};
  }
}
