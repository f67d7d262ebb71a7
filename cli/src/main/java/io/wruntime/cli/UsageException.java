package io.wruntime.cli;

/**
 * A command that cannot run because of how it was called or set up (a missing kubeconfig, a flag it
 * needs): the handler of {@link WrCli} prints the message like any {@link CliException} but exits
 * with {@link WrCli#EXIT_USAGE}, without the usage text, which would not help.
 */
public class UsageException extends CliException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }

  public UsageException(String message, Throwable cause) {
    super(message, cause);
  }
}
