package io.wruntime.engine.component;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked reads of the component binary format's primitives over {@code bytes[pos, end)}:
 * LEB128 integers checked for their width and for running off the end, names checked as UTF-8, and
 * vector lengths checked against the bytes left (each element takes at least one byte), so a
 * hostile count cannot make the parser allocate more than the input's size. Every failure is a
 * {@link MalformedComponent} naming the offset and what was expected.
 */
final class BinaryReader {
  private final byte[] bytes;
  private final int end;
  private int pos;

  BinaryReader(byte[] bytes, int start, int end) {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
  }

  int position() {
    return pos;
  }

  int end() {
    return end;
  }

  boolean atEnd() {
    return pos >= end;
  }

  int remaining() {
    return end - pos;
  }

  MalformedComponent malformed(String expected) {
    return new MalformedComponent(pos, expected);
  }

  int u8(String what) {
    if (pos >= end) {
      throw new MalformedComponent(pos, "unexpected end of " + what + " (expected: 1 more byte)");
    }
    return bytes[pos++] & 0xFF;
  }

  int peek(String what) {
    if (pos >= end) {
      throw new MalformedComponent(pos, "unexpected end of " + what + " (expected: 1 more byte)");
    }
    return bytes[pos] & 0xFF;
  }

  /** An unsigned LEB128 u32. */
  int u32(String what) {
    int at = pos;
    long result = 0;
    for (int shift = 0; ; shift += 7) {
      if (shift >= 35) {
        throw new MalformedComponent(at, what + ": LEB128 u32 longer than 5 bytes");
      }
      int b = u8(what);
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
    }
    if (result > 0xFFFF_FFFFL) {
      throw new MalformedComponent(at, what + ": LEB128 value " + result + " does not fit a u32");
    }
    return (int) result;
  }

  /** An unsigned LEB128 u32 used as an index or size: must fit a non-negative int. */
  int index(String what) {
    int at = pos;
    int v = u32(what);
    if (v < 0) {
      throw new MalformedComponent(at, what + ": " + (v & 0xFFFF_FFFFL) + " is too large");
    }
    return v;
  }

  /** An unsigned LEB128 u64. */
  long u64(String what) {
    int at = pos;
    long result = 0;
    for (int shift = 0; ; shift += 7) {
      if (shift >= 70) {
        throw new MalformedComponent(at, what + ": LEB128 u64 longer than 10 bytes");
      }
      int b = u8(what);
      if (shift == 63 && (b & 0x7E) != 0) {
        throw new MalformedComponent(at, what + ": LEB128 value does not fit a u64");
      }
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
  }

  /** A signed LEB128 s33 (value types: a negative value is a primitive, else a type index). */
  long s33(String what) {
    int at = pos;
    long result = 0;
    int shift = 0;
    int b;
    do {
      if (shift >= 35) {
        throw new MalformedComponent(at, what + ": LEB128 s33 longer than 5 bytes");
      }
      b = u8(what);
      result |= (long) (b & 0x7F) << shift;
      shift += 7;
    } while ((b & 0x80) != 0);
    if (shift < 64 && (b & 0x40) != 0) {
      result |= -1L << shift;
    }
    if (result < -(1L << 32) || result >= (1L << 32)) {
      throw new MalformedComponent(at, what + ": LEB128 value does not fit an s33");
    }
    return result;
  }

  /**
   * A vector's element count, refused when larger than the bytes left (an element takes at least
   * {@code minBytesEach} bytes).
   */
  int count(String what, int minBytesEach) {
    int at = pos;
    int n = index(what + " count");
    if ((long) n * Math.max(minBytesEach, 1) > remaining()) {
      throw new MalformedComponent(
          at,
          what
              + " count "
              + n
              + " exceeds the "
              + remaining()
              + " bytes left (expected: a count the section's bytes can hold)");
    }
    return n;
  }

  int count(String what) {
    return count(what, 1);
  }

  /** A name: a u32 length then that many bytes of UTF-8. */
  String name(String what) {
    int len = index(what + " length");
    int at = pos;
    if (len > remaining()) {
      throw new MalformedComponent(
          at, what + ": length " + len + " exceeds the " + remaining() + " bytes left");
    }
    pos += len;
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, at, len))
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedComponent(at, what + " is not valid UTF-8");
    }
  }

  /** Skips {@code n} bytes. */
  void skip(String what, int n) {
    if (n > remaining()) {
      throw new MalformedComponent(
          pos,
          what
              + ": "
              + n
              + " bytes do not fit the "
              + remaining()
              + " bytes left (expected: at most "
              + remaining()
              + ")");
    }
    pos += n;
  }

  /** A copy of bytes [from, to). */
  byte[] copy(int from, int to) {
    return java.util.Arrays.copyOfRange(bytes, from, to);
  }

  byte[] source() {
    return bytes;
  }
}
