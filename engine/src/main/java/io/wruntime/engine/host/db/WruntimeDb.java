package io.wruntime.engine.host.db;

import com.dylibso.chicory.wasm.types.ValType;
import io.wruntime.engine.db.ModulePool;
import io.wruntime.engine.host.abi.GuestMemory;
import io.wruntime.engine.host.abi.HostFunctionDef;
import io.wruntime.engine.host.abi.InstanceContext;
import io.wruntime.engine.host.db.DbFailure.Kind;
import io.wruntime.engine.host.db.DbResources.Cursor;
import io.wruntime.engine.host.db.DbResources.Open;
import io.wruntime.engine.host.db.DbResources.Transaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.List;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * {@code wruntime:db/database@0.1.x} (wit/db/database.wit), lowered onto core modules by the
 * Canonical ABI (layouts in {@link DbAbi}). Statements take {@code (sql ptr, len, params ptr, len)}
 * (methods the transaction handle first) and a return area:
 *
 * <ul>
 *   <li>{@code query}: {@code result<query-result, error>}, 28 bytes align 4: u8 case at 0; ok: the
 *       columns list at 4, the rows list at 12; err: the error at 4.
 *   <li>{@code execute}: {@code result<u64, error>}, 32 bytes align 8: the u64 or the error at 8.
 *   <li>{@code query-stream}, {@code begin-transaction}, {@code next-batch}, {@code commit}, {@code
 *       rollback}: 28 bytes align 4: the handle, the rows list or nothing, or the error at 4.
 *   <li>{@code [method]cursor.columns}: the list (ptr, len) at the return pointer.
 * </ul>
 *
 * <p>JDBC blocks the guest's thread; statements are bounded by the pool's statement timeout.
 */
public final class WruntimeDb {
  static final String IFACE = "wruntime:db/database";
  static final int MAX_BATCH = 10_000;

  private static final long[] NONE = null;

  private WruntimeDb() {}

  /** Every function of the interface. */
  public static List<HostFunctionDef> functions() {
    List<ValType> stmt = Collections.nCopies(5, ValType.I32);
    List<ValType> method = Collections.nCopies(6, ValType.I32);
    List<ValType> two = List.of(ValType.I32, ValType.I32);
    List<ValType> one = List.of(ValType.I32);
    return List.of(
        def("query", stmt, (ctx, a) -> query(ctx, null, a, 0)),
        def("execute", stmt, (ctx, a) -> execute(ctx, null, a, 0)),
        def("query-stream", stmt, (ctx, a) -> queryStream(ctx, null, a, 0)),
        def("begin-transaction", one, WruntimeDb::begin),
        def("[method]cursor.columns", two, WruntimeDb::columns),
        def(
            "[method]cursor.next-batch",
            List.of(ValType.I32, ValType.I32, ValType.I32),
            WruntimeDb::nextBatch),
        def("[method]transaction.query", method, (ctx, a) -> query(ctx, tx(ctx, a[0]), a, 1)),
        def("[method]transaction.execute", method, (ctx, a) -> execute(ctx, tx(ctx, a[0]), a, 1)),
        def(
            "[method]transaction.query-stream",
            method,
            (ctx, a) -> queryStream(ctx, tx(ctx, a[0]), a, 1)),
        def("[method]transaction.commit", two, (ctx, a) -> finish(ctx, a, true)),
        def("[method]transaction.rollback", two, (ctx, a) -> finish(ctx, a, false)),
        def(
            "[resource-drop]cursor",
            one,
            (ctx, a) -> {
              ctx.resources().remove(a[0], Cursor.class, Cursor.WIT).close();
              return NONE;
            }),
        def(
            "[resource-drop]transaction",
            one,
            (ctx, a) -> {
              ctx.resources().remove(a[0], Transaction.class, Transaction.WIT).close();
              return NONE;
            }));
  }

  private static HostFunctionDef def(String name, List<ValType> params, HostFunctionDef.Impl impl) {
    return new HostFunctionDef(IFACE, name, params, List.of(), impl);
  }

  private static Transaction tx(InstanceContext ctx, long handle) {
    return ctx.resources().get(handle, Transaction.class, Transaction.WIT);
  }

  private static Open open(InstanceContext ctx) {
    return ctx.state(Open.class, Open::new);
  }

  private static ModulePool pool(InstanceContext ctx) throws DbFailure {
    ModulePool pool = ctx.module().grants().db();
    if (pool == null) {
      throw new DbFailure(
          Kind.CONNECTION,
          "this engine has no database for the module (expected: [module.capabilities.db] and a"
              + " database the engine could open)");
    }
    return pool;
  }

  /** A statement on a pooled connection of its own. */
  private interface Statement<T> {
    T run(Connection c) throws SQLException, DbFailure;
  }

