package io.wruntime.engine.host.db;

import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.host.db.DbFailure.Kind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The resources of {@code wruntime:db}: transactions and cursors, and what a request has open. */
final class DbResources {
  private static final Logger LOG = LoggerFactory.getLogger(DbResources.class);

  private DbResources() {}

  /** What one request has open, against its caps ({@code [limits] transactions, cursors}). */
  static final class Open {
    int transactions;
    int cursors;
  }

  /** {@code wruntime:db/database.transaction}: a pooled connection with autocommit off. */
  static final class Transaction implements WitResource {
    static final String WIT = "wruntime:db/database.transaction";

    private final Connection connection;
    private final Open open;
    private final List<Cursor> cursors = new ArrayList<>();
    private boolean finished;

    Transaction(Connection connection, Open open) {
      this.connection = connection;
      this.open = open;
      open.transactions++;
    }

    @Override
    public String witName() {
      return WIT;
    }

    /** The connection, while the transaction is open. */
    Connection connection() throws DbFailure {
      if (finished) {
        throw new DbFailure(
            Kind.CLOSED,
            "the transaction was already committed or rolled back (expected: a new transaction)");
      }
      return connection;
    }

    void track(Cursor cursor) {
      cursors.add(cursor);
    }

    void commit() throws DbFailure {
      Connection c = connection();
      closeCursors();
      try {
        c.commit();
      } catch (SQLException e) {
        finish(true);
        throw DbFailure.of(e);
      }
      finish(false);
    }

    void rollback() throws DbFailure {
      connection();
      closeCursors();
      finish(true);
    }

    /** Dropped or at the end of the request: rolled back unless it was finished. */
    @Override
    public void close() {
      if (!finished) {
        closeCursors();
        finish(true);
      }
    }

    private void closeCursors() {
      for (Cursor cursor : cursors) {
        cursor.close();
      }
      cursors.clear();
    }

    /** Ends the transaction (rolled back when asked) and returns the connection to the pool. */
    private void finish(boolean rollback) {
      finished = true;
      open.transactions--;
      try {
        if (rollback) {
          connection.rollback();
        }
        connection.setAutoCommit(true);
      } catch (SQLException e) {
        LOG.debug("ending a transaction failed: {}", e.toString());
      } finally {
        closeQuietly(connection);
      }
    }
  }

  /**
   * {@code wruntime:db/database.cursor}: a server-side portal fetched in batches, in its
   * transaction's connection or, outside of one, in a read-only transaction of its own.
   */
  static final class Cursor implements WitResource {
    static final String WIT = "wruntime:db/database.cursor";

    private final Connection owned;
    private final PreparedStatement statement;
    private final ResultSet rows;
    private final List<DbSession.Column> columns;
    private final Open open;
    private boolean closed;
    private boolean done;

    Cursor(Connection owned, PreparedStatement statement, ResultSet rows, Open open)
        throws SQLException {
      this.owned = owned;
      this.statement = statement;
      this.rows = rows;
      this.columns = DbSession.columns(rows);
      this.open = open;
      open.cursors++;
    }

    @Override
    public String witName() {
      return WIT;
    }

    List<DbSession.Column> columns() {
      return columns;
    }

    List<List<DbValue>> next(int max) throws DbFailure {
      if (closed) {
        throw new DbFailure(
            Kind.CLOSED,
            "the cursor's transaction was committed or rolled back (expected: next-batch before"
                + " the transaction ends)");
      }
      List<List<DbValue>> batch = new ArrayList<>();
      if (done) {
        return batch;
      }
      try {
        rows.setFetchSize(max);
        while (batch.size() < max && rows.next()) {
          batch.add(DbSession.row(rows, columns));
        }
      } catch (SQLException e) {
        throw DbFailure.of(e);
      }
      if (batch.size() < max) {
        done = true;
      }
      return batch;
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      open.cursors--;
      try {
        rows.close();
        statement.close();
      } catch (SQLException e) {
        LOG.debug("closing a cursor failed: {}", e.toString());
      }
      if (owned != null) {
        try {
          owned.rollback();
          owned.setReadOnly(false);
          owned.setAutoCommit(true);
        } catch (SQLException e) {
          LOG.debug("ending a cursor's transaction failed: {}", e.toString());
        } finally {
          closeQuietly(owned);
        }
      }
    }
  }

  static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      LOG.debug("returning a connection failed: {}", e.toString());
    }
  }
}
