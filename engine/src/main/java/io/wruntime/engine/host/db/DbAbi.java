package io.wruntime.engine.host.db;

import io.wruntime.engine.host.abi.AbiViolation;
import io.wruntime.engine.host.abi.GuestMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * The Canonical ABI layouts of {@code wruntime:db/database} (wasm32):
 *
 * <ul>
 *   <li>{@code value}: 24 bytes, align 8: u8 case at 0, payload at 8 (bool u8; s16; s32; s64; f32;
 *       f64; strings and bytea as (ptr, len); interval as months s32 at 8, days s32 at 12,
 *       microseconds s64 at 16; oid u32; array-value as u8 case at 8 and its list at 12).
 *   <li>array elements, {@code option<T>}: bool 2 bytes (value at 1); s16 4 (at 2); s32, f32 8 (at
 *       4); s64, f64 16 (at 8); strings and bytea 12 (at 4); the option's u8 case at 0.
 *   <li>{@code column}: 16 bytes, name and type-name strings; {@code row}: a list of values, 8.
 *   <li>{@code error}: 24 bytes, align 4: u8 case at 0, a string at 4, or query-error's message at
 *       4, its sqlstate option's u8 case at 12 and string at 16.
 * </ul>
 */
final class DbAbi {
  static final int VALUE_SIZE = 24;
  static final int COLUMN_SIZE = 16;

  /**
   * The most bytes of text and bytea one statement's parameters may carry, counted per value (so
   * that values pointing at the same memory many times cannot make the host copy it over and over).
   */
  static final long MAX_PARAM_BYTES = 64L * 1024 * 1024;

  /** The most values (parameters and array elements) one statement may carry. */
  static final long MAX_PARAM_VALUES = 1_000_000;

  /** What the parameters of one statement read so far. */
  private static final class Budget {
    long bytes;
    long values;

    void values(long n) {
      values += n;
      if (values > MAX_PARAM_VALUES) {
        throw new AbiViolation(
            "params: more than "
                + MAX_PARAM_VALUES
                + " values and array elements (expected: at most that many per statement)");
      }
    }

    void bytes(long n) {
      bytes += n;
      if (bytes > MAX_PARAM_BYTES) {
        throw new AbiViolation(
            "params: more than "
                + MAX_PARAM_BYTES
                + " bytes of text and bytea (expected: at most 64 MiB per statement)");
      }
    }
  }

  private DbAbi() {}

  /** Reads a {@code list<value>} of parameters. */
  static List<DbValue> params(GuestMemory m, long ptr, long count) {
    long n = count & 0xFFFF_FFFFL;
    long base = list(m, "params", ptr, n, VALUE_SIZE, 8);
    Budget budget = new Budget();
    budget.values(n);
    List<DbValue> out = new ArrayList<>((int) n);
    for (long i = 0; i < n; i++) {
      out.add(value(m, base + i * VALUE_SIZE, budget));
    }
    return out;
  }

  private static DbValue value(GuestMemory m, long at, Budget budget) {
    int kind = m.readU8("value", at);
    long p = at + 8;
    return switch (kind) {
      case DbValue.NULL -> DbValue.NULL_VALUE;
      case DbValue.BOOLEAN -> new DbValue(kind, bool(m, "boolean", p));
      case DbValue.INT2 -> new DbValue(kind, (short) m.readU16("int2", p));
      case DbValue.INT4, DbValue.DATE -> new DbValue(kind, m.readI32(DbValue.NAMES[kind], p));
      case DbValue.INT8, DbValue.TIMESTAMPTZ, DbValue.TIMESTAMP, DbValue.TIME ->
          new DbValue(kind, m.readI64(DbValue.NAMES[kind], p));
      case DbValue.FLOAT4 -> new DbValue(kind, Float.intBitsToFloat(m.readI32("float4", p)));
      case DbValue.FLOAT8 -> new DbValue(kind, Double.longBitsToDouble(m.readI64("float8", p)));
      case DbValue.TEXT, DbValue.NUMERIC, DbValue.UUID, DbValue.JSONB ->
          new DbValue(kind, string(m, DbValue.NAMES[kind], p, budget));
      case DbValue.BYTEA -> new DbValue(kind, bytes(m, "bytea", p, budget));
      case DbValue.INTERVAL ->
          new DbValue(
              kind,
              new DbValue.Interval(
                  m.readI32("interval", p),
                  m.readI32("interval", p + 4),
                  m.readI64("interval", p + 8)));
      case DbValue.OID -> new DbValue(kind, m.readI32("oid", p) & 0xFFFF_FFFFL);
      case DbValue.ARRAY -> new DbValue(kind, array(m, p, budget));
      default ->
          throw new AbiViolation("value: case " + kind + " (expected: 0 to " + DbValue.ARRAY + ")");
    };
  }

