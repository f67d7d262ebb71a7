package io.wruntime.engine.db;

/**
 * A module's database could not be prepared: its role, schema or a migration. The message names
 * what failed (the role, the schema, the migration file) and PostgreSQL's message; it never carries
 * a password.
 */
public final class DbProvisioningException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DbProvisioningException(String message) {
    super(message);
  }

  public DbProvisioningException(String message, Throwable cause) {
    super(message, cause);
  }
}
