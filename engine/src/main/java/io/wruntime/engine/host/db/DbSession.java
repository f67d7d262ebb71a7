package io.wruntime.engine.host.db;

import io.wruntime.engine.host.db.DbFailure.Kind;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.postgresql.util.PGInterval;
import org.postgresql.util.PGobject;

/**
 * Statements on a JDBC connection with {@code wruntime:db} values: parameters are converted
 * strictly to the types the server infers for them (asked with {@link
 * PreparedStatement#getParameterMetaData()}, one round trip), rows come back as values by the
 * column's PostgreSQL type.
 */
final class DbSession {
  private static final Set<String> TEXT_TYPES = Set.of("text", "varchar", "bpchar", "name", "char");
  private static final long MICROS_PER_DAY = 86_400_000_000L;

  /** A column of a result. */
  record Column(String name, String typeName) {}

  /** The rows of a query. */
  record Result(List<Column> columns, List<List<DbValue>> rows) {}

  private DbSession() {}

  /**
   * Prepares {@code sql} with {@code params} bound: its {@code $n} become the driver's markers (see
   * {@link SqlParams}), and each value is converted to the type the server infers there.
   */
  static PreparedStatement prepare(Connection c, String sql, List<DbValue> params, int timeoutSecs)
      throws SQLException, DbFailure {
    SqlParams numbered = SqlParams.of(sql);
    int highest = numbered.highest();
    if (highest > params.size()) {
      throw new DbFailure(
          Kind.INVALID_PARAMETER,
          "the statement uses $"
              + highest
              + ", but "
              + params.size()
              + " parameters were given (expected: one value for each of $1 to $"
              + highest
              + ")");
    }
    int unused = numbered.firstUnused(params.size());
    if (unused > 0) {
      throw new DbFailure(
          Kind.INVALID_PARAMETER,
          "parameter $"
              + unused
              + " is given, but the statement does not use it (expected: "
              + (highest == 0 ? "no parameters" : "one value for each of $1 to $" + highest)
              + ")");
    }
    PreparedStatement ps = c.prepareStatement(numbered.sql());
    try {
      ps.setQueryTimeout(timeoutSecs);
      int[] positions = numbered.positions();
      if (positions.length > 0) {
        ParameterMetaData md = ps.getParameterMetaData();
        for (int j = 1; j <= positions.length; j++) {
          int n = positions[j - 1];
          bind(c, ps, j, n, md.getParameterTypeName(j), md.getParameterType(j), params.get(n - 1));
        }
      }
      return ps;
    } catch (SQLException | DbFailure | RuntimeException e) {
      ps.close();
      throw e;
    }
  }

  /** Runs a statement; its rows, or none when it returns none (of several, the first rows). */
  static Result query(Connection c, String sql, List<DbValue> params, int timeoutSecs)
      throws SQLException, DbFailure {
    try (PreparedStatement ps = prepare(c, sql, params, timeoutSecs)) {
      // Several statements: the rows of the first that returns rows.
      boolean hasRows = ps.execute();
      while (!hasRows && ps.getUpdateCount() != -1) {
        hasRows = ps.getMoreResults();
      }
      if (!hasRows) {
        return new Result(List.of(), List.of());
      }
      try (ResultSet rs = ps.getResultSet()) {
        List<Column> columns = columns(rs);
        List<List<DbValue>> rows = new ArrayList<>();
        while (rs.next()) {
          rows.add(row(rs, columns));
        }
        return new Result(columns, rows);
      }
    }
  }

  /** Runs a statement; the number of rows it changed (0 for one returning rows). */
  static long execute(Connection c, String sql, List<DbValue> params, int timeoutSecs)
      throws SQLException, DbFailure {
    try (PreparedStatement ps = prepare(c, sql, params, timeoutSecs)) {
      if (ps.execute()) {
        return 0;
      }
      return Math.max(0, ps.getLargeUpdateCount());
    }
  }

  static List<Column> columns(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    List<Column> columns = new ArrayList<>(md.getColumnCount());
    for (int i = 1; i <= md.getColumnCount(); i++) {
      columns.add(new Column(md.getColumnLabel(i), typeName(md.getColumnTypeName(i))));
    }
    return columns;
  }

  /**
   * The PostgreSQL type name of a column: the driver names a column with a sequence default or an
   * identity {@code serial}, {@code bigserial} or {@code smallserial}, which are not types.
   */
  static String typeName(String driverName) {
    return switch (driverName) {
      case "serial" -> "int4";
      case "bigserial" -> "int8";
      case "smallserial" -> "int2";
      default -> driverName;
    };
  }

