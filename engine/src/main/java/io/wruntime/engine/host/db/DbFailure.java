package io.wruntime.engine.host.db;

import io.wruntime.engine.db.DbErrors;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/** A {@code wruntime:db} error for the guest: its case, message and SQLSTATE (query only). */
final class DbFailure extends Exception {
  /** The cases of the WIT {@code error} variant, in order. */
  enum Kind {
    CONNECTION,
    QUERY,
    INVALID_PARAMETER,
    LIMIT_EXCEEDED,
    CLOSED
  }

  private final Kind kind;
  private final String sqlstate;

  DbFailure(Kind kind, String message) {
    this(kind, message, null);
  }

  DbFailure(Kind kind, String message, String sqlstate) {
    super(message, null, false, false);
    this.kind = kind;
    this.sqlstate = sqlstate;
  }

  Kind kind() {
    return kind;
  }

  String sqlstate() {
    return sqlstate;
  }

  /**
   * A failure from JDBC: no pooled connection in time, or a lost connection (SQLSTATE class 08) is
   * {@code connection}; anything else is {@code query} with PostgreSQL's message and SQLSTATE.
   */
  static DbFailure of(SQLException e) {
    String state = e.getSQLState();
    if (e instanceof SQLTransientConnectionException) {
      return new DbFailure(
          Kind.CONNECTION,
          "no database connection within the pool's connection timeout ("
              + DbErrors.message(e)
              + "; expected: fewer concurrent transactions or a larger [database] max_connections)");
    }
    if (state != null && state.startsWith("08")) {
      return new DbFailure(Kind.CONNECTION, DbErrors.message(e));
    }
    return new DbFailure(Kind.QUERY, DbErrors.message(e), state);
  }
}
