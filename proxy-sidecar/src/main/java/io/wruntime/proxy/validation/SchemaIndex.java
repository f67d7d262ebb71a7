package io.wruntime.proxy.validation;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.AnyProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DurationProto;
import com.google.protobuf.EmptyProto;
import com.google.protobuf.FieldMaskProto;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.StructProto;
import com.google.protobuf.TimestampProto;
import com.google.protobuf.WrappersProto;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The RPC services of one module version, built from its schema (a serialized {@code
 * FileDescriptorSet}): which {@code /{package}.{Service}/{Method}} paths exist and what message
 * each takes.
 */
public final class SchemaIndex {
  /** Files of the well-known types, for a set compiled without {@code --include_imports}. */
  private static final Map<String, FileDescriptor> WELL_KNOWN = wellKnown();

  private final Map<String, ServiceDescriptor> services;

  private SchemaIndex(Map<String, ServiceDescriptor> services) {
    this.services = services;
  }

  /**
   * Builds the index of a serialized {@code FileDescriptorSet}.
   *
   * @throws IllegalArgumentException when the bytes are not a consistent set of files
   */
  public static SchemaIndex parse(byte[] fileDescriptorSet) {
    requireNonNull(fileDescriptorSet, "fileDescriptorSet");
    FileDescriptorSet set;
    try {
      set = FileDescriptorSet.parseFrom(fileDescriptorSet);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "the schema is not a FileDescriptorSet: " + e.getMessage(), e);
    }
    Map<String, FileDescriptorProto> protos = new HashMap<>();
    for (FileDescriptorProto file : set.getFileList()) {
      protos.put(file.getName(), file);
    }
    Map<String, FileDescriptor> built = new HashMap<>();
    Map<String, ServiceDescriptor> services = new LinkedHashMap<>();
    for (FileDescriptorProto file : set.getFileList()) {
      for (ServiceDescriptor service :
          build(file.getName(), protos, built, new ArrayList<>()).getServices()) {
        services.put(service.getFullName(), service);
      }
    }
    return new SchemaIndex(Collections.unmodifiableMap(services));
  }

  private static FileDescriptor build(
      String name,
      Map<String, FileDescriptorProto> protos,
      Map<String, FileDescriptor> built,
      List<String> path) {
    FileDescriptor done = built.get(name);
    if (done != null) {
      return done;
    }
    FileDescriptorProto proto = protos.get(name);
    if (proto == null) {
      FileDescriptor known = WELL_KNOWN.get(name);
      if (known != null) {
        return known;
      }
      throw new IllegalArgumentException(
          "the schema imports "
              + name
              + " but does not contain it (expected: a set compiled with"
              + " --include_imports)");
    }
    if (path.contains(name)) {
      throw new IllegalArgumentException(
          "the schema's imports form a cycle: " + path + " -> " + name);
    }
    path.add(name);
    FileDescriptor[] dependencies = new FileDescriptor[proto.getDependencyCount()];
    for (int i = 0; i < dependencies.length; i++) {
      dependencies[i] = build(proto.getDependency(i), protos, built, path);
    }
    path.remove(path.size() - 1);
    try {
      FileDescriptor file = FileDescriptor.buildFrom(proto, dependencies);
      built.put(name, file);
      return file;
    } catch (DescriptorValidationException e) {
      throw new IllegalArgumentException(
          "the schema's " + name + " is invalid: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      // protobuf-java does not validate everything before linking: a field without a type, for
      // one, fails with a NullPointerException (found by SchemaIndexFuzzTest).
      throw new IllegalArgumentException("the schema's " + name + " is invalid: " + e, e);
    }
  }

  private static Map<String, FileDescriptor> wellKnown() {
    Map<String, FileDescriptor> files = new HashMap<>();
    for (FileDescriptor f :
        List.of(
            TimestampProto.getDescriptor(),
            DurationProto.getDescriptor(),
            EmptyProto.getDescriptor(),
            AnyProto.getDescriptor(),
            StructProto.getDescriptor(),
            WrappersProto.getDescriptor(),
            FieldMaskProto.getDescriptor())) {
      files.put(f.getName(), f);
    }
    return Map.copyOf(files);
  }

  /** The service with this full name ({@code package.Service}), or null. */
  public ServiceDescriptor service(String fullName) {
    return services.get(fullName);
  }

  /** The method at {@code /{package}.{Service}/{Method}}, or null. */
  public MethodDescriptor method(String service, String method) {
    ServiceDescriptor s = services.get(service);
    return s == null ? null : s.findMethodByName(method);
  }

  /** Full names of the services, in schema order. */
  public List<String> serviceNames() {
    return List.copyOf(services.keySet());
  }
}