  /**
   * Runs a statement outside of a transaction on a pooled connection. A statement that leaves a
   * transaction open on it ({@code BEGIN}) is rolled back before the connection goes back to the
   * pool, and fails: transactions are {@code begin-transaction}'s.
   */
  private static <T> T standalone(InstanceContext ctx, Statement<T> statement)
      throws SQLException, DbFailure {
    try (Connection c = pool(ctx).connection()) {
      T result;
      try {
        result = statement.run(c);
      } catch (SQLException | DbFailure | RuntimeException e) {
        endStrayTransaction(c);
        throw e;
      }
      if (endStrayTransaction(c)) {
        throw new DbFailure(
            Kind.QUERY,
            "the statement left a transaction open; it was rolled back (expected: BEGIN, COMMIT"
                + " and ROLLBACK through begin-transaction, commit and rollback)",
            "25000");
      }
      return result;
    }
  }

  /** Rolls back a transaction a statement left open on {@code c}; whether there was one. */
  private static boolean endStrayTransaction(Connection c) {
    try {
      if (c.unwrap(BaseConnection.class).getTransactionState() == TransactionState.IDLE) {
        return false;
      }
      try (java.sql.Statement s = c.createStatement()) {
        s.execute("ROLLBACK");
      }
    } catch (SQLException e) {
      // The connection is broken: the pool checks it before handing it out again.
    }
    return true;
  }

  /** The host's own bound on a statement of this module ({@link ModulePool#queryTimeoutSecs}). */
  private static int timeout(InstanceContext ctx) throws DbFailure {
    return pool(ctx).queryTimeoutSecs();
  }

  private static String sql(GuestMemory m, long[] a, int at) {
    return m.readString("sql", a[at], a[at + 1]);
  }

  private static long[] query(InstanceContext ctx, Transaction tx, long[] a, int at) {
    GuestMemory m = ctx.memory();
    long ret = a[at + 4];
    m.checkAligned("return area", ret, 4, 28);
    String sql = sql(m, a, at);
    List<DbValue> params = DbAbi.params(m, a[at + 2], a[at + 3]);
    DbSession.Result result;
    try {
      if (tx != null) {
        result = DbSession.query(tx.connection(), sql, params, timeout(ctx));
      } else {
        result = standalone(ctx, c -> DbSession.query(c, sql, params, timeout(ctx)));
      }
    } catch (DbFailure f) {
      writeError(m, ret, 4, f);
      return NONE;
    } catch (SQLException e) {
      writeError(m, ret, 4, DbFailure.of(e));
      return NONE;
    }
    DbAbi.writeColumns(m, ret + 4, result.columns());
    DbAbi.writeRows(m, ret + 12, result.rows());
    m.writeU8("result", ret, 0);
    return NONE;
  }

  private static long[] execute(InstanceContext ctx, Transaction tx, long[] a, int at) {
    GuestMemory m = ctx.memory();
    long ret = a[at + 4];
    m.checkAligned("return area", ret, 8, 32);
    String sql = sql(m, a, at);
    List<DbValue> params = DbAbi.params(m, a[at + 2], a[at + 3]);
    long changed;
    try {
      if (tx != null) {
        changed = DbSession.execute(tx.connection(), sql, params, timeout(ctx));
      } else {
        changed = standalone(ctx, c -> DbSession.execute(c, sql, params, timeout(ctx)));
      }
    } catch (DbFailure f) {
      writeError(m, ret, 8, f);
      return NONE;
    } catch (SQLException e) {
      writeError(m, ret, 8, DbFailure.of(e));
      return NONE;
    }
    m.writeU8("result", ret, 0);
    m.writeI64("rows changed", ret + 8, changed);
    return NONE;
  }

  private static long[] queryStream(InstanceContext ctx, Transaction tx, long[] a, int at) {
    GuestMemory m = ctx.memory();
    long ret = a[at + 4];
    m.checkAligned("return area", ret, 4, 28);
    String sql = sql(m, a, at);
    List<DbValue> params = DbAbi.params(m, a[at + 2], a[at + 3]);
    Open open = open(ctx);
    int max = ctx.module().grants().maxCursors();
    Cursor cursor;
    try {
      if (open.cursors >= max) {
        throw limit(open.cursors, "cursors", max, "drop a cursor to open another");
      }
      cursor =
          tx != null
              ? cursor(tx.connection(), null, sql, params, open, timeout(ctx))
              : ownCursor(ctx, sql, params, open);
      if (tx != null) {
        tx.track(cursor);
      }
    } catch (DbFailure f) {
      writeError(m, ret, 4, f);
      return NONE;
    }
    int handle = ctx.resources().add(cursor);
    m.writeU8("result", ret, 0);
    m.writeI32("cursor", ret + 4, handle);
    return NONE;
  }

