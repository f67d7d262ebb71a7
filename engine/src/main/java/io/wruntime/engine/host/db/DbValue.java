package io.wruntime.engine.host.db;

/**
 * A {@code wruntime:db} value: {@code kind} is the case of the WIT {@code value} variant, {@code v}
 * its payload: Boolean, Short, Integer, Long (int8, timestamps, time as microseconds; oid), Float,
 * Double, String (text, numeric, uuid, jsonb), byte[] (bytea), Integer (date as days), {@link
 * Interval}, or {@link Array}; null for {@link #NULL}.
 */
record DbValue(int kind, Object v) {
  static final int NULL = 0;
  static final int BOOLEAN = 1;
  static final int INT2 = 2;
  static final int INT4 = 3;
  static final int INT8 = 4;
  static final int FLOAT4 = 5;
  static final int FLOAT8 = 6;
  static final int TEXT = 7;
  static final int BYTEA = 8;
  static final int TIMESTAMPTZ = 9;
  static final int TIMESTAMP = 10;
  static final int DATE = 11;
  static final int TIME = 12;
  static final int INTERVAL = 13;
  static final int NUMERIC = 14;
  static final int UUID = 15;
  static final int JSONB = 16;
  static final int OID = 17;
  static final int ARRAY = 18;

  /** The WIT names of the kinds, for messages. */
  static final String[] NAMES = {
    "null",
    "boolean",
    "int2",
    "int4",
    "int8",
    "float4",
    "float8",
    "text",
    "bytea",
    "timestamptz",
    "timestamp",
    "date",
    "time",
    "interval",
    "numeric",
    "uuid",
    "jsonb",
    "oid",
    "array"
  };

  /** The value kind of each case of the WIT {@code array-value} variant. */
  static final int[] ARRAY_KINDS = {
    BOOLEAN,
    INT2,
    INT4,
    INT8,
    FLOAT4,
    FLOAT8,
    TEXT,
    BYTEA,
    TIMESTAMPTZ,
    TIMESTAMP,
    DATE,
    TIME,
    NUMERIC,
    UUID,
    JSONB
  };

  static final DbValue NULL_VALUE = new DbValue(NULL, null);

  /** The array-value case of an element kind, or -1. */
  static int arrayCase(int elementKind) {
    for (int i = 0; i < ARRAY_KINDS.length; i++) {
      if (ARRAY_KINDS[i] == elementKind) {
        return i;
      }
    }
    return -1;
  }

  /** How a value is described in messages: {@code int4}, {@code array of text}. */
  String describe() {
    return kind == ARRAY ? "array of " + NAMES[((Array) v).elementKind()] : NAMES[kind];
  }

  record Interval(int months, int days, long micros) {}

  /** A one-dimensional array; elements are payloads as in {@link DbValue}, null where NULL. */
  record Array(int elementKind, Object[] elements) {}
}
