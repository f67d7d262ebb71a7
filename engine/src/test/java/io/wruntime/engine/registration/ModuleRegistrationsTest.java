package io.wruntime.engine.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import io.wruntime.common.config.ConfigException;
import io.wruntime.engine.config.EngineConfig;
import io.wruntime.engine.dispatch.FakeModule;
import io.wruntime.engine.dispatch.HostedModule;
import io.wruntime.engine.dispatch.ModuleLimits;
import io.wruntime.engine.dispatch.ModuleRegistry;
import io.wruntime.proto.v1.ModuleRegistration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleRegistrationsTest {
  private static final ModuleLimits LIMITS = new ModuleLimits(Duration.ofSeconds(5), 4, 8);

  @TempDir Path dir;
  private final ModuleRegistry registry = new ModuleRegistry();

  private EngineConfig config(Path schema) {
    return EngineConfig.parse(
        "engine.toml",
        """
        [node]
        proxy_address = "127.0.0.1:9001"
        [[module]]
        name = "plain"
        namespace = "shop"
        version = "1.0.0"
        wasm_path = "plain.wasm"
        [[module]]
        name = "api"
        namespace = "shop"
        version = "2.0.0"
        wasm_path = "api.wasm"
        schema_path = "%s"
        """
            .formatted(schema));
  }

  private void hostReady(String name, String version) {
    registry.add(
        HostedModule.ready(
            "shop",
            name,
            version,
            new FakeModule("shop", name, version, FakeModule.respond(200, "")),
            LIMITS));
  }

  @Test
  void registersLoadedModulesWithTheirSchemaBytes() throws Exception {
    byte[] schema =
        FileDescriptorSet.newBuilder()
            .addFile(FileDescriptorProto.newBuilder().setName("api.proto").setPackage("shop"))
            .build()
            .toByteArray();
    Path file = dir.resolve("api.binpb");
    Files.write(file, schema);
    hostReady("plain", "1.0.0");
    hostReady("api", "2.0.0");

    var registrations = ModuleRegistrations.of(config(file), registry);

    assertThat(registrations).extracting(r -> r.getRef().getName()).containsExactly("plain", "api");
    assertThat(registrations.get(0).getSchema().isEmpty()).isTrue();
    assertThat(registrations.get(1).getSchema().toByteArray()).isEqualTo(schema);
    assertThat(registrations.get(1).getRef().getVersion()).isEqualTo("2.0.0");
  }

  @Test
  void leavesOutModulesThatFailedToLoadWithoutReadingTheirSchema() {
    hostReady("plain", "1.0.0");
    registry.add(HostedModule.failed("shop", "api", "2.0.0", "bad magic", LIMITS));

    assertThat(ModuleRegistrations.of(config(dir.resolve("missing.binpb")), registry))
        .extracting(ModuleRegistration::getRef)
        .extracting(r -> r.getName())
        .containsExactly("plain");
  }

  @Test
  void aMissingSchemaFileNamesTheModuleAndPath() {
    hostReady("api", "2.0.0");
    Path missing = dir.resolve("missing.binpb");

    assertThatThrownBy(() -> ModuleRegistrations.of(config(missing), registry))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "engine.toml: module[1].schema_path = \""
                + missing
                + "\" (shop.api@2.0.0) does not exist (expected: a compiled schema, as protoc"
                + " --include_imports --descriptor_set_out writes)");
  }

  @Test
  void bytesThatAreNotADescriptorSetAreRefused() throws Exception {
    hostReady("api", "2.0.0");
    Path garbage = dir.resolve("garbage.binpb");
    Files.writeString(garbage, "syntax = \"proto3\";");

    assertThatThrownBy(() -> ModuleRegistrations.of(config(garbage), registry))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "engine.toml: module[1].schema_path = \""
                + garbage
                + "\" (shop.api@2.0.0) is not a FileDescriptorSet: ");
  }

  @Test
  void anEmptyFileIsRefused() throws Exception {
    hostReady("api", "2.0.0");
    Path empty = dir.resolve("empty.binpb");
    Files.write(empty, new byte[0]);

    assertThatThrownBy(() -> ModuleRegistrations.of(config(empty), registry))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("(shop.api@2.0.0) is a FileDescriptorSet without any file");
  }
}
