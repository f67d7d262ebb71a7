package io.wruntime.engine.db;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The session settings of a module's connections, sent as PostgreSQL startup parameters (the
 * driver's {@code options} property) so that every connection a pool opens starts with them and
 * {@code RESET ALL} or {@code DISCARD ALL} returns to them.
 *
 * <p>They are set per connection, not per role: the role {@code wr__{ns}} is shared by the modules
 * of a namespace, while the schema and the timeouts belong to one module. A module's own SQL can
 * still change its session with {@code SET}; these are the values every connection starts with.
 *
 * @param statementTimeout {@code statement_timeout}: a statement running longer is cancelled; zero
 *     means none
 * @param idleInTransactionTimeout {@code idle_in_transaction_session_timeout}: a session idle
 *     inside a transaction longer is ended by the server; zero means none
 */
public record ConnectionSettings(Duration statementTimeout, Duration idleInTransactionTimeout) {
  /** No timeouts (used for migrations). */
  public static final ConnectionSettings NO_TIMEOUTS =
      new ConnectionSettings(Duration.ZERO, Duration.ZERO);

  public ConnectionSettings {
    checkTimeout("statementTimeout", statementTimeout);
    checkTimeout("idleInTransactionTimeout", idleInTransactionTimeout);
  }

  /**
   * The value of the driver's {@code options} property for a connection to {@code schema}: {@code
   * -c search_path=... -c statement_timeout=... -c idle_in_transaction_session_timeout=...}.
   */
  public String startupOptions(String schema) {
    requireNonNull(schema, "schema");
    if (!schema.matches("[a-z0-9_]{1,63}")) {
      // Startup options are split on spaces and unquoted: only plain identifiers go in.
      throw new IllegalArgumentException(
          "schema \"" + schema + "\" (expected: 1-63 characters of [a-z0-9_])");
    }
    return "-c search_path="
        + schema
        + " -c statement_timeout="
        + millis(statementTimeout)
        + " -c idle_in_transaction_session_timeout="
        + millis(idleInTransactionTimeout);
  }

  private static long millis(Duration timeout) {
    long millis = timeout.toMillis();
    // A positive timeout below one millisecond must not turn into 0, which means "none".
    return millis == 0 && !timeout.isZero() ? 1 : millis;
  }

  private static void checkTimeout(String what, Duration timeout) {
    requireNonNull(timeout, what);
    if (timeout.isNegative() || timeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException(
          what
              + ": "
              + timeout
              + " (expected: zero for none, or up to "
              + Integer.MAX_VALUE
              + " ms)");
    }
  }
}