  /** A cursor outside of a transaction: in a read-only transaction of its own connection. */
  private static Cursor ownCursor(InstanceContext ctx, String sql, List<DbValue> params, Open open)
      throws DbFailure {
    Connection c;
    try {
      c = pool(ctx).connection();
    } catch (SQLException e) {
      throw DbFailure.of(e);
    }
    try {
      c.setAutoCommit(false);
      c.setReadOnly(true);
    } catch (SQLException e) {
      DbResources.closeQuietly(c);
      throw DbFailure.of(e);
    }
    try {
      return cursor(c, c, sql, params, open, timeout(ctx));
    } catch (DbFailure e) {
      try {
        c.rollback();
        c.setReadOnly(false);
        c.setAutoCommit(true);
      } catch (SQLException ignored) {
        // the pool resets or evicts it
      }
      DbResources.closeQuietly(c);
      throw e;
    }
  }

  private static Cursor cursor(
      Connection c, Connection owned, String sql, List<DbValue> params, Open open, int timeoutSecs)
      throws DbFailure {
    PreparedStatement ps = null;
    try {
      ps = DbSession.prepare(c, sql, params, timeoutSecs);
      ps.setFetchSize(100);
      ResultSet rs = ps.executeQuery();
      return new Cursor(owned, ps, rs, open);
    } catch (SQLException e) {
      closeQuietly(ps);
      throw DbFailure.of(e);
    } catch (DbFailure e) {
      closeQuietly(ps);
      throw e;
    }
  }

  private static void closeQuietly(PreparedStatement ps) {
    if (ps != null) {
      try {
        ps.close();
      } catch (SQLException ignored) {
        // already failing
      }
    }
  }

  private static long[] begin(InstanceContext ctx, long[] a) {
    GuestMemory m = ctx.memory();
    long ret = a[0];
    m.checkAligned("return area", ret, 4, 28);
    Open open = open(ctx);
    int max = ctx.module().grants().maxTransactions();
    Transaction tx;
    try {
      if (open.transactions >= max) {
        throw limit(
            open.transactions,
            "transactions",
            max,
            "commit, roll back or drop one to begin another");
      }
      Connection c;
      try {
        c = pool(ctx).connection();
      } catch (SQLException e) {
        throw DbFailure.of(e);
      }
      try {
        c.setAutoCommit(false);
      } catch (SQLException e) {
        DbResources.closeQuietly(c);
        throw DbFailure.of(e);
      }
      tx = new Transaction(c, open);
    } catch (DbFailure f) {
      writeError(m, ret, 4, f);
      return NONE;
    }
    int handle = ctx.resources().add(tx);
    m.writeU8("result", ret, 0);
    m.writeI32("transaction", ret + 4, handle);
    return NONE;
  }

  private static long[] columns(InstanceContext ctx, long[] a) {
    Cursor cursor = ctx.resources().get(a[0], Cursor.class, Cursor.WIT);
    GuestMemory m = ctx.memory();
    m.checkAligned("return area", a[1], 4, 8);
    DbAbi.writeColumns(m, a[1], cursor.columns());
    return NONE;
  }

  private static long[] nextBatch(InstanceContext ctx, long[] a) {
    Cursor cursor = ctx.resources().get(a[0], Cursor.class, Cursor.WIT);
    GuestMemory m = ctx.memory();
    long ret = a[2];
    m.checkAligned("return area", ret, 4, 28);
    long max = a[1] & 0xFFFF_FFFFL;
    List<List<DbValue>> rows;
    try {
      if (max < 1 || max > MAX_BATCH) {
        throw new DbFailure(
            Kind.INVALID_PARAMETER, "max-rows " + max + " (expected: 1 to " + MAX_BATCH + ")");
      }
      rows = cursor.next((int) max);
    } catch (DbFailure f) {
      writeError(m, ret, 4, f);
      return NONE;
    }
    DbAbi.writeRows(m, ret + 4, rows);
    m.writeU8("result", ret, 0);
    return NONE;
  }

  private static long[] finish(InstanceContext ctx, long[] a, boolean commit) {
    Transaction tx = tx(ctx, a[0]);
    GuestMemory m = ctx.memory();
    long ret = a[1];
    m.checkAligned("return area", ret, 4, 28);
    try {
      if (commit) {
        tx.commit();
      } else {
        tx.rollback();
      }
    } catch (DbFailure f) {
      writeError(m, ret, 4, f);
      return NONE;
    }
    m.writeU8("result", ret, 0);
    return NONE;
  }

  private static DbFailure limit(int open, String what, int max, String hint) {
    return new DbFailure(
        Kind.LIMIT_EXCEEDED,
        "this request already has "
            + open
            + " "
            + what
            + " open (expected: at most [limits] "
            + what
            + " = "
            + max
            + " per request; "
            + hint
            + ")");
  }

  private static void writeError(GuestMemory m, long ret, int at, DbFailure f) {
    m.writeU8("result", ret, 1);
    DbAbi.writeError(m, ret + at, f);
  }
}
