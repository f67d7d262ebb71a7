package io.wruntime.engine.host.http;

import io.wruntime.engine.host.abi.WitResource;
import io.wruntime.engine.http.Field;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code wasi:http/types.fields} (headers or trailers): an ordered multimap of lower-case names
 * to byte values. Fields the guest builds are mutable and bounded by {@link #MAX_ENTRIES} and
 * {@link #MAX_BYTES}; fields of a request or response are immutable views.
 */
final class FieldsResource implements WitResource {
  /** Most entries a guest may put in one fields resource. */
  static final int MAX_ENTRIES = 100;

  /** Most bytes (names plus values) a guest may put in one fields resource. */
  static final int MAX_BYTES = 64 * 1024;

  private final List<Field> entries;
  private final boolean mutable;
  private long bytes;

  private FieldsResource(List<Field> entries, boolean mutable) {
    this.entries = entries;
    this.mutable = mutable;
    for (Field f : entries) {
      bytes += size(f);
    }
  }

  /** Empty, mutable fields ({@code [constructor]fields}). */
  static FieldsResource empty() {
    return new FieldsResource(new ArrayList<>(), true);
  }

  /**
   * An immutable copy of fields the host received (a request's or response's headers, trailers);
   * names are normalized to lower case.
   */
  static FieldsResource immutableOf(List<Field> fields) {
    List<Field> copy = new ArrayList<>(fields.size());
    for (Field f : fields) {
      copy.add(new Field(FieldRules.normalize(f.name()), f.value()));
    }
    return new FieldsResource(copy, false);
  }

  boolean isMutable() {
    return mutable;
  }

  /** A snapshot of the entries, in order. */
  List<Field> entries() {
    return List.copyOf(entries);
  }

  /** Every value of {@code name}; empty when absent or when the name is not a valid token. */
  List<byte[]> get(String name) {
    List<byte[]> out = new ArrayList<>();
    if (!FieldRules.isValidName(name)) {
      return out;
    }
    String n = FieldRules.normalize(name);
    for (Field f : entries) {
      if (f.name().equals(n)) {
        out.add(f.value());
      }
    }
    return out;
  }

  boolean has(String name) {
    return !get(name).isEmpty();
  }

  /** Replaces every value of {@code name}; returns null on success. */
  HeaderError set(String name, List<byte[]> values) {
    HeaderError error = checkName(name);
    if (error != null) {
      return error;
    }
    long added = 0;
    for (byte[] v : values) {
      if (!FieldRules.isValidValue(v)) {
        return HeaderError.INVALID_SYNTAX;
      }
      added += name.length() + v.length;
    }
    if (!mutable) {
      return HeaderError.IMMUTABLE;
    }
    String n = FieldRules.normalize(name);
    long removedBytes = 0;
    int removedCount = 0;
    for (Field f : entries) {
      if (f.name().equals(n)) {
        removedBytes += size(f);
        removedCount++;
      }
    }
    if (entries.size() - removedCount + values.size() > MAX_ENTRIES
        || bytes - removedBytes + added > MAX_BYTES) {
      return HeaderError.FORBIDDEN;
    }
    entries.removeIf(f -> f.name().equals(n));
    for (byte[] v : values) {
      entries.add(new Field(n, v));
    }
    bytes = bytes - removedBytes + added;
    return null;
  }

  /** Removes every value of {@code name}; returns null on success. */
  HeaderError delete(String name) {
    HeaderError error = checkName(name);
    if (error != null) {
      return error;
    }
    if (!mutable) {
      return HeaderError.IMMUTABLE;
    }
    String n = FieldRules.normalize(name);
    for (Field f : entries) {
      if (f.name().equals(n)) {
        bytes -= size(f);
      }
    }
    entries.removeIf(f -> f.name().equals(n));
    return null;
  }

  /** Adds one value to {@code name}; returns null on success. */
  HeaderError append(String name, byte[] value) {
    HeaderError error = checkName(name);
    if (error != null) {
      return error;
    }
    if (!FieldRules.isValidValue(value)) {
      return HeaderError.INVALID_SYNTAX;
    }
    if (!mutable) {
      return HeaderError.IMMUTABLE;
    }
    Field f = new Field(FieldRules.normalize(name), value);
    if (entries.size() + 1 > MAX_ENTRIES || bytes + size(f) > MAX_BYTES) {
      return HeaderError.FORBIDDEN;
    }
    entries.add(f);
    bytes += size(f);
    return null;
  }

  /** A mutable deep copy ({@code [method]fields.clone}), whatever this one's mutability. */
  FieldsResource copy() {
    return new FieldsResource(new ArrayList<>(entries), true);
  }

  private static HeaderError checkName(String name) {
    if (!FieldRules.isValidName(name)) {
      return HeaderError.INVALID_SYNTAX;
    }
    if (FieldRules.isForbidden(FieldRules.normalize(name))) {
      return HeaderError.FORBIDDEN;
    }
    return null;
  }

  private static long size(Field f) {
    return f.name().length() + (long) f.value().length;
  }

  @Override
  public String witName() {
    return "wasi:http/types.fields";
  }
}
