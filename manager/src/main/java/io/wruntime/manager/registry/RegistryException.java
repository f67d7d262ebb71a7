package io.wruntime.manager.registry;

import static java.util.Objects.requireNonNull;

/**
 * A registry operation was refused because of stored state. The message names what was wrong and
 * what was expected, so that it can be shown to the caller as it is.
 */
public final class RegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why the operation was refused; maps one to one to a gRPC status code. */
  public enum Reason {
    /** The named engine, service, schema, rule or secret does not exist. */
    NOT_FOUND,
    /** The request conflicts with stored state. */
    FAILED_PRECONDITION,
    /** The caller may not act on the named engine (it belongs to another node). */
    PERMISSION_DENIED
  }

  private final Reason reason;

  public RegistryException(Reason reason, String message) {
    super(requireNonNull(message, "message"));
    this.reason = requireNonNull(reason, "reason");
  }

  static RegistryException notFound(String message) {
    return new RegistryException(Reason.NOT_FOUND, message);
  }

  static RegistryException failedPrecondition(String message) {
    return new RegistryException(Reason.FAILED_PRECONDITION, message);
  }

  static RegistryException permissionDenied(String message) {
    return new RegistryException(Reason.PERMISSION_DENIED, message);
  }

  public Reason reason() {
    return reason;
  }
}
