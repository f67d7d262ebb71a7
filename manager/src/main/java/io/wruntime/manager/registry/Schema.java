package io.wruntime.manager.registry;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;

/**
 * A module version's schema: a serialized {@code google.protobuf.FileDescriptorSet} and the RPC
 * paths ({@code /package.Service/Method}) its services declare.
 *
 * @param bytes the set as registered, returned by GetSchema unchanged
 * @param set the parsed set; two schemas are the same when their sets are equal
 * @param methods the RPC paths of every service in the set, in declaration order
 */
public record Schema(ByteString bytes, FileDescriptorSet set, List<String> methods) {
  public Schema {
    requireNonNull(bytes, "bytes");
    requireNonNull(set, "set");
    methods = List.copyOf(requireNonNull(methods, "methods"));
  }

  /**
   * Parses a serialized FileDescriptorSet.
   *
   * @throws IllegalArgumentException saying why the bytes are not one
   */
  public static Schema parse(ByteString bytes) {
    requireNonNull(bytes, "bytes");
    FileDescriptorSet set;
    try {
      set = FileDescriptorSet.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          bytes.size()
              + " bytes that do not parse as a google.protobuf.FileDescriptorSet ("
              + e.getMessage()
              + ")");
    }
    if (set.getFileCount() == 0) {
      throw new IllegalArgumentException(
          bytes.size()
              + " bytes with no file (expected: a google.protobuf.FileDescriptorSet with the"
              + " module's .proto files)");
    }
    List<String> methods = new ArrayList<>();
    for (FileDescriptorProto file : set.getFileList()) {
      if (file.getName().isEmpty()) {
        throw new IllegalArgumentException(
            "a FileDescriptorSet with a file without a name (expected: protoc output, e.g. protoc"
                + " --include_imports --descriptor_set_out=...)");
      }
      String prefix = file.getPackage().isEmpty() ? "" : file.getPackage() + ".";
      for (ServiceDescriptorProto service : file.getServiceList()) {
        for (MethodDescriptorProto method : service.getMethodList()) {
          methods.add("/" + prefix + service.getName() + "/" + method.getName());
        }
      }
    }
    return new Schema(bytes, set, methods);
  }

  /** Whether {@code other} describes the same files (serialization details aside). */
  public boolean sameAs(Schema other) {
    return set.equals(other.set);
  }
}
