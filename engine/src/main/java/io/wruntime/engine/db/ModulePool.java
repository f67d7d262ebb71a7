package io.wruntime.engine.db;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The connection pool of one module: every connection it gives works in the module's schema ({@code
 * search_path}) with the statement and idle-in-transaction timeouts set. Thread-safe.
 */
public final class ModulePool implements AutoCloseable {
  private final HikariDataSource dataSource;
  private final String schema;
  private final int queryTimeoutSecs;

  /**
   * @param statementTimeout {@code statement_timeout_secs}; the host cancels a statement itself one
   *     second after it (a module may {@code SET statement_timeout} in its own session, which would
   *     otherwise last on the pooled connection); zero: no timeout
   */
  ModulePool(HikariDataSource dataSource, String schema, Duration statementTimeout) {
    this.dataSource = requireNonNull(dataSource, "dataSource");
    this.schema = requireNonNull(schema, "schema");
    long millis = statementTimeout.toMillis();
    this.queryTimeoutSecs =
        millis == 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, (millis + 999) / 1000 + 1);
  }

  /**
   * The JDBC query timeout of every statement, in seconds ({@link
   * java.sql.Statement#setQueryTimeout}): the host's own bound, a second after {@code
   * statement_timeout}, which holds even when the module changed its session's setting; 0: none.
   */
  public int queryTimeoutSecs() {
    return queryTimeoutSecs;
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
