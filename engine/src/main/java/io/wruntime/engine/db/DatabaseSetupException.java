package io.wruntime.engine.db;

/**
 * A module's database cannot be prepared: the server cannot be reached, the login is refused, the
 * schema cannot be created or a migration fails. The message says which, without secrets.
 */
public final class DatabaseSetupException extends Exception {
  public DatabaseSetupException(String message) {
    super(message);
  }

  public DatabaseSetupException(String message, Throwable cause) {
    super(message, cause);
  }
}
