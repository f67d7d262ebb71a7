package io.wruntime.engine.config;

import io.wruntime.engine.db.PostgresUrl;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The engine's PostgreSQL ({@code [database]} of {@code engine.toml}) for modules granted {@code
 * wruntime:db}. A module's own {@code [module.capabilities.db] url_file} overrides the server; the
 * pool settings apply to every module's pool.
 *
 * @param url the server, or null when none is configured (or it comes from {@code urlFile})
 * @param urlFile a file holding the URL (read when a module's pool opens), or null
 * @param maxConnections the size of each module's pool
 * @param statementTimeout how long one statement may run
 * @param idleInTransactionTimeout how long a transaction may sit idle before the server ends it
 * @param connectionTimeout how long a module waits for a connection of its pool
 */
public record DatabaseConfig(
    PostgresUrl url,
    Path urlFile,
    int maxConnections,
    Duration statementTimeout,
    Duration idleInTransactionTimeout,
    Duration connectionTimeout) {
  public static final int DEFAULT_MAX_CONNECTIONS = 20;
  public static final int DEFAULT_STATEMENT_TIMEOUT_SECS = 30;
  public static final int DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_SECS = 60;
  public static final int DEFAULT_CONNECTION_TIMEOUT_SECS = 5;

  public DatabaseConfig {
    if (url != null && urlFile != null) {
      throw new IllegalArgumentException("url and urlFile: both set (expected: one of them)");
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: >= 1)");
    }
  }

  /** No server; the default pool settings. */
  public static DatabaseConfig defaults() {
    return new DatabaseConfig(
        null,
        null,
        DEFAULT_MAX_CONNECTIONS,
        Duration.ofSeconds(DEFAULT_STATEMENT_TIMEOUT_SECS),
        Duration.ofSeconds(DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_SECS),
        Duration.ofSeconds(DEFAULT_CONNECTION_TIMEOUT_SECS));
  }

  /** True when {@code [database]} names a server (by {@code url} or {@code url_file}). */
  public boolean hasServer() {
    return url != null || urlFile != null;
  }

  @Override
  public String toString() {
    return "DatabaseConfig[url="
        + url
        + ", urlFile="
        + urlFile
        + ", maxConnections="
        + maxConnections
        + ", statementTimeout="
        + statementTimeout
        + ", idleInTransactionTimeout="
        + idleInTransactionTimeout
        + ", connectionTimeout="
        + connectionTimeout
        + "]";
  }
}
