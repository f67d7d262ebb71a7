package io.wruntime.engine.registration;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.InvalidProtocolBufferException;
import io.wruntime.common.config.ConfigException;
import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.config.ModuleConfig;
import io.wruntime.engine.dispatch.HostedModule;
import io.wruntime.engine.dispatch.ModuleRegistry;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.ModuleRegistration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What an engine registers: each module that loaded, with its schema read from disk. */
public final class ModuleRegistrations {
  private static final String EXPECTED =
      "expected: a compiled schema, as protoc --include_imports --descriptor_set_out writes";

  private ModuleRegistrations() {}

  /**
   * One registration per module of {@code config} that loaded in {@code registry}, in configuration
   * order, with its {@code schema_path} file as the schema (empty without one). Modules that failed
   * to load are left out: they cannot serve.
   *
   * @throws ConfigException when a schema file cannot be read or is not a {@code
   *     FileDescriptorSet}, naming the module, its key and the path
   */
  public static List<ModuleRegistration> of(EngineConfig config, ModuleRegistry registry) {
    requireNonNull(config, "config");
    requireNonNull(registry, "registry");
    List<ModuleRegistration> out = new ArrayList<>();
    for (int i = 0; i < config.modules().size(); i++) {
      ModuleConfig module = config.modules().get(i);
      HostedModule hosted = registry.find(module.namespace(), module.name(), module.version());
      if (hosted == null || !hosted.isReady()) {
        continue;
      }
      ModuleRegistration.Builder registration = ModuleRegistration.newBuilder().setRef(ref(hosted));
      if (module.schemaPath() != null) {
        registration.setSchema(
            schema(
                config.source() + ": module[" + i + "].schema_path", module, module.schemaPath()));
      }
      out.add(registration.build());
    }
    return out;
  }

  /** The reference of {@code module} as the control plane names it. */
  public static ModuleRef ref(HostedModule module) {
    return ModuleRef.newBuilder()
        .setNamespace(module.namespace())
        .setName(module.name())
        .setVersion(module.version())
        .build();
  }

  /**
   * Reads and checks one schema file.
   *
   * @param key how messages name it, e.g. {@code engine.toml: module[0].schema_path}
   */
  static ByteString schema(String key, ModuleConfig module, Path path) {
    String what = key + " = \"" + path + "\" (" + module.label() + ")";
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new ConfigException(what + " does not exist (" + EXPECTED + ")");
    } catch (IOException e) {
      throw new ConfigException(what + " cannot be read: " + e + " (" + EXPECTED + ")", e);
    }
    FileDescriptorSet set;
    try {
      set = FileDescriptorSet.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new ConfigException(
          what + " is not a FileDescriptorSet: " + e.getMessage() + " (" + EXPECTED + ")", e);
    }
    if (set.getFileCount() == 0) {
      throw new ConfigException(
          what + " is a FileDescriptorSet without any file (" + EXPECTED + ")");
    }
    return ByteString.copyFrom(bytes);
  }
}