  static List<DbValue> row(ResultSet rs, List<Column> columns) throws SQLException {
    List<DbValue> row = new ArrayList<>(columns.size());
    for (int i = 0; i < columns.size(); i++) {
      row.add(read(rs, i + 1, columns.get(i).typeName()));
    }
    return row;
  }

  // ---- reading -----------------------------------------------------------------------------

  /**
   * The value of column {@code i}; types without a value kind come as their text. A date or time
   * the value kind cannot hold ({@code infinity}, beyond the microseconds of an s64) is a {@code
   * 22008} error.
   */
  private static DbValue read(ResultSet rs, int i, String type) throws SQLException {
    try {
      return readValue(rs, i, type);
    } catch (ArithmeticException | java.time.DateTimeException e) {
      throw new SQLException(
          "a "
              + type
              + " value of column "
              + i
              + " cannot be represented (expected: a finite value within the range of"
              + " microseconds or days the WIT value holds)",
          "22008",
          e);
    }
  }

  private static DbValue readValue(ResultSet rs, int i, String type) throws SQLException {
    if (type.startsWith("_")) {
      Array array = rs.getArray(i);
      if (array == null) {
        return DbValue.NULL_VALUE;
      }
      String elementType = type.substring(1);
      int kind = kindOf(elementType);
      if (kind < 0 || DbValue.arrayCase(kind) < 0) {
        return new DbValue(DbValue.TEXT, rs.getString(i));
      }
      List<Object> elements = new ArrayList<>();
      try (ResultSet ers = array.getResultSet()) {
        while (ers.next()) {
          DbValue e = read(ers, 2, elementType);
          elements.add(e.v());
        }
      } finally {
        array.free();
      }
      return new DbValue(DbValue.ARRAY, new DbValue.Array(kind, elements.toArray()));
    }
    int kind = kindOf(type);
    Object v =
        switch (kind) {
          case DbValue.BOOLEAN -> nullable(rs, rs.getBoolean(i));
          case DbValue.INT2 -> nullable(rs, rs.getShort(i));
          case DbValue.INT4 -> nullable(rs, rs.getInt(i));
          case DbValue.INT8 -> nullable(rs, rs.getLong(i));
          case DbValue.FLOAT4 -> nullable(rs, rs.getFloat(i));
          case DbValue.FLOAT8 -> nullable(rs, rs.getDouble(i));
          case DbValue.BYTEA -> rs.getBytes(i);
          case DbValue.TIMESTAMPTZ -> {
            OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
            yield t == null ? null : micros(t.toInstant());
          }
          case DbValue.TIMESTAMP -> {
            LocalDateTime t = rs.getObject(i, LocalDateTime.class);
            yield t == null ? null : micros(t.toInstant(ZoneOffset.UTC));
          }
          case DbValue.DATE -> {
            LocalDate d = rs.getObject(i, LocalDate.class);
            yield d == null ? null : Math.toIntExact(d.toEpochDay());
          }
          case DbValue.TIME -> {
            LocalTime t = rs.getObject(i, LocalTime.class);
            yield t == null ? null : t.toNanoOfDay() / 1000;
          }
          case DbValue.INTERVAL -> {
            Object o = rs.getObject(i);
            yield o == null ? null : interval((PGInterval) o);
          }
          case DbValue.OID -> nullable(rs, rs.getLong(i));
          default -> rs.getString(i); // text, numeric, uuid, jsonb, and other types as text
        };
    if (v == null) {
      return DbValue.NULL_VALUE;
    }
    return new DbValue(kind < 0 ? DbValue.TEXT : kind, v);
  }

  private static Object nullable(ResultSet rs, Object v) throws SQLException {
    return rs.wasNull() ? null : v;
  }

