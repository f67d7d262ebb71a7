package io.wruntime.cli.module;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wruntime.cli.CliException;
import io.wruntime.cli.WrCli;
import io.wruntime.cli.output.OutputFormat;
import io.wruntime.common.oci.OciReference;
import io.wruntime.common.oci.PushedModule;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code wr-cli module push FILE.wasm REF}: pushes a module, and optionally its schema, as an OCI
 * artifact and prints the manifest digest and the pinned reference.
 */
@Command(
    name = "push",
    mixinStandardHelpOptions = true,
    description = {
      "Push a module (and its schema) to an OCI registry; print the digest and the pinned"
          + " reference.",
      "Layout: config application/vnd.wasm.config.v0+json, layer application/wasm, schema layer"
          + " application/vnd.wruntime.schema.v1+binpb."
    })
public final class ModulePushCommand implements Callable<Integer> {
  private static final byte[] WASM_MAGIC = {0x00, 0x61, 0x73, 0x6d};
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE.wasm", description = "The module binary.")
  Path wasm;

  @Parameters(
      index = "1",
      paramLabel = "REF",
      description = "host[:port]/repository[:tag], e.g. registry.example.com/team/echo:1.0.0.")
  String reference;

  @Option(
      names = "--schema",
      paramLabel = "FILE",
      description = "The module's compiled schema (protoc --include_imports --descriptor_set_out).")
  Path schema;

  @Mixin RegistryOptions registry;

  @Override
  public Integer call() throws IOException {
    OciReference ref = RegistryOptions.reference(reference);
    byte[] module = read(wasm, "FILE.wasm");
    if (module.length < 8 || !java.util.Arrays.equals(module, 0, 4, WASM_MAGIC, 0, 4)) {
      throw new CliException(
          wasm + " is not a WebAssembly binary (expected: a file starting with \\0asm)");
    }
    byte[] schemaBytes = schema == null ? null : read(schema, "--schema");
    if (schemaBytes != null) {
      try {
        com.google.protobuf.DescriptorProtos.FileDescriptorSet.parseFrom(schemaBytes);
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new CliException(
            schema
                + " is not a compiled schema ("
                + e.getMessage()
                + "; expected: a FileDescriptorSet, as protoc --include_imports"
                + " --descriptor_set_out writes, not the .proto source)");
      }
    }
    PushedModule pushed = registry.client(ref).push(ref, module, schemaBytes);
    PrintWriter out = spec.commandLine().getOut();
    if (WrCli.of(spec).output() == OutputFormat.JSON) {
      ObjectNode json = JSON.createObjectNode();
      json.put("digest", pushed.manifestDigest().toString());
      json.put("reference", pushed.reference().toString());
      json.put("wasm", pushed.wasm().digest().toString());
      if (pushed.schema() != null) {
        json.put("schema", pushed.schema().digest().toString());
      }
      out.println(json.toPrettyString());
    } else {
      out.println("digest:    " + pushed.manifestDigest());
      out.println("reference: " + pushed.reference());
    }
    out.flush();
    return 0;
  }

  static byte[] read(Path file, String what) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CliException(what + " " + file + " does not exist");
    } catch (IOException e) {
      throw new CliException(what + " " + file + " cannot be read: " + e.getMessage(), e);
    }
  }
}
