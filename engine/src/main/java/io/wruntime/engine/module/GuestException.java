package io.wruntime.engine.module;

import static java.util.Objects.requireNonNull;

/** A request's run of a module ended badly; the engine and other requests carry on. */
public final class GuestException extends Exception {
  private static final long serialVersionUID = 1L;
  private final Kind kind;

  public GuestException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = requireNonNull(kind, "kind");
  }

  public GuestException(Kind kind, String message) {
    this(kind, message, null);
  }

  public Kind kind() {
    return kind;
  }

  public enum Kind {
    /** The module trapped (unreachable, out-of-bounds access, stack overflow, out of memory...). */
    TRAP,
    /** The module passed the host an invalid pointer, length, handle or value. */
    ABI_VIOLATION,
    /** The instance was stopped by interrupting its thread (deadline). */
    INTERRUPTED,
    /** The handler returned without calling {@code response-outparam.set}. */
    NO_RESPONSE
  }
}