  private static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
  }

  private static DbValue.Interval interval(PGInterval i) {
    long micros =
        i.getHours() * 3_600_000_000L
            + i.getMinutes() * 60_000_000L
            + i.getWholeSeconds() * 1_000_000L
            + i.getMicroSeconds();
    return new DbValue.Interval(i.getYears() * 12 + i.getMonths(), i.getDays(), micros);
  }

  /** The value kind of a PostgreSQL type name, or -1 (read as text). */
  static int kindOf(String type) {
    if (TEXT_TYPES.contains(type)) {
      return DbValue.TEXT;
    }
    return switch (type) {
      case "bool" -> DbValue.BOOLEAN;
      case "int2" -> DbValue.INT2;
      case "int4" -> DbValue.INT4;
      case "int8" -> DbValue.INT8;
      case "float4" -> DbValue.FLOAT4;
      case "float8" -> DbValue.FLOAT8;
      case "bytea" -> DbValue.BYTEA;
      case "timestamptz" -> DbValue.TIMESTAMPTZ;
      case "timestamp" -> DbValue.TIMESTAMP;
      case "date" -> DbValue.DATE;
      case "time" -> DbValue.TIME;
      case "interval" -> DbValue.INTERVAL;
      case "numeric" -> DbValue.NUMERIC;
      case "uuid" -> DbValue.UUID;
      case "jsonb", "json" -> DbValue.JSONB;
      case "oid" -> DbValue.OID;
      default -> -1;
    };
  }

  // ---- binding -----------------------------------------------------------------------------

  /** Whether a value of {@code kind} may be a parameter of PostgreSQL type {@code type}. */
  private static boolean fits(int kind, String type) {
    int target = kindOf(type);
    return switch (kind) {
      case DbValue.INT2 -> target == DbValue.INT2 || target == DbValue.INT4 || fitsInt8(target);
      case DbValue.INT4 -> target == DbValue.INT4 || fitsInt8(target);
      case DbValue.INT8 -> fitsInt8(target);
      case DbValue.FLOAT4 -> target == DbValue.FLOAT4 || target == DbValue.FLOAT8;
      default -> target == kind;
    };
  }

  private static boolean fitsInt8(int target) {
    return target == DbValue.INT8 || target == DbValue.NUMERIC;
  }

  /** Binds {@code value}, the statement's {@code $n}, to the driver's parameter {@code j}. */
  private static void bind(
      Connection c, PreparedStatement ps, int j, int i, String type, int sqlType, DbValue value)
      throws SQLException, DbFailure {
    if (value.kind() == DbValue.NULL) {
      ps.setNull(j, sqlType);
      return;
    }
    if (value.kind() == DbValue.ARRAY) {
      DbValue.Array array = (DbValue.Array) value.v();
      if (!type.startsWith("_") || !fits(array.elementKind(), type.substring(1))) {
        throw mismatch(i, value, type);
      }
      String elementType = type.substring(1);
      Object[] converted = newArray(elementType, array.elements().length);
      for (int e = 0; e < converted.length; e++) {
        Object v = array.elements()[e];
        converted[e] =
            v == null ? null : arrayElement(i, e, new DbValue(array.elementKind(), v), elementType);
      }
      ps.setArray(j, c.createArrayOf(elementType, converted));
      return;
    }
    if (!fits(value.kind(), type)) {
      throw mismatch(i, value, type);
    }
    Object v = value.v();
    switch (kindOf(type)) {
      case DbValue.BOOLEAN -> ps.setBoolean(j, (Boolean) v);
      case DbValue.INT2 -> ps.setShort(j, (Short) v);
      case DbValue.INT4 -> ps.setInt(j, ((Number) v).intValue());
      case DbValue.INT8 -> ps.setLong(j, ((Number) v).longValue());
      case DbValue.FLOAT4 -> ps.setFloat(j, (Float) v);
      case DbValue.FLOAT8 -> ps.setDouble(j, ((Number) v).doubleValue());
      case DbValue.TEXT -> ps.setString(j, (String) v);
      case DbValue.BYTEA -> ps.setBytes(j, (byte[]) v);
      case DbValue.TIMESTAMPTZ -> ps.setObject(j, instant((Long) v).atOffset(ZoneOffset.UTC));
      case DbValue.TIMESTAMP ->
          ps.setObject(j, LocalDateTime.ofInstant(instant((Long) v), ZoneOffset.UTC));
      case DbValue.DATE -> ps.setObject(j, LocalDate.ofEpochDay((Integer) v));
      case DbValue.TIME -> ps.setObject(j, time(i, (Long) v));
      case DbValue.INTERVAL ->
          ps.setObject(j, pgObject("interval", intervalText((DbValue.Interval) v)));
      case DbValue.NUMERIC -> ps.setBigDecimal(j, decimal(i, value));
      case DbValue.UUID -> ps.setObject(j, uuid(i, (String) v));
      case DbValue.JSONB -> ps.setObject(j, pgObject(type, (String) v));
      case DbValue.OID -> ps.setObject(j, pgObject("oid", Long.toString((Long) v)));
      default -> throw mismatch(i, value, type);
    }
  }

  /** An array for createArrayOf of elements of {@code type}, typed as the driver needs. */
  private static Object[] newArray(String type, int length) {
    return switch (kindOf(type)) {
      case DbValue.BOOLEAN -> new Boolean[length];
      case DbValue.INT2 -> new Short[length];
      case DbValue.INT4 -> new Integer[length];
      case DbValue.INT8 -> new Long[length];
      case DbValue.FLOAT4 -> new Float[length];
      case DbValue.FLOAT8 -> new Double[length];
      case DbValue.BYTEA -> new byte[length][];
      default -> new String[length];
    };
  }

  /** An array element as createArrayOf takes it: boxed numbers, byte[], or text. */
  private static Object arrayElement(int param, int index, DbValue e, String type)
      throws DbFailure {
    Object v = e.v();
    return switch (kindOf(type)) {
      case DbValue.INT2 -> (Short) v;
      case DbValue.INT4 -> ((Number) v).intValue();
      case DbValue.INT8 -> ((Number) v).longValue();
      case DbValue.FLOAT8 -> ((Number) v).doubleValue();
      case DbValue.NUMERIC -> decimal(param, e).toPlainString();
      case DbValue.TIMESTAMPTZ -> instant((Long) v).toString();
      case DbValue.TIMESTAMP ->
          LocalDateTime.ofInstant(instant((Long) v), ZoneOffset.UTC).toString();
      case DbValue.DATE -> LocalDate.ofEpochDay((Integer) v).toString();
      case DbValue.TIME -> time(param, (Long) v).toString();
      case DbValue.UUID -> uuid(param, (String) v).toString();
      default -> v; // Boolean, Float, String (text, jsonb), byte[]
    };
  }

  private static DbFailure mismatch(int i, DbValue value, String type) {
    return new DbFailure(
        Kind.INVALID_PARAMETER,
        "parameter $"
            + i
            + " is a "
            + value.describe()
            + " value, but the statement expects "
            + type
            + " (expected: a value of that type, or a cast such as $"
            + i
            + "::"
            + (value.kind() == DbValue.ARRAY ? "int4[]" : pgName(value.kind()))
            + " in the SQL)");
  }

  private static String pgName(int kind) {
    return switch (kind) {
      case DbValue.BOOLEAN -> "bool";
      case DbValue.JSONB -> "jsonb";
      default -> DbValue.NAMES[kind];
    };
  }

  private static Instant instant(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
  }

  private static LocalTime time(int i, long micros) throws DbFailure {
    if (micros < 0 || micros >= MICROS_PER_DAY) {
      throw new DbFailure(
          Kind.INVALID_PARAMETER,
          "parameter $"
              + i
              + " is a time of "
              + micros
              + " microseconds (expected: 0 to 86399999999, microseconds since midnight)");
    }
    return LocalTime.ofNanoOfDay(micros * 1000);
  }

  private static BigDecimal decimal(int i, DbValue value) throws DbFailure {
    Object v = value.v();
    if (v instanceof Number n) {
      return BigDecimal.valueOf(n.longValue());
    }
    try {
      return new BigDecimal((String) v);
    } catch (NumberFormatException e) {
      throw new DbFailure(
          Kind.INVALID_PARAMETER,
          "parameter $"
              + i
              + " is the numeric \""
              + v
              + "\", which is not a decimal number (expected: e.g. \"12.50\" or \"-3\")");
    }
  }

  private static UUID uuid(int i, String text) throws DbFailure {
    try {
      if (text.length() == 36) {
        return UUID.fromString(text);
      }
    } catch (IllegalArgumentException e) {
      // fall through
    }
    throw new DbFailure(
        Kind.INVALID_PARAMETER,
        "parameter $"
            + i
            + " is the uuid \""
            + text
            + "\", which is not a UUID (expected: 8-4-4-4-12 hex digits)");
  }

  private static String intervalText(DbValue.Interval v) {
    return v.months() + " mons " + v.days() + " days " + v.micros() + " microseconds";
  }

  private static PGobject pgObject(String type, String value) throws SQLException {
    PGobject o = new PGobject();
    o.setType(type);
    o.setValue(value);
    return o;
  }
}
