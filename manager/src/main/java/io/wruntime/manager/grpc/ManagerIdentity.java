package io.wruntime.manager.grpc;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.UUID;

/**
 * Who this manager is, for ListManagers: an id for the process lifetime, when it started, and the
 * address it serves on (known once the listener is bound).
 */
public final class ManagerIdentity {
  private final String id;
  private final Instant startedAt;
  private volatile String address = "";

  public ManagerIdentity(String id, Instant startedAt) {
    this.id = requireNonNull(id, "id");
    this.startedAt = requireNonNull(startedAt, "startedAt");
  }

  /** A fresh identity with a random id. */
  public static ManagerIdentity random(Instant startedAt) {
    return new ManagerIdentity(UUID.randomUUID().toString(), startedAt);
  }

  public String id() {
    return id;
  }

  public Instant startedAt() {
    return startedAt;
  }

  /** The address ManagerService is served on, e.g. {@code 10.0.0.4:9000}; empty until bound. */
  public String address() {
    return address;
  }

  /** Records the bound address. */
  public void bound(String boundAddress) {
    this.address = requireNonNull(boundAddress, "boundAddress");
  }
}
