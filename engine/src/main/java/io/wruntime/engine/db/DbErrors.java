package io.wruntime.engine.db;

import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** PostgreSQL's description of a failure: its message and SQLSTATE. */
public final class DbErrors {
  private DbErrors() {}

  /** The server's message (without the driver's decorations) or the driver's. */
  public static String message(SQLException e) {
    if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
      ServerErrorMessage m = p.getServerErrorMessage();
      if (m.getMessage() != null) {
        return m.getMessage();
      }
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** {@code message (SQLSTATE xxxxx)}. */
  public static String describe(SQLException e) {
    String state = e.getSQLState();
    return message(e) + (state == null ? "" : " (SQLSTATE " + state + ")");
  }
}
