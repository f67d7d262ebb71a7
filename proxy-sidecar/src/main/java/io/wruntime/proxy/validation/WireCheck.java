package io.wruntime.proxy.validation;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * A fast check that a protobuf body parses as a message type, walking the wire format against the
 * descriptor without building a message. It only ever answers "parses" for bodies that {@link
 * com.google.protobuf.DynamicMessage#parseFrom} accepts; anything it is not sure of (a malformed
 * tag or length, invalid UTF-8, a known field with an unexpected wire type, groups, nesting near
 * the parser's limit) it leaves to the parser, which then gives the verdict and its error message.
 * Types that have required fields anywhere below them are always left to the parser.
 */
final class WireCheck {
  /** protobuf-java's default recursion limit is 100; stay clear of it and let the parser judge. */
  private static final int MAX_DEPTH = 64;

  /**
   * Per message type, whether it can be walked. Weak keys: a schema's descriptors go when the
   * schema cache drops it.
   */
  private static final Map<Descriptor, Boolean> WALKABLE =
      Collections.synchronizedMap(new WeakHashMap<>());

  private WireCheck() {}

  /**
   * True when {@code in} (to its end) is certainly a valid {@code type}; false when the parser has
   * to decide.
   */
  static boolean parses(Descriptor type, CodedInputStream in) {
    if (!walkable(type)) {
      return false;
    }
    try {
      return message(type, in, 0) && in.isAtEnd();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** No required fields and no groups in {@code type} or any type below it. */
  static boolean walkable(Descriptor type) {
    Boolean known = WALKABLE.get(type);
    if (known == null) {
      known = walkable(type, new HashSet<>());
      WALKABLE.put(type, known);
    }
    return known;
  }

  private static boolean walkable(Descriptor type, Set<Descriptor> seen) {
    if (!seen.add(type)) {
      return true;
    }
    for (FieldDescriptor field : type.getFields()) {
      if (field.isRequired() || field.getType() == FieldDescriptor.Type.GROUP) {
        return false;
      }
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          && !walkable(field.getMessageType(), seen)) {
        return false;
      }
    }
    return true;
  }

  /** Reads fields until the end of the current limit; false when unsure. */
  private static boolean message(Descriptor type, CodedInputStream in, int depth)
      throws IOException {
    if (depth > MAX_DEPTH) {
      return false;
    }
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        return true;
      }
      int wireType = WireFormat.getTagWireType(tag);
      if (wireType == WireFormat.WIRETYPE_END_GROUP) {
        return false;
      }
      FieldDescriptor field = type.findFieldByNumber(WireFormat.getTagFieldNumber(tag));
      if (field == null) {
        if (!in.skipField(tag)) {
          return false;
        }
        continue;
      }
      WireFormat.FieldType fieldType = field.getLiteType();
      if (wireType == fieldType.getWireType()) {
        if (!value(field, fieldType, in, depth)) {
          return false;
        }
      } else if (wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED && field.isPackable()) {
        if (!packed(fieldType, in)) {
          return false;
        }
      } else {
        return false;
      }
    }
  }

  private static boolean value(
      FieldDescriptor field, WireFormat.FieldType fieldType, CodedInputStream in, int depth)
      throws IOException {
    switch (fieldType.getWireType()) {
      case WireFormat.WIRETYPE_VARINT -> in.readRawVarint64();
      case WireFormat.WIRETYPE_FIXED64 -> in.skipRawBytes(8);
      case WireFormat.WIRETYPE_FIXED32 -> in.skipRawBytes(4);
      case WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
        if (fieldType == WireFormat.FieldType.MESSAGE) {
          int length = in.readRawVarint32();
          if (length < 0) {
            return false;
          }
          int old = in.pushLimit(length);
          boolean ok = message(field.getMessageType(), in, depth + 1);
          if (!ok || !in.isAtEnd()) {
            return false;
          }
          in.popLimit(old);
        } else if (fieldType == WireFormat.FieldType.STRING && field.needsUtf8Check()) {
          in.readStringRequireUtf8();
        } else {
          int length = in.readRawVarint32();
          if (length < 0) {
            return false;
          }
          in.skipRawBytes(length);
        }
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /** A packed run of scalars: every element whole, none past the run's end. */
  private static boolean packed(WireFormat.FieldType fieldType, CodedInputStream in)
      throws IOException {
    int length = in.readRawVarint32();
    if (length < 0) {
      return false;
    }
    int old = in.pushLimit(length);
    switch (fieldType.getWireType()) {
      case WireFormat.WIRETYPE_VARINT -> {
        while (!in.isAtEnd()) {
          in.readRawVarint64();
        }
      }
      case WireFormat.WIRETYPE_FIXED64, WireFormat.WIRETYPE_FIXED32 -> {
        int size = fieldType.getWireType() == WireFormat.WIRETYPE_FIXED64 ? 8 : 4;
        if (length % size != 0) {
          return false;
        }
        in.skipRawBytes(length);
      }
      default -> {
        return false;
      }
    }
    in.popLimit(old);
    return true;
  }
}