  private static DbValue.Array array(GuestMemory m, long at, Budget budget) {
    int c = m.readU8("array-value", at);
    if (c >= DbValue.ARRAY_KINDS.length) {
      throw new AbiViolation(
          "array-value: case " + c + " (expected: 0 to " + (DbValue.ARRAY_KINDS.length - 1) + ")");
    }
    int kind = DbValue.ARRAY_KINDS[c];
    int size = elementSize(kind);
    int align = elementAlign(kind);
    int offset = align;
    long n = m.readI32("array-value", at + 8) & 0xFFFF_FFFFL;
    long base = list(m, "array-value", m.readI32("array-value", at + 4), n, size, align);
    budget.values(n);
    Object[] elements = new Object[(int) n];
    String what = "array of " + DbValue.NAMES[kind];
    for (int i = 0; i < n; i++) {
      long e = base + (long) i * size;
      int some = m.readU8(what, e);
      if (some > 1) {
        throw new AbiViolation(what + ": option case " + some + " (expected: 0 or 1)");
      }
      if (some == 0) {
        continue;
      }
      long p = e + offset;
      elements[i] =
          switch (kind) {
            case DbValue.BOOLEAN -> bool(m, what, p);
            case DbValue.INT2 -> (short) m.readU16(what, p);
            case DbValue.INT4, DbValue.DATE -> m.readI32(what, p);
            case DbValue.FLOAT4 -> Float.intBitsToFloat(m.readI32(what, p));
            case DbValue.FLOAT8 -> Double.longBitsToDouble(m.readI64(what, p));
            case DbValue.BYTEA -> bytes(m, what, p, budget);
            case DbValue.TEXT, DbValue.NUMERIC, DbValue.UUID, DbValue.JSONB ->
                string(m, what, p, budget);
            default -> m.readI64(what, p); // int8, timestamptz, timestamp, time
          };
    }
    return new DbValue.Array(kind, elements);
  }

  /** The size of {@code option<T>} for an array element kind. */
  private static int elementSize(int kind) {
    return switch (kind) {
      case DbValue.BOOLEAN -> 2;
      case DbValue.INT2 -> 4;
      case DbValue.INT4, DbValue.DATE, DbValue.FLOAT4 -> 8;
      case DbValue.TEXT, DbValue.BYTEA, DbValue.NUMERIC, DbValue.UUID, DbValue.JSONB -> 12;
      default -> 16;
    };
  }

  /** The alignment of {@code option<T>}, which is also where its value starts. */
  private static int elementAlign(int kind) {
    return switch (kind) {
      case DbValue.BOOLEAN -> 1;
      case DbValue.INT2 -> 2;
      case DbValue.INT8, DbValue.FLOAT8, DbValue.TIMESTAMPTZ, DbValue.TIMESTAMP, DbValue.TIME -> 8;
      default -> 4;
    };
  }

  private static boolean bool(GuestMemory m, String what, long p) {
    int b = m.readU8(what, p);
    if (b > 1) {
      throw new AbiViolation(what + ": bool " + b + " (expected: 0 or 1)");
    }
    return b == 1;
  }

  private static String string(GuestMemory m, String what, long at, Budget budget) {
    long len = m.readI32(what, at + 4) & 0xFFFF_FFFFL;
    budget.bytes(len);
    return m.readString(what, m.readI32(what, at) & 0xFFFF_FFFFL, len);
  }

  private static byte[] bytes(GuestMemory m, String what, long at, Budget budget) {
    long len = m.readI32(what, at + 4) & 0xFFFF_FFFFL;
    budget.bytes(len);
    return m.readBytes(what, m.readI32(what, at) & 0xFFFF_FFFFL, len);
  }

  /** Checks a list of {@code n} elements of {@code size} bytes at {@code ptr}; its base. */
  private static long list(GuestMemory m, String what, long ptr, long n, int size, int align) {
    long bytes = n * size;
    if (bytes > m.size()) {
      throw new AbiViolation(
          what
              + ": "
              + n
              + " elements of "
              + size
              + " bytes do not fit in guest memory of "
              + m.size()
              + " bytes (expected: a list within memory)");
    }
    if (n == 0) {
      return ptr & 0xFFFF_FFFFL;
    }
    m.checkAligned(what, ptr, align, bytes);
    return ptr & 0xFFFF_FFFFL;
  }

  // ---- results ----------------------------------------------------------------------------

  /** Writes {@code list<column>} as (ptr, len) at {@code at}. */
  static void writeColumns(GuestMemory m, long at, List<DbSession.Column> columns) {
    int base = m.allocate(4, COLUMN_SIZE * columns.size());
    for (int i = 0; i < columns.size(); i++) {
      long c = base + (long) i * COLUMN_SIZE;
      m.writeString("column name", c, columns.get(i).name());
      m.writeString("column type-name", c + 8, columns.get(i).typeName());
    }
    m.writeI32("columns", at, base);
    m.writeI32("columns", at + 4, columns.size());
  }

