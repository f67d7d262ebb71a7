package io.wruntime.engine.host.cli;

/**
 * The guest called {@code wasi:cli/exit.exit} (or {@code exit-with-code}): unwinds the instance.
 * The engine ends the request normally if a response was already set, as a trap otherwise.
 */
public final class GuestExit extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param status how the guest exited, e.g. {@code "exit(ok)"} or {@code "exit-with-code(3)"}
   */
  public GuestExit(String status) {
    super(status, null, false, false);
  }

  public String status() {
    return getMessage();
  }
}
