package io.wruntime.operator.config;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.wruntime.common.config.TomlTable;
import io.wruntime.operator.model.ResourceChecks;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the operator puts into every engine pod: the images of its two containers, how to pull them,
 * where traces go, and the containers' default resources (a WasmModule's own win).
 *
 * @param engineImage the wr-engine image
 * @param proxyImage the wr-proxy image
 * @param imagePullPolicy Always, IfNotPresent or Never
 * @param imagePullSecrets Secrets for pulling the two images, in the WasmModule's namespace
 * @param otelEndpoint OTEL_EXPORTER_OTLP_ENDPOINT of both containers, or null for no export
 * @param engineResources default requests and limits of the engine container
 * @param proxyResources default requests and limits of the proxy container
 * @param nodeTlsSecret the Secret (keys {@code tls.crt}, {@code tls.key}, {@code ca.crt}, in the
 *     WasmModule's namespace) with the certificate of role {@code node} that every proxy uses for
 *     mTLS to the manager and to other proxies ({@code [proxy] tls_secret}); null for plaintext
 */
public record PodDefaults(
    String engineImage,
    String proxyImage,
    String imagePullPolicy,
    List<String> imagePullSecrets,
    String otelEndpoint,
    ResourceRequirements engineResources,
    ResourceRequirements proxyResources,
    String nodeTlsSecret) {
  private static final Set<String> ENGINE_KEYS =
      Set.of("image", "image_pull_policy", "image_pull_secrets", "otel_endpoint", "resources");
  private static final Set<String> PROXY_KEYS = Set.of("image", "resources", "tls_secret");
  private static final Pattern SECRET_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Set<String> RESOURCE_KEYS = Set.of("requests", "limits");
  private static final Set<String> RESOURCE_NAMES = Set.of("cpu", "memory", "ephemeral-storage");
  private static final Set<String> PULL_POLICIES = Set.of("Always", "IfNotPresent", "Never");
  private static final Pattern IMAGE = Pattern.compile("[^\\s]+(:[^\\s:/]+|@sha256:[a-f0-9]{64})");
  private static final Pattern QUANTITY =
      Pattern.compile("([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)");

  public PodDefaults {
    requireNonNull(engineImage, "engineImage");
    requireNonNull(proxyImage, "proxyImage");
    requireNonNull(imagePullPolicy, "imagePullPolicy");
    imagePullSecrets = List.copyOf(imagePullSecrets);
    requireNonNull(engineResources, "engineResources");
    requireNonNull(proxyResources, "proxyResources");
  }

  static PodDefaults from(TomlTable root) {
    TomlTable engine =
        root.table("engine")
            .orElseThrow(
                () ->
                    root.error(
                        "engine",
                        "is missing (expected: a table [engine] with image = \"REGISTRY/wr-engine:TAG\")"));
    engine.rejectUnknownKeys(ENGINE_KEYS);
    TomlTable proxy =
        root.table("proxy")
            .orElseThrow(
                () ->
                    root.error(
                        "proxy",
                        "is missing (expected: a table [proxy] with image = \"REGISTRY/wr-proxy:TAG\")"));
    proxy.rejectUnknownKeys(PROXY_KEYS);
    String policy = engine.string("image_pull_policy", "IfNotPresent");
    if (!PULL_POLICIES.contains(policy)) {
      throw engine.error(
          "image_pull_policy", "= \"" + policy + "\" (expected: Always, IfNotPresent or Never)");
    }
    String otel = engine.string("otel_endpoint", "");
    if (!otel.isEmpty()) {
      URI uri;
      try {
        uri = URI.create(otel);
      } catch (IllegalArgumentException e) {
        uri = null;
      }
      if (uri == null
          || uri.getHost() == null
          || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
        throw engine.error(
            "otel_endpoint",
            "= \""
                + otel
                + "\" (expected: an OTLP/HTTP base URL such as http://otel-collector.observability:4318, or \"\" for none)");
      }
    }
    String tlsSecret = proxy.string("tls_secret", "");
    if (!tlsSecret.isEmpty()
        && (tlsSecret.length() > 253 || !SECRET_NAME.matcher(tlsSecret).matches())) {
      throw proxy.error(
          "tls_secret",
          "= \""
              + tlsSecret
              + "\" (expected: the name of a Secret with tls.crt, tls.key and ca.crt, or \"\" for"
              + " plaintext)");
    }
    return new PodDefaults(
        image(engine, "wr-engine"),
        image(proxy, "wr-proxy"),
        policy,
        engine.strings("image_pull_secrets"),
        otel.isEmpty() ? null : otel,
        resources(engine),
        resources(proxy),
        tlsSecret.isEmpty() ? null : tlsSecret);
  }

  private static String image(TomlTable table, String name) {
    String image =
        table
            .string("image")
            .orElseThrow(
                () ->
                    table.error(
                        "image",
                        "is missing (expected: an image such as REGISTRY/" + name + ":TAG)"));
    if (!IMAGE.matcher(image).matches()) {
      throw table.error(
          "image",
          "= \""
              + image
              + "\" (expected: an image with a tag or digest, e.g. wruntime/"
              + name
              + ":0.1.0)");
    }
    return image;
  }

  private static ResourceRequirements resources(TomlTable container) {
    TomlTable table = container.table("resources").orElse(null);
    ResourceRequirementsBuilder out = new ResourceRequirementsBuilder();
    if (table == null) {
      return out.build();
    }
    table.rejectUnknownKeys(RESOURCE_KEYS);
    out.withRequests(quantities(table, "requests"));
    out.withLimits(quantities(table, "limits"));
    ResourceRequirements resources = out.build();
    String problem = ResourceChecks.requestsAboveLimits(resources);
    if (problem != null) {
      throw container.error("resources", problem);
    }
    return resources;
  }

  private static Map<String, Quantity> quantities(TomlTable table, String key) {
    TomlTable values = table.table(key).orElse(null);
    Map<String, Quantity> out = new LinkedHashMap<>();
    if (values == null) {
      return out;
    }
    values.rejectUnknownKeys(RESOURCE_NAMES);
    for (String name : RESOURCE_NAMES.stream().sorted().toList()) {
      String value = values.string(name).orElse(null);
      if (value == null) {
        continue;
      }
      if (!QUANTITY.matcher(value).matches()) {
        throw values.error(
            name, "= \"" + value + "\" (expected: a Kubernetes quantity such as 100m, 256Mi or 1)");
      }
      out.put(name, new Quantity(value));
    }
    return out;
  }
}
