package io.wruntime.engine.config;

import static java.util.Objects.requireNonNull;

import io.wruntime.common.oci.Digest;
import io.wruntime.common.oci.OciReference;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a module's binary comes from: exactly one of {@code wasm_path}, {@code wasm_image} or
 * {@code wasm_url} + {@code wasm_sha256}.
 */
public sealed interface WasmSource {
  /** How logs and errors name the source, e.g. {@code wasm_image registry.example.com/echo:1}. */
  String describe();

  /**
   * A file on the engine's disk ({@code wasm_path}).
   *
   * @param path absolute path (not checked here: a missing file makes the module unavailable)
   */
  record File(Path path) implements WasmSource {
    public File {
      requireNonNull(path, "path");
    }

    @Override
    public String describe() {
      return "wasm_path " + path;
    }
  }

  /**
   * An OCI artifact ({@code wasm_image}), fetched at start and verified by digest.
   *
   * @param reference the reference; a pinned one is fetched by its digest only
   * @param authFiles Docker config JSON files with registry credentials ({@code
   *     registry_auth_file}), the first naming a registry winning; empty for anonymous pulls
   */
  record Image(OciReference reference, List<Path> authFiles) implements WasmSource {
    public Image {
      requireNonNull(reference, "reference");
      authFiles = List.copyOf(requireNonNull(authFiles, "authFiles"));
    }

    @Override
    public String describe() {
      return "wasm_image " + reference;
    }
  }

  /**
   * A URL ({@code wasm_url}), fetched at start and verified against {@code wasm_sha256}.
   *
   * @param url an https URL, or http on loopback
   * @param sha256 the digest the content must have
   */
  record Url(URI url, Digest sha256) implements WasmSource {
    public Url {
      requireNonNull(url, "url");
      requireNonNull(sha256, "sha256");
    }

    @Override
    public String describe() {
      return "wasm_url " + url;
    }
  }
}
