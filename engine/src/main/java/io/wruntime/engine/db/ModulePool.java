package io.wruntime.engine.db;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The connection pool of one module: every connection it gives works in the module's schema ({@code
 * search_path}) with the statement and idle-in-transaction timeouts set. Thread-safe.
 */
public final class ModulePool implements AutoCloseable {
  private final HikariDataSource dataSource;
  private final String schema;

  ModulePool(HikariDataSource dataSource, String schema) {
    this.dataSource = requireNonNull(dataSource, "dataSource");
    this.schema = requireNonNull(schema, "schema");
  }

  /**
   * A connection, waiting at most the pool's connection timeout; closing it returns it to the pool.
   *
   * @throws SQLException when none is free in time ({@link
   *     java.sql.SQLTransientConnectionException}) or the server cannot be reached
   */
  public Connection connection() throws SQLException {
    return dataSource.getConnection();
  }

  /** The schema the module works in. */
  public String schema() {
    return schema;
  }

  /** The most connections the pool opens. */
  public int maxConnections() {
    return dataSource.getMaximumPoolSize();
  }

  /** Connections handed out now. */
  public int activeConnections() {
    return dataSource.getHikariPoolMXBean().getActiveConnections();
  }

  /** Connections open to the server now (in use or idle). */
  public int totalConnections() {
    return dataSource.getHikariPoolMXBean().getTotalConnections();
  }

  /** Closes every connection; connections in use close when returned. */
  @Override
  public void close() {
    dataSource.close();
  }
}
