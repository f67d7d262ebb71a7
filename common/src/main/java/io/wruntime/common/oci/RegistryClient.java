package io.wruntime.common.oci;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wruntime.common.net.HttpUrls;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client of the OCI distribution API for wasm modules: pulls a module (and its schema layer) into
 * a {@link BlobCache}, verifying every digest, and pushes one. Speaks anonymous, basic and bearer
 * token authentication: on a {@code 401} with {@code WWW-Authenticate: Bearer realm=...} it asks
 * the realm for a token (with the registry's credential, if any) and retries once. Plain HTTP is
 * used only for loopback registries and those listed as insecure; every other registry is reached
 * over HTTPS. Thread-safe.
 */
public final class RegistryClient {
  /** The most bytes a manifest may have. */
  static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

  /** The default most bytes of one blob. */
  public static final long DEFAULT_MAX_BLOB_BYTES = 512L * 1024 * 1024;

  /** The default time a registry has to answer one request (headers). */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private static final int MAX_REDIRECTS = 5;
  private static final String ACCEPT_MANIFESTS =
      String.join(
          ", ",
          MediaTypes.OCI_MANIFEST,
          MediaTypes.OCI_INDEX,
          MediaTypes.DOCKER_MANIFEST,
          MediaTypes.DOCKER_MANIFEST_LIST);
  private static final Pattern CHALLENGE_PARAM =
      Pattern.compile("([A-Za-z_]+)\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^\\s,]+))");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final RegistryCredentials credentials;
  private final Set<String> insecure;
  private final Duration requestTimeout;
  private final long maxBlobBytes;

  /** The Authorization header that last worked, per registry and scope. */
  private final Map<String, String> authorizations = new ConcurrentHashMap<>();

  private RegistryClient(Builder builder) {
    this.credentials = builder.credentials;
    this.insecure = Set.copyOf(builder.insecure);
    this.requestTimeout = builder.requestTimeout;
    this.maxBlobBytes = builder.maxBlobBytes;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(builder.connectTimeout)
            // Redirects are followed by hand: the Authorization header must not follow a blob to
            // another host (object stores refuse a request that carries two kinds of auth).
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** A builder with no credentials, no insecure registries and the default timeouts. */
  public static Builder builder() {
    return new Builder();
  }

  /** Options of a {@link RegistryClient}. */
  public static final class Builder {
    private RegistryCredentials credentials = RegistryCredentials.NONE;
    private final List<String> insecure = new ArrayList<>();
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private long maxBlobBytes = DEFAULT_MAX_BLOB_BYTES;

    private Builder() {}

    /** The credentials per registry. */
    public Builder credentials(RegistryCredentials value) {
      this.credentials = requireNonNull(value, "credentials");
      return this;
    }

    /**
     * Registries ({@code host} or {@code host:port}) reached over plain HTTP although they are not
     * on loopback.
     */
    public Builder insecure(Collection<String> registries) {
      for (String registry : requireNonNull(registries, "registries")) {
        insecure.add(registry.toLowerCase(Locale.ROOT));
      }
      return this;
    }

    /** How long a connection may take to open. */
    public Builder connectTimeout(Duration value) {
      this.connectTimeout = positive(value, "connectTimeout");
      return this;
    }

    /** How long a registry may take to answer one request with its headers. */
    public Builder requestTimeout(Duration value) {
      this.requestTimeout = positive(value, "requestTimeout");
      return this;
    }

    /** The most bytes one blob may have. */
    public Builder maxBlobBytes(long value) {
      if (value <= 0) {
        throw new IllegalArgumentException("maxBlobBytes: " + value + " (expected: positive)");
      }
      this.maxBlobBytes = value;
      return this;
    }

    public RegistryClient build() {
      return new RegistryClient(this);
    }

    private static Duration positive(Duration value, String name) {
      requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + ": " + value + " (expected: positive)");
      }
      return value;
    }
  }

  /**
   * Pulls the wasm module {@code reference} names into {@code cache}: resolves the manifest (from
   * the cache without a request when the reference is pinned and the manifest is cached), picks the
   * wasm layer ({@value MediaTypes#WASM_LAYER} or {@value MediaTypes#WASM_CONTENT_LAYER}) and the
   * schema layer ({@value MediaTypes#SCHEMA_LAYER}) if there is one, and fetches each blob that is
   * not cached yet. An index resolves to the first of its manifests that has a wasm layer.
   *
   * @throws DigestMismatchException when the manifest does not hash to the pinned digest, or a blob
   *     not to its descriptor's digest
   * @throws OciException when the registry is unreachable, refuses, or has no such manifest or no
   *     wasm layer
   */
  public PulledModule pull(OciReference reference, BlobCache cache) throws IOException {
    requireNonNull(reference, "reference");
    requireNonNull(cache, "cache");
    Scope scope = new Scope(reference, "pull");
    Resolved resolved = manifest(reference, reference.manifestReference(), cache, scope);
    Manifest manifest = resolved.manifest();
    Digest manifestDigest = resolved.digest();
    if (manifest.isIndex()) {
      Resolved chosen = null;
      for (Descriptor child : manifest.layers()) {
        if (!MediaTypes.MANIFESTS.contains(child.mediaType())) {
          continue;
        }
        Resolved candidate = manifest(reference, child.digest().toString(), cache, scope);
        if (!candidate.digest().equals(child.digest())) {
          throw new DigestMismatchException(
              "manifest " + child.digest() + " of " + reference,
              child.digest(),
              candidate.digest());
        }
        if (wasmLayer(candidate.manifest()).isPresent()) {
          chosen = candidate;
          break;
        }
      }
      if (chosen == null) {
        throw new OciException(
            "index "
                + manifestDigest
                + " of "
                + reference
                + " lists no manifest with a wasm layer (expected: a manifest with a layer of media"
                + " type "
                + MediaTypes.WASM_LAYER
                + " or "
                + MediaTypes.WASM_CONTENT_LAYER
                + ")");
      }
      manifest = chosen.manifest();
      manifestDigest = chosen.digest();
    }
    OciReference pinned = reference.pinned(manifestDigest);
    Manifest chosenManifest = manifest;
    Descriptor wasm =
        wasmLayer(chosenManifest)
            .orElseThrow(
                () ->
                    new OciException(
                        "manifest "
                            + pinned
                            + " has no wasm layer (layers: "
                            + layerTypes(chosenManifest)
                            + "; expected: a layer of media type "
                            + MediaTypes.WASM_LAYER
                            + " or "
                            + MediaTypes.WASM_CONTENT_LAYER
                            + ")"));
    Path wasmFile = blob(reference, wasm, cache, scope);
    Descriptor schema =
        manifest.layers().stream()
            .filter(l -> l.mediaType().equals(MediaTypes.SCHEMA_LAYER))
            .findFirst()
            .orElse(null);
    Path schemaFile = schema == null ? null : blob(reference, schema, cache, scope);
    return new PulledModule(pinned, wasm, wasmFile, schema, schemaFile);
  }

  /**
   * Pushes a wasm module as an OCI artifact in the CNCF wasm layout: config {@value
   * MediaTypes#WASM_CONFIG}, the module as a {@value MediaTypes#WASM_LAYER} layer and, when {@code
   * schema} is not null, the schema as a {@value MediaTypes#SCHEMA_LAYER} layer. Blobs the registry
   * has already are not uploaded again. The manifest goes to the reference's tag, or by digest only
   * when it has none. The same inputs always give the same manifest digest.
   *
   * @throws OciException when the reference is pinned, or the registry is unreachable or refuses
   */
  public PushedModule push(OciReference reference, byte[] wasm, byte[] schema) throws IOException {
    requireNonNull(reference, "reference");
    requireNonNull(wasm, "wasm");
    if (reference.isPinned()) {
      throw new OciException(
          "push reference "
              + reference
              + " names a digest (expected: host/repository[:tag]; the digest is computed)");
    }
    Scope scope = new Scope(reference, "pull,push");
    Descriptor wasmLayer = Descriptor.of(MediaTypes.WASM_LAYER, wasm);
    byte[] config = wasmConfig(wasm, wasmLayer.digest());
    Descriptor configDescriptor = Descriptor.of(MediaTypes.WASM_CONFIG, config);
    List<Descriptor> layers = new ArrayList<>();
    layers.add(wasmLayer);
    Descriptor schemaLayer = null;
    if (schema != null) {
      schemaLayer = Descriptor.of(MediaTypes.SCHEMA_LAYER, schema);
      layers.add(schemaLayer);
    }
    upload(reference, configDescriptor, config, scope);
    upload(reference, wasmLayer, wasm, scope);
    if (schemaLayer != null) {
      upload(reference, schemaLayer, schema, scope);
    }
    byte[] manifest = Manifest.write(configDescriptor, layers, null);
    Digest digest = Digest.of(manifest);
    String target = reference.tag() != null ? reference.tag() : digest.toString();
    URI uri = uri(reference, "manifests/" + target);
    HttpResponse<InputStream> response =
        send(
            scope,
            HttpRequest.newBuilder(uri)
                .header("Content-Type", MediaTypes.OCI_MANIFEST)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
    expect(response, 201, "PUT " + uri);
    closeQuietly(response);
    Optional<String> echoed = response.headers().firstValue("Docker-Content-Digest");
    if (echoed.isPresent() && !echoed.get().equals(digest.toString())) {
      throw new OciException(
          "registry "
              + reference.registry()
              + " stored manifest "
              + reference
              + " as "
              + echoed.get()
              + " (expected: "
              + digest
              + ", the digest of the bytes sent)");
    }
    return new PushedModule(reference.pinned(digest), wasmLayer, schemaLayer);
  }

  /** Who asks: the registry, the repository and the actions of a token scope. */
  private record Scope(OciReference reference, String actions) {
    String key() {
      return reference.registry() + "|" + reference.repository() + "|" + actions;
    }

    String tokenScope() {
      return "repository:" + reference.repository() + ":" + actions;
    }
  }

  private record Resolved(Manifest manifest, Digest digest) {}

  private Resolved manifest(OciReference reference, String target, BlobCache cache, Scope scope)
      throws IOException {
    String what = "manifest " + reference.registry() + "/" + reference.repository() + "@" + target;
    Digest expected = target.startsWith(Digest.ALGORITHM + ":") ? Digest.parse(target) : null;
    if (expected != null) {
      Optional<byte[]> cached = cache.read(expected);
      if (cached.isPresent()) {
        return new Resolved(Manifest.parse(cached.get(), null, what), expected);
      }
    }
    URI uri = uri(reference, "manifests/" + target);
    HttpResponse<InputStream> response =
        send(scope, HttpRequest.newBuilder(uri).header("Accept", ACCEPT_MANIFESTS).GET());
    if (response.statusCode() == 404) {
      String detail = errorText(response);
      throw new OciException(
          reference.registry()
              + " has no "
              + what
              + " (404"
              + detail
              + "; expected: a pushed artifact, e.g. wr-cli module push)");
    }
    expect(response, 200, "GET " + uri);
    byte[] bytes;
    try (InputStream in = response.body()) {
      bytes = in.readNBytes(MAX_MANIFEST_BYTES + 1);
    }
    if (bytes.length > MAX_MANIFEST_BYTES) {
      throw new OciException(
          what + " is longer than " + MAX_MANIFEST_BYTES + " bytes (expected: a manifest)");
    }
    Digest actual = Digest.of(bytes);
    if (expected != null && !actual.equals(expected)) {
      throw new DigestMismatchException(what, expected, actual);
    }
    Optional<String> header = response.headers().firstValue("Docker-Content-Digest");
    if (expected == null && header.isPresent() && !header.get().equals(actual.toString())) {
      throw new DigestMismatchException(what, parseDigest(header.get(), what), actual);
    }
    Manifest manifest =
        Manifest.parse(bytes, response.headers().firstValue("Content-Type").orElse(null), what);
    cache.put(bytes);
    return new Resolved(manifest, actual);
  }

  private Path blob(OciReference reference, Descriptor descriptor, BlobCache cache, Scope scope)
      throws IOException {
    Optional<Path> cached = cache.find(descriptor.digest());
    if (cached.isPresent()) {
      return cached.get();
    }
    String what =
        "blob "
            + descriptor.digest()
            + " ("
            + descriptor.mediaType()
            + ") of "
            + reference.registry()
            + "/"
            + reference.repository();
    if (descriptor.size() > maxBlobBytes) {
      throw new OciException(
          what + " has " + descriptor.size() + " bytes (expected: at most " + maxBlobBytes + ")");
    }
    URI uri = uri(reference, "blobs/" + descriptor.digest());
    HttpResponse<InputStream> response = send(scope, HttpRequest.newBuilder(uri).GET());
    int redirects = 0;
    while (isRedirect(response.statusCode()) && redirects++ < MAX_REDIRECTS) {
      closeQuietly(response);
      HttpResponse<InputStream> redirect = response;
      String location =
          redirect
              .headers()
              .firstValue("Location")
              .orElseThrow(
                  () ->
                      new OciException(
                          "GET "
                              + uri
                              + " answered "
                              + redirect.statusCode()
                              + " without Location"));
      URI next = redirect.uri().resolve(location);
      if ("http".equalsIgnoreCase(next.getScheme())
          && !"http".equalsIgnoreCase(uri.getScheme())
          && !isInsecure(hostPort(next))) {
        throw new OciException(
            what + " redirects to plain-HTTP " + next + " (expected: an https:// location)");
      }
      HttpRequest.Builder request = HttpRequest.newBuilder(next).GET().timeout(requestTimeout);
      String auth = authorizations.get(scope.key());
      if (auth != null && sameOrigin(next, uri)) {
        request.header("Authorization", auth);
      }
      response = exchange(request.build(), reference.registry());
    }
    if (response.statusCode() == 404) {
      String detail = errorText(response);
      throw new OciException(
          reference.registry()
              + " has no "
              + what
              + " (404"
              + detail
              + "; expected: the layer the manifest lists)");
    }
    expect(response, 200, "GET " + uri);
    try (InputStream in = response.body()) {
      return cache.put(in, descriptor.digest(), what, descriptor.size());
    }
  }

  private void upload(OciReference reference, Descriptor descriptor, byte[] bytes, Scope scope)
      throws IOException {
    URI head = uri(reference, "blobs/" + descriptor.digest());
    HttpResponse<InputStream> exists =
        send(
            scope,
            HttpRequest.newBuilder(head).method("HEAD", HttpRequest.BodyPublishers.noBody()));
    closeQuietly(exists);
    if (exists.statusCode() == 200) {
      return;
    }
    URI start = uri(reference, "blobs/uploads/");
    HttpResponse<InputStream> started =
        send(scope, HttpRequest.newBuilder(start).POST(HttpRequest.BodyPublishers.noBody()));
    expect(started, 202, "POST " + start);
    closeQuietly(started);
    String location =
        started
            .headers()
            .firstValue("Location")
            .orElseThrow(
                () -> new OciException("POST " + start + " answered 202 without a Location"));
    URI session = started.uri().resolve(location);
    String separator = session.getRawQuery() == null ? "?" : "&";
    URI put =
        URI.create(
            session
                + separator
                + "digest="
                + URLEncoder.encode(descriptor.digest().toString(), StandardCharsets.UTF_8));
    HttpResponse<InputStream> done =
        send(
            scope,
            HttpRequest.newBuilder(put)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)));
    expect(done, 201, "PUT " + session.getPath() + " (" + descriptor.digest() + ")");
    closeQuietly(done);
  }

  /**
   * Sends a request to the registry; on a {@code 401} authenticates as the challenge asks and sends
   * it once more.
   */
  private HttpResponse<InputStream> send(Scope scope, HttpRequest.Builder builder)
      throws IOException {
    builder.timeout(requestTimeout);
    String registry = scope.reference().registry();
    String auth = authorizations.get(scope.key());
    HttpRequest.Builder first = builder.copy();
    if (auth != null) {
      first.header("Authorization", auth);
    }
    HttpRequest request = first.build();
    HttpResponse<InputStream> response = exchange(request, registry);
    if (response.statusCode() != 401) {
      return response;
    }
    closeQuietly(response);
    String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
    String fresh = authenticate(scope, challenge, request);
    if (fresh == null) {
      throw new OciException(
          "registry "
              + registry
              + " refused the credentials"
              + userOf(registry)
              + " for "
              + request.method()
              + " "
              + request.uri().getPath()
              + " (401)");
    }
    authorizations.put(scope.key(), fresh);
    HttpResponse<InputStream> retried =
        exchange(builder.copy().header("Authorization", fresh).build(), registry);
    if (retried.statusCode() == 401) {
      closeQuietly(retried);
      throw new OciException(
          "registry "
              + registry
              + " refused "
              + (fresh.startsWith("Bearer") ? "the token issued" : "the credentials")
              + userOf(registry)
              + " for "
              + scope.tokenScope()
              + " (401; expected: a user allowed to "
              + scope.actions()
              + " "
              + scope.reference().repository()
              + ")");
    }
    return retried;
  }

  /**
   * The Authorization header that answers {@code challenge}, or null when the header already sent
   * was built from the same credential (it was refused; sending it again cannot help).
   */
  private String authenticate(Scope scope, String challenge, HttpRequest refused)
      throws IOException {
    String registry = scope.reference().registry();
    RegistryCredentials.Credential credential = credentials.forRegistry(registry);
    String scheme = challenge.trim().split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
    if (scheme.equals("basic")) {
      if (credential == null) {
        throw new OciException(
            "registry "
                + registry
                + " requires credentials for "
                + refused.method()
                + " "
                + refused.uri().getPath()
                + " (401, basic; expected: an entry for "
                + registry
                + " in the registry auth file)");
      }
      String header = credential.basicHeader();
      return header.equals(refused.headers().firstValue("Authorization").orElse(null))
          ? null
          : header;
    }
    if (!scheme.equals("bearer")) {
      throw new OciException(
          "registry "
              + registry
              + " answered 401 with WWW-Authenticate \""
              + challenge
              + "\" (expected: a Basic or Bearer challenge)");
    }
    Map<String, String> params = challengeParams(challenge);
    String realm = params.get("realm");
    if (realm == null || realm.isEmpty()) {
      throw new OciException(
          "registry " + registry + " sent a Bearer challenge without realm: \"" + challenge + "\"");
    }
    URI realmUri;
    try {
      realmUri = URI.create(realm);
    } catch (IllegalArgumentException e) {
      throw new OciException("registry " + registry + " names token realm \"" + realm + "\"", e);
    }
    if (!"https".equalsIgnoreCase(realmUri.getScheme())
        && !("http".equalsIgnoreCase(realmUri.getScheme()) && isInsecure(hostPort(realmUri)))) {
      throw new OciException(
          "registry "
              + registry
              + " names token realm "
              + realm
              + " (expected: an https:// URL, or http:// on loopback or an insecure registry)");
    }
    StringBuilder query = new StringBuilder();
    if (params.containsKey("service")) {
      query
          .append("service=")
          .append(URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8));
    }
    // Ask for what this client is about to do (a push needs pull,push even when the challenge of
    // its first HEAD names pull only), plus whatever else the challenge names.
    java.util.LinkedHashSet<String> scopes = new java.util.LinkedHashSet<>();
    scopes.add(scope.tokenScope());
    for (String s : params.getOrDefault("scope", "").split(" ")) {
      if (!s.isEmpty() && !scope.tokenScope().startsWith(s)) {
        scopes.add(s);
      }
    }
    String tokenScope = String.join(" ", scopes);
    for (String s : scopes) {
      query.append(query.isEmpty() ? "" : "&").append("scope=");
      query.append(URLEncoder.encode(s, StandardCharsets.UTF_8));
    }
    URI tokenUri =
        URI.create(realm + (query.isEmpty() ? "" : (realm.contains("?") ? "&" : "?") + query));
    HttpRequest.Builder request = HttpRequest.newBuilder(tokenUri).GET().timeout(requestTimeout);
    if (credential != null) {
      request.header("Authorization", credential.basicHeader());
    }
    HttpResponse<InputStream> response = exchange(request.build(), hostPort(realmUri));
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      closeQuietly(response);
      throw new OciException(
          "token endpoint "
              + realmUri.getScheme()
              + "://"
              + realmUri.getAuthority()
              + realmUri.getPath()
              + " of registry "
              + registry
              + (credential == null
                  ? " refused an anonymous token for "
                  : " refused the credentials of user " + credential.username() + " for ")
              + tokenScope
              + " ("
              + response.statusCode()
              + "; expected: "
              + (credential == null
                  ? "an entry for " + registry + " in the registry auth file"
                  : "a user and password the registry accepts")
              + ")");
    }
    expect(response, 200, "GET " + realmUri);
    JsonNode body;
    try (InputStream in = response.body()) {
      body = JSON.readTree(in.readNBytes(1024 * 1024));
    } catch (IOException e) {
      throw new OciException("token endpoint " + realm + " answered no JSON: " + e.getMessage(), e);
    }
    String token = body == null ? "" : body.path("token").asText("");
    if (token.isEmpty()) {
      token = body == null ? "" : body.path("access_token").asText("");
    }
    if (token.isEmpty()) {
      throw new OciException(
          "token endpoint " + realm + " answered without a token (expected: {\"token\": ...})");
    }
    return "Bearer " + token;
  }

  private HttpResponse<InputStream> exchange(HttpRequest request, String registry)
      throws IOException {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpTimeoutException e) {
      throw new OciException(
          "registry "
              + registry
              + " did not answer "
              + request.method()
              + " "
              + request.uri()
              + " within "
              + requestTimeout.toSeconds()
              + " s",
          e);
    } catch (ConnectException e) {
      throw new OciException(
          "registry "
              + registry
              + " is unreachable: "
              + (e.getMessage() != null ? e.getMessage() : "connection refused")
              + " ("
              + request.method()
              + " "
              + request.uri()
              + ")",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException interrupted =
          new InterruptedIOException(request.method() + " " + request.uri() + " was interrupted");
      interrupted.initCause(e);
      throw interrupted;
    } catch (IOException e) {
      throw new OciException(
          "registry " + registry + " failed " + request.method() + " " + request.uri() + ": " + e,
          e);
    }
  }

  private static void expect(HttpResponse<InputStream> response, int status, String what)
      throws OciException {
    if (response.statusCode() == status) {
      return;
    }
    String detail = errorText(response);
    throw new OciException(
        what + " answered " + response.statusCode() + detail + " (expected: " + status + ")");
  }

  /** The codes and messages of an OCI error body, as {@code ": CODE message"}, or "". */
  private static String errorText(HttpResponse<InputStream> response) {
    byte[] bytes;
    try (InputStream in = response.body()) {
      bytes = in.readNBytes(8192);
    } catch (IOException e) {
      return "";
    }
    try {
      JsonNode errors = JSON.readTree(bytes).path("errors");
      List<String> parts = new ArrayList<>();
      for (JsonNode error : errors) {
        parts.add((error.path("code").asText("") + " " + error.path("message").asText("")).trim());
      }
      return parts.isEmpty() ? "" : ": " + String.join("; ", parts);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static Optional<Descriptor> wasmLayer(Manifest manifest) {
    for (String type : List.of(MediaTypes.WASM_LAYER, MediaTypes.WASM_CONTENT_LAYER)) {
      for (Descriptor layer : manifest.layers()) {
        if (layer.mediaType().equals(type)) {
          return Optional.of(layer);
        }
      }
    }
    return Optional.empty();
  }

  private static String layerTypes(Manifest manifest) {
    List<String> types = manifest.layers().stream().map(Descriptor::mediaType).toList();
    return types.isEmpty() ? "none" : String.join(", ", types);
  }

  /**
   * The wasm config of the CNCF layout. No timestamps: the same module always gives the same
   * config, so the same manifest.
   */
  private static byte[] wasmConfig(byte[] wasm, Digest layer) {
    boolean component = wasm.length >= 8 && (wasm[4] != 1 || wasm[5] != 0 || wasm[6] != 0);
    ObjectNode config = JSON.createObjectNode();
    config.put("architecture", "wasm");
    config.put("os", component ? "wasip2" : "wasip1");
    config.putArray("layerDigests").add(layer.toString());
    try {
      return JSON.writeValueAsBytes(config);
    } catch (IOException e) {
      throw new IllegalStateException("writing the wasm config failed", e);
    }
  }

  private static Map<String, String> challengeParams(String challenge) {
    String rest = challenge.trim();
    int space = rest.indexOf(' ');
    rest = space < 0 ? "" : rest.substring(space + 1);
    Map<String, String> params = new java.util.LinkedHashMap<>();
    Matcher m = CHALLENGE_PARAM.matcher(rest);
    while (m.find()) {
      String value = m.group(2) != null ? m.group(2).replaceAll("\\\\(.)", "$1") : m.group(3);
      params.put(m.group(1).toLowerCase(Locale.ROOT), value);
    }
    return params;
  }

  private String userOf(String registry) {
    RegistryCredentials.Credential credential = credentials.forRegistry(registry);
    return credential == null ? "" : " of user " + credential.username();
  }

  private URI uri(OciReference reference, String path) {
    String scheme = isInsecure(reference.registry()) ? "http" : "https";
    return URI.create(
        scheme + "://" + reference.registry() + "/v2/" + reference.repository() + "/" + path);
  }

  /**
   * Whether {@code registry} ({@code host[:port]}) is reached over plain HTTP: on loopback, or
   * listed as insecure.
   */
  public boolean isInsecure(String registry) {
    String lower = registry.toLowerCase(Locale.ROOT);
    if (insecure.contains(lower)) {
      return true;
    }
    String host = lower;
    if (host.startsWith("[")) {
      host = host.substring(1, Math.max(1, host.indexOf(']')));
    } else if (host.indexOf(':') == host.lastIndexOf(':') && host.contains(":")) {
      host = host.substring(0, host.indexOf(':'));
    }
    return insecure.contains(host) || isLoopback(host);
  }

  /** {@code localhost} or a loopback IP literal; names other than localhost are not resolved. */
  static boolean isLoopback(String host) {
    return HttpUrls.isLoopbackHost(host);
  }

  private static String hostPort(URI uri) {
    return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && hostPort(a).equalsIgnoreCase(hostPort(b));
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  private static Digest parseDigest(String text, String what) throws OciException {
    try {
      return Digest.parse(text);
    } catch (IllegalArgumentException e) {
      throw new OciException(what + ": Docker-Content-Digest " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(HttpResponse<InputStream> response) {
    try {
      response.body().close();
    } catch (IOException e) {
      // Nothing to do: the body was not needed.
    }
  }
}
