package io.wruntime.manager.admin;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.admin.AdminServer;
import io.wruntime.common.net.HostPort;
import java.io.IOException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The manager's admin listener: an {@link AdminServer} whose {@code /readyz} follows whether
 * ManagerService accepts calls (503 while starting or stopping).
 */
public final class ManagerAdmin {
  private ManagerAdmin() {}

  /**
   * Binds {@code address} and starts serving.
   *
   * @param ready whether ManagerService accepts calls
   * @param metrics renders the Prometheus text exposition
   * @throws IOException when the address cannot be bound
   */
  public static AdminServer start(HostPort address, BooleanSupplier ready, Supplier<String> metrics)
      throws IOException {
    requireNonNull(ready, "ready");
    return AdminServer.start(
        address,
        () -> ready.getAsBoolean() ? null : "ManagerService is not accepting calls",
        metrics);
  }
}
