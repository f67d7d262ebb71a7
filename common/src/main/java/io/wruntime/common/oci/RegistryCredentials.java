package io.wruntime.common.oci;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * User names and passwords per registry host, read from Docker config JSON files (a {@code
 * kubernetes.io/dockerconfigjson} Secret's {@code .dockerconfigjson}, or {@code
 * ~/.docker/config.json}): {@code {"auths": {"host": {"auth": base64(user:pass)}}}} or {@code
 * {"username", "password"}}. Keys may be bare hosts or URLs ({@code https://host/v1/}). When
 * several files are read, the first that names a host wins. Passwords never appear in messages or
 * {@link #toString()}.
 */
public final class RegistryCredentials {
  /** A user name and password (or token) for basic authentication. */
  public record Credential(String username, String password) {
    public Credential {
      requireNonNull(username, "username");
      requireNonNull(password, "password");
    }

    /** The value of an {@code Authorization: Basic} header. */
    public String basicHeader() {
      return "Basic "
          + Base64.getEncoder()
              .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
      return "Credential[username=" + username + ", password=<redacted>]";
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Credentials for no registry: every request goes anonymously. */
  public static final RegistryCredentials NONE = new RegistryCredentials(Map.of());

  private final Map<String, Credential> byHost;

  private RegistryCredentials(Map<String, Credential> byHost) {
    this.byHost = Map.copyOf(byHost);
  }

  /** Credentials for exactly these hosts ({@code host[:port]}). */
  public static RegistryCredentials of(Map<String, Credential> byHost) {
    Map<String, Credential> normalized = new LinkedHashMap<>();
    requireNonNull(byHost, "byHost").forEach((host, c) -> normalized.put(normalize(host), c));
    return new RegistryCredentials(normalized);
  }

  /**
   * Reads Docker config JSON files; for a host named in several, the first file wins.
   *
   * @throws OciException naming the file and what is wrong with it (never a password)
   */
  public static RegistryCredentials load(List<Path> files) throws OciException {
    Map<String, Credential> merged = new LinkedHashMap<>();
    for (Path file : requireNonNull(files, "files")) {
      parse(file).forEach(merged::putIfAbsent);
    }
    return new RegistryCredentials(merged);
  }

  private static Map<String, Credential> parse(Path file) throws OciException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new OciException(
          "registry auth file " + file + " does not exist (expected: a Docker config JSON file)");
    } catch (IOException e) {
      throw new OciException("registry auth file " + file + " cannot be read: " + e, e);
    }
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new OciException(
          "registry auth file "
              + file
              + " is not JSON (expected: {\"auths\": {\"host\": {\"auth\": \"<base64 of"
              + " user:password>\"}}})");
    }
    JsonNode auths = root == null ? null : root.get("auths");
    if (auths == null || !auths.isObject()) {
      throw new OciException(
          "registry auth file "
              + file
              + " has no \"auths\" object (expected: {\"auths\": {\"host\": {\"auth\": \"<base64"
              + " of user:password>\"}}})");
    }
    Map<String, Credential> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : auths.properties()) {
      JsonNode value = entry.getValue();
      String where = "registry auth file " + file + ": auths[\"" + entry.getKey() + "\"]";
      String user = value.path("username").asText("");
      String password = value.path("password").asText("");
      String auth = value.path("auth").asText("");
      if (!auth.isEmpty()) {
        String decoded;
        try {
          decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          throw new OciException(where + ".auth is not base64 (expected: base64 of user:password)");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
          throw new OciException(
              where + ".auth decodes to no user:password pair (expected: base64 of user:password)");
        }
        user = decoded.substring(0, colon);
        password = decoded.substring(colon + 1);
      }
      if (user.isEmpty() && password.isEmpty()) {
        continue;
      }
      out.putIfAbsent(normalize(entry.getKey()), new Credential(user, password));
    }
    return out;
  }

  /** The credential for {@code registry} ({@code host[:port]}), or null. */
  public Credential forRegistry(String registry) {
    requireNonNull(registry, "registry");
    Credential credential = byHost.get(normalize(registry));
    if (credential == null && isDockerHub(registry)) {
      for (String alias : List.of("docker.io", "index.docker.io", "registry-1.docker.io")) {
        credential = byHost.get(alias);
        if (credential != null) {
          break;
        }
      }
    }
    return credential;
  }

  /** Whether no registry has a credential. */
  public boolean isEmpty() {
    return byHost.isEmpty();
  }

  private static boolean isDockerHub(String registry) {
    String host = normalize(registry);
    return host.equals("docker.io")
        || host.equals("index.docker.io")
        || host.equals("registry-1.docker.io");
  }

  /** {@code https://Host:5000/v1/} and {@code host:5000} name the same registry. */
  static String normalize(String key) {
    String host = key.trim();
    int scheme = host.indexOf("://");
    if (scheme >= 0) {
      host = host.substring(scheme + 3);
    }
    int slash = host.indexOf('/');
    if (slash >= 0) {
      host = host.substring(0, slash);
    }
    return host.toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return "RegistryCredentials" + byHost.keySet();
  }
}
