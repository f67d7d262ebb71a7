package io.wruntime.cli.invoke;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.ApiProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DurationProto;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.EmptyProto;
import com.google.protobuf.FieldMaskProto;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.SourceContextProto;
import com.google.protobuf.StructProto;
import com.google.protobuf.TimestampProto;
import com.google.protobuf.TypeProto;
import com.google.protobuf.WrappersProto;
import com.google.protobuf.util.JsonFormat;
import io.wruntime.cli.CliException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A module's compiled schema (a {@code FileDescriptorSet}) and the conversions {@code invoke}
 * needs: a JSON body to a method's input message, and its output message back to JSON, in the
 * proto3 JSON mapping. {@code google.protobuf.Any} fields resolve against every message of the set.
 */
public final class RpcSchema {
  /** Well-known files a set may import without including them. */
  private static final Map<String, FileDescriptor> WELL_KNOWN = wellKnown();

  private final String origin;
  private final Map<String, MethodDescriptor> methods;
  private final JsonFormat.Parser parser;
  private final JsonFormat.Printer printer;

  private RpcSchema(
      String origin, Map<String, MethodDescriptor> methods, JsonFormat.TypeRegistry types) {
    this.origin = origin;
    this.methods = methods;
    this.parser = JsonFormat.parser().usingTypeRegistry(types);
    this.printer = JsonFormat.printer().usingTypeRegistry(types).alwaysPrintFieldsWithNoPresence();
  }

  /**
   * Reads a serialized {@code FileDescriptorSet}.
   *
   * @param origin names the schema in messages, e.g. {@code example.echo@1.0.0}
   * @throws CliException when the bytes are not a valid, self-contained set
   */
  public static RpcSchema parse(ByteString fileDescriptorSet, String origin) {
    requireNonNull(fileDescriptorSet, "fileDescriptorSet");
    requireNonNull(origin, "origin");
    FileDescriptorSet set;
    try {
      set = FileDescriptorSet.parseFrom(fileDescriptorSet);
    } catch (InvalidProtocolBufferException e) {
      throw new CliException(
          "the schema of " + origin + " is not a FileDescriptorSet: " + e.getMessage(), e);
    }
    Map<String, FileDescriptorProto> protos = new LinkedHashMap<>();
    for (FileDescriptorProto file : set.getFileList()) {
      protos.put(file.getName(), file);
    }
    Map<String, FileDescriptor> built = new HashMap<>();
    Map<String, MethodDescriptor> methods = new LinkedHashMap<>();
    JsonFormat.TypeRegistry.Builder types = JsonFormat.TypeRegistry.newBuilder();
    for (String name : protos.keySet()) {
      FileDescriptor file = build(name, protos, built, new ArrayDeque<>(), origin);
      for (ServiceDescriptor service : file.getServices()) {
        for (MethodDescriptor method : service.getMethods()) {
          methods.put("/" + service.getFullName() + "/" + method.getName(), method);
        }
      }
      for (Descriptor message : file.getMessageTypes()) {
        types.add(message);
      }
    }
    return new RpcSchema(origin, methods, types.build());
  }

  private static FileDescriptor build(
      String name,
      Map<String, FileDescriptorProto> protos,
      Map<String, FileDescriptor> built,
      Deque<String> building,
      String origin) {
    FileDescriptor done = built.get(name);
    if (done != null) {
      return done;
    }
    FileDescriptorProto proto = protos.get(name);
    if (proto == null) {
      FileDescriptor wellKnown = WELL_KNOWN.get(name);
      if (wellKnown != null) {
        return wellKnown;
      }
      throw new CliException(
          "the schema of "
              + origin
              + " imports "
              + name
              + ", which it does not include (expected: a set compiled with its imports)");
    }
    if (building.contains(name)) {
      throw new CliException("the schema of " + origin + " has an import cycle through " + name);
    }
    building.push(name);
    List<FileDescriptor> dependencies = new ArrayList<>();
    for (String dependency : proto.getDependencyList()) {
      dependencies.add(build(dependency, protos, built, building, origin));
    }
    building.pop();
    try {
      FileDescriptor file =
          FileDescriptor.buildFrom(proto, dependencies.toArray(FileDescriptor[]::new));
      built.put(name, file);
      return file;
    } catch (DescriptorValidationException e) {
      throw new CliException(
          "the schema of " + origin + " is invalid: " + name + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, FileDescriptor> wellKnown() {
    Map<String, FileDescriptor> files = new HashMap<>();
    for (FileDescriptor file :
        List.of(
            Any.getDescriptor().getFile(),
            ApiProto.getDescriptor(),
            DurationProto.getDescriptor(),
            EmptyProto.getDescriptor(),
            FieldMaskProto.getDescriptor(),
            SourceContextProto.getDescriptor(),
            StructProto.getDescriptor(),
            TimestampProto.getDescriptor(),
            TypeProto.getDescriptor(),
            WrappersProto.getDescriptor())) {
      files.put(file.getName(), file);
    }
    return Map.copyOf(files);
  }

  /** Where the schema came from, e.g. {@code example.echo@1.0.0}. */
  public String origin() {
    return origin;
  }

  /** The method served at {@code path} ({@code /pkg.Service/Method}), if the schema has one. */
  public Optional<MethodDescriptor> method(String path) {
    return Optional.ofNullable(methods.get(path));
  }

  /**
   * Converts a JSON body to the method's input message.
   *
   * @throws CliException naming the message type when the JSON does not fit it
   */
  public byte[] encodeInput(MethodDescriptor method, String json) {
    Descriptor type = method.getInputType();
    DynamicMessage.Builder message = DynamicMessage.newBuilder(type);
    try {
      parser.merge(json, message);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new CliException(
          "--body: "
              + e.getMessage()
              + " (expected: JSON of "
              + type.getFullName()
              + ", the input of "
              + method.getFullName()
              + " in "
              + origin
              + ")",
          e);
    }
    return message.build().toByteArray();
  }

  /**
   * Converts a response body, the method's output message, to JSON.
   *
   * @throws CliException when the bytes are not that message
   */
  public String decodeOutput(MethodDescriptor method, byte[] body) {
    Descriptor type = method.getOutputType();
    try {
      return printer.print(DynamicMessage.parseFrom(type, body));
    } catch (InvalidProtocolBufferException e) {
      throw new CliException(
          "the response body is not a "
              + type.getFullName()
              + " ("
              + body.length
              + " bytes): "
              + e.getMessage(),
          e);
    }
  }
}
