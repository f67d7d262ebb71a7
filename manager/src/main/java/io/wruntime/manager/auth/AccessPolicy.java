package io.wruntime.manager.auth;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.security.CallerIdentity;
import io.wruntime.common.security.CallerIdentity.Role;
import java.util.Optional;
import java.util.Set;

/**
 * Who may make which ManagerService call: a pure function of the caller's identity and the call.
 * Refusals are descriptions for PERMISSION_DENIED that name the call, the caller and the role it
 * needs.
 */
public final class AccessPolicy {
  private AccessPolicy() {}

  /** Why {@code caller} may not make {@code call}; empty when it may. */
  public static Optional<String> denial(CallerIdentity caller, ManagerCall call) {
    requireNonNull(caller, "caller");
    requireNonNull(call, "call");
    boolean allowed =
        switch (call.access()) {
          case ADMIN -> caller.isAdmin();
          case OWN_ENGINES -> caller.isAdmin() || caller.role() == Role.NODE;
          case READ -> true;
        };
    if (allowed) {
      return Optional.empty();
    }
    String expected =
        switch (call.access()) {
          case ADMIN -> "an admin identity";
          case OWN_ENGINES -> "a node identity (a proxy) or an admin identity";
          case READ -> throw new AssertionError(call);
        };
    return Optional.of(
        call.method()
            + ": caller "
            + caller
            + " may not make this call (expected: "
            + expected
            + ")");
  }

  /**
   * The node whose engines alone {@code caller} may register, heartbeat and deregister; empty for a
   * caller that may act on every engine (admins and the local caller).
   */
  public static Optional<String> engineScope(CallerIdentity caller) {
    return engineScope(caller, Set.of());
  }

  /**
   * As {@link #engineScope(CallerIdentity)}, where a node identity named in {@code sharedNodes} is
   * a certificate many proxies share, which cannot tell their nodes apart: it may act on the
   * engines of every node (still no admin call).
   */
  public static Optional<String> engineScope(CallerIdentity caller, Set<String> sharedNodes) {
    requireNonNull(caller, "caller");
    requireNonNull(sharedNodes, "sharedNodes");
    boolean shared = caller.role() == Role.NODE && sharedNodes.contains(caller.name());
    return caller.isAdmin() || shared ? Optional.empty() : Optional.of(caller.name());
  }

  /**
   * Why {@code caller} may not register an engine on the node named {@code node} (the request's
   * {@code node.name}); empty when it may.
   */
  public static Optional<String> registrationNodeDenial(CallerIdentity caller, String node) {
    return registrationNodeDenial(caller, node, Set.of());
  }

  /** As {@link #registrationNodeDenial(CallerIdentity, String)}, with shared node identities. */
  public static Optional<String> registrationNodeDenial(
      CallerIdentity caller, String node, Set<String> sharedNodes) {
    requireNonNull(node, "node");
    Optional<String> scope = engineScope(caller, sharedNodes);
    if (scope.isEmpty() || scope.get().equals(node)) {
      return Optional.empty();
    }
    return Optional.of(
        "RegisterEngine: node.name: \""
            + node
            + "\" (expected: \""
            + scope.get()
            + "\", the node named by the caller's certificate "
            + caller
            + ")");
  }
}
