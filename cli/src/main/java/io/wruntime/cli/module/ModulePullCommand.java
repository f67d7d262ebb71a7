package io.wruntime.cli.module;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wruntime.cli.CliException;
import io.wruntime.cli.WrCli;
import io.wruntime.cli.output.OutputFormat;
import io.wruntime.common.oci.BlobCache;
import io.wruntime.common.oci.OciReference;
import io.wruntime.common.oci.PulledModule;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code wr-cli module pull REF}: fetches a module (and its schema layer) from an OCI registry,
 * verifying every digest, and writes it to a file.
 */
@Command(
    name = "pull",
    mixinStandardHelpOptions = true,
    description = "Pull a module (and its schema) from an OCI registry, every digest verified.")
public final class ModulePullCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "REF",
      description = "host[:port]/repository[:tag][@sha256:...]; a digest pins the content.")
  String reference;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "Where to write the module. Default: <last path component of REF>.wasm.")
  Path file;

  @Option(
      names = "--schema-out",
      paramLabel = "FILE",
      description = "Where to write the schema layer (fails when the artifact has none).")
  Path schemaOut;

  @Mixin RegistryOptions registry;

  @Override
  public Integer call() throws IOException {
    OciReference ref = RegistryOptions.reference(reference);
    Path target =
        file != null
            ? file
            : Path.of(ref.repository().substring(ref.repository().lastIndexOf('/') + 1) + ".wasm");
    Path cacheDir = Files.createTempDirectory("wr-cli-pull-");
    PulledModule pulled;
    try {
      pulled = registry.client(ref).pull(ref, new BlobCache(cacheDir));
      if (schemaOut != null && pulled.schemaFile() == null) {
        throw new CliException(
            pulled.reference()
                + " has no schema layer (expected: a layer of media type"
                + " application/vnd.wruntime.schema.v1+binpb, as module push --schema writes)");
      }
      copy(pulled.wasmFile(), target);
      if (schemaOut != null) {
        copy(pulled.schemaFile(), schemaOut);
      }
    } finally {
      deleteTree(cacheDir);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (WrCli.of(spec).output() == OutputFormat.JSON) {
      ObjectNode json = JSON.createObjectNode();
      json.put("digest", pulled.manifestDigest().toString());
      json.put("reference", pulled.reference().toString());
      json.put("file", target.toString());
      json.put("wasm", pulled.wasm().digest().toString());
      if (schemaOut != null) {
        json.put("schemaFile", schemaOut.toString());
        json.put("schema", pulled.schema().digest().toString());
      }
      out.println(json.toPrettyString());
    } else {
      out.println("digest:    " + pulled.manifestDigest());
      out.println("reference: " + pulled.reference());
      out.println("module:    " + target + " (" + pulled.wasm().digest() + ")");
      if (schemaOut != null) {
        out.println("schema:    " + schemaOut + " (" + pulled.schema().digest() + ")");
      }
    }
    out.flush();
    return 0;
  }

  private static void copy(Path from, Path to) throws IOException {
    if (Files.isDirectory(to)) {
      throw new CliException(to + " is a directory (expected: the path of the file to write)");
    }
    Path parent = to.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A leftover temporary directory is harmless.
    }
  }
}
