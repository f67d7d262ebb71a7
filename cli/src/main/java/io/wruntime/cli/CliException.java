package io.wruntime.cli;

/**
 * A command that ran and failed for a reason the user can act on. The handler of {@link WrCli}
 * prints the message as one line after {@code wr-cli: } and exits with {@link WrCli#EXIT_FAILURE};
 * the message therefore names what was wrong and what was expected, without a stack trace.
 */
public class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CliException(String message) {
    super(message);
  }

  public CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
