package io.wruntime.common.oci;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An OCI image manifest or index, as far as wasm artifacts need it.
 *
 * @param mediaType the manifest's own media type
 * @param config the config descriptor (null for an index)
 * @param layers the layers of a manifest, or the manifests of an index, in order
 * @param artifactType the {@code artifactType} field, or null
 */
public record Manifest(
    String mediaType, Descriptor config, List<Descriptor> layers, String artifactType) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public Manifest {
    requireNonNull(mediaType, "mediaType");
    layers = List.copyOf(requireNonNull(layers, "layers"));
  }

  /** True for an index (a list of manifests). */
  public boolean isIndex() {
    return MediaTypes.INDEXES.contains(mediaType);
  }

  /**
   * Parses manifest JSON; {@code contentType} is what the registry said when the JSON has no {@code
   * mediaType} field.
   *
   * @throws OciException when the JSON is not a manifest or an index
   */
  public static Manifest parse(byte[] json, String contentType, String what) throws OciException {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new OciException(what + " is not JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new OciException(what + " is not a JSON object (expected: an OCI image manifest)");
    }
    String mediaType = root.path("mediaType").asText(null);
    if (mediaType == null && contentType != null) {
      mediaType = contentType.split(";", 2)[0].trim();
    }
    if (mediaType == null || mediaType.isEmpty()) {
      mediaType = root.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
    }
    boolean index = MediaTypes.INDEXES.contains(mediaType);
    if (!index && !MediaTypes.MANIFESTS.contains(mediaType)) {
      throw new OciException(
          what
              + " has media type "
              + mediaType
              + " (expected: "
              + MediaTypes.OCI_MANIFEST
              + " or "
              + MediaTypes.OCI_INDEX
              + ")");
    }
    Descriptor config = index ? null : descriptor(root.path("config"), what + " config");
    List<Descriptor> layers = new ArrayList<>();
    JsonNode list = root.path(index ? "manifests" : "layers");
    if (!list.isArray()) {
      throw new OciException(
          what + " has no " + (index ? "manifests" : "layers") + " array (expected: one)");
    }
    for (int i = 0; i < list.size(); i++) {
      layers.add(descriptor(list.get(i), what + (index ? " manifests[" : " layers[") + i + "]"));
    }
    return new Manifest(mediaType, config, layers, root.path("artifactType").asText(null));
  }

  private static Descriptor descriptor(JsonNode node, String what) throws OciException {
    if (!node.isObject()) {
      throw new OciException(what + " is missing (expected: a descriptor object)");
    }
    String mediaType = node.path("mediaType").asText("");
    try {
      return new Descriptor(
          mediaType, Digest.parse(node.path("digest").asText("")), node.path("size").asLong(-1));
    } catch (IllegalArgumentException e) {
      throw new OciException(what + ": " + e.getMessage(), e);
    }
  }

  /**
   * The JSON of an OCI image manifest with {@code config} and {@code layers}, as {@code push}
   * writes it: the same inputs give the same bytes, so pushing the same module twice gives the same
   * digest.
   */
  public static byte[] write(Descriptor config, List<Descriptor> layers, String artifactType) {
    ObjectNode root = JSON.createObjectNode();
    root.put("schemaVersion", 2);
    root.put("mediaType", MediaTypes.OCI_MANIFEST);
    if (artifactType != null) {
      root.put("artifactType", artifactType);
    }
    root.set("config", node(config));
    ArrayNode array = root.putArray("layers");
    for (Descriptor layer : layers) {
      array.add(node(layer));
    }
    try {
      return JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("writing manifest JSON failed", e);
    }
  }

  private static ObjectNode node(Descriptor descriptor) {
    ObjectNode node = JSON.createObjectNode();
    node.put("mediaType", descriptor.mediaType());
    node.put("digest", descriptor.digest().toString());
    node.put("size", descriptor.size());
    return node;
  }
}