  /** Writes {@code list<row>} as (ptr, len) at {@code at}. */
  static void writeRows(GuestMemory m, long at, List<List<DbValue>> rows) {
    int base = m.allocate(4, 8 * rows.size());
    for (int r = 0; r < rows.size(); r++) {
      List<DbValue> row = rows.get(r);
      int values = m.allocate(8, VALUE_SIZE * row.size());
      for (int c = 0; c < row.size(); c++) {
        writeValue(m, values + (long) c * VALUE_SIZE, row.get(c));
      }
      m.writeI32("row", base + 8L * r, values);
      m.writeI32("row", base + 8L * r + 4, row.size());
    }
    m.writeI32("rows", at, base);
    m.writeI32("rows", at + 4, rows.size());
  }

  private static void writeValue(GuestMemory m, long at, DbValue value) {
    int kind = value.kind();
    m.writeU8("value", at, kind);
    long p = at + 8;
    Object v = value.v();
    switch (kind) {
      case DbValue.NULL -> {}
      case DbValue.BOOLEAN -> m.writeU8("boolean", p, (Boolean) v ? 1 : 0);
      case DbValue.INT2 -> m.writeU16("int2", p, (Short) v);
      case DbValue.INT4, DbValue.DATE -> m.writeI32("int4", p, (Integer) v);
      case DbValue.INT8, DbValue.TIMESTAMPTZ, DbValue.TIMESTAMP, DbValue.TIME ->
          m.writeI64("int8", p, (Long) v);
      case DbValue.FLOAT4 -> m.writeI32("float4", p, Float.floatToRawIntBits((Float) v));
      case DbValue.FLOAT8 -> m.writeI64("float8", p, Double.doubleToRawLongBits((Double) v));
      case DbValue.TEXT, DbValue.NUMERIC, DbValue.UUID, DbValue.JSONB ->
          m.writeString(DbValue.NAMES[kind], p, (String) v);
      case DbValue.BYTEA -> m.writeList("bytea", p, (byte[]) v);
      case DbValue.INTERVAL -> {
        DbValue.Interval i = (DbValue.Interval) v;
        m.writeI32("interval", p, i.months());
        m.writeI32("interval", p + 4, i.days());
        m.writeI64("interval", p + 8, i.micros());
      }
      case DbValue.OID -> m.writeI32("oid", p, (int) (long) (Long) v);
      case DbValue.ARRAY -> writeArray(m, p, (DbValue.Array) v);
      default -> throw new IllegalStateException("value kind " + kind);
    }
  }

  private static void writeArray(GuestMemory m, long at, DbValue.Array array) {
    int kind = array.elementKind();
    int size = elementSize(kind);
    int align = elementAlign(kind);
    int offset = align;
    Object[] elements = array.elements();
    int base = m.allocate(align, size * elements.length);
    for (int i = 0; i < elements.length; i++) {
      long e = base + (long) i * size;
      Object v = elements[i];
      m.writeU8("option", e, v == null ? 0 : 1);
      if (v == null) {
        continue;
      }
      long p = e + offset;
      switch (kind) {
        case DbValue.BOOLEAN -> m.writeU8("boolean", p, (Boolean) v ? 1 : 0);
        case DbValue.INT2 -> m.writeU16("int2", p, (Short) v);
        case DbValue.INT4, DbValue.DATE -> m.writeI32("int4", p, (Integer) v);
        case DbValue.FLOAT4 -> m.writeI32("float4", p, Float.floatToRawIntBits((Float) v));
        case DbValue.FLOAT8 -> m.writeI64("float8", p, Double.doubleToRawLongBits((Double) v));
        case DbValue.BYTEA -> m.writeList("bytea", p, (byte[]) v);
        case DbValue.TEXT, DbValue.NUMERIC, DbValue.UUID, DbValue.JSONB ->
            m.writeString("text", p, (String) v);
        default -> m.writeI64("int8", p, (Long) v);
      }
    }
    m.writeU8("array-value", at, DbValue.arrayCase(kind));
    m.writeI32("array-value", at + 4, base);
    m.writeI32("array-value", at + 8, elements.length);
  }

  /** Writes an {@code error} at {@code at}. */
  static void writeError(GuestMemory m, long at, DbFailure f) {
    m.writeU8("error", at, f.kind().ordinal());
    String message = f.getMessage() == null ? "" : f.getMessage();
    m.writeString("error", at + 4, message);
    if (f.kind() == DbFailure.Kind.QUERY) {
      m.writeU8("sqlstate", at + 12, f.sqlstate() == null ? 0 : 1);
      if (f.sqlstate() != null) {
        m.writeString("sqlstate", at + 16, f.sqlstate());
      }
    }
  }
}
