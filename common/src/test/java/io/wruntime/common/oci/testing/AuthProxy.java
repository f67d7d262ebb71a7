package io.wruntime.common.oci.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The distribution API with authentication in front of a {@link TestRegistry}: the subset of
 * registry token authentication a client sees (Docker's token spec) or basic authentication. In
 * {@link Mode#BEARER}, a request without a valid token gets {@code 401} with {@code
 * WWW-Authenticate: Bearer realm="http://.../token",service="wruntime-test",scope=...}; {@code GET
 * /token} issues a token for the right basic credentials. In {@link Mode#BASIC} every request needs
 * those credentials. Requests that pass are forwarded to the registry, and {@code Location} headers
 * are rewritten to point here.
 */
public final class AuthProxy implements AutoCloseable {
  /** How clients must authenticate. */
  public enum Mode {
    BASIC,
    BEARER
  }

  /** The service name the challenge names and the token endpoint expects. */
  public static final String SERVICE = "wruntime-test";

  private static final Set<String> HOP_HEADERS =
      Set.of(
          "connection",
          "content-length",
          "host",
          "authorization",
          "transfer-encoding",
          "expect",
          "upgrade",
          "keep-alive");

  private final HttpServer server;
  private final HttpClient client = HttpClient.newBuilder().build();
  private final String upstream;
  private final Mode mode;
  private final String user;
  private final String password;

  /** Issued tokens and the actions each grants. */
  private final Map<String, String> tokens = new ConcurrentHashMap<>();

  private final AtomicInteger challenges = new AtomicInteger();
  private final AtomicInteger tokensIssued = new AtomicInteger();
  private final AtomicInteger tokensRefused = new AtomicInteger();
  private final List<String> tokenScopes = new java.util.concurrent.CopyOnWriteArrayList<>();

  private AuthProxy(TestRegistry registry, Mode mode, String user, String password)
      throws IOException {
    this.upstream = "http://" + registry.address();
    this.mode = mode;
    this.user = user;
    this.password = password;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/token", this::token);
    server.createContext("/v2/", this::forward);
    server.start();
  }

  /** Starts a proxy in front of {@code registry} accepting {@code user} and {@code password}. */
  public static AuthProxy start(TestRegistry registry, Mode mode, String user, String password)
      throws IOException {
    return new AuthProxy(registry, mode, user, password);
  }

  /** {@code 127.0.0.1:PORT}, the registry part of a reference through the proxy. */
  public String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** How many 401 challenges were sent. */
  public int challenges() {
    return challenges.get();
  }

  /** How many tokens were issued. */
  public int tokensIssued() {
    return tokensIssued.get();
  }

  /** How many token requests were refused for wrong or missing credentials. */
  public int tokensRefused() {
    return tokensRefused.get();
  }

  /** The scopes tokens were asked for, in order. */
  public List<String> tokenScopes() {
    return List.copyOf(tokenScopes);
  }

  private boolean credentialsMatch(HttpExchange exchange) {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return expected.equals(header);
  }

  private void token(HttpExchange exchange) throws IOException {
    try (exchange) {
      String query = exchange.getRequestURI().getRawQuery();
      Map<String, String> params = new java.util.LinkedHashMap<>();
      for (String pair : query == null ? new String[0] : query.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          params.put(
              pair.substring(0, eq),
              java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
      if (!SERVICE.equals(params.get("service")) || !credentialsMatch(exchange)) {
        tokensRefused.incrementAndGet();
        byte[] body =
            "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}"
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(401, body.length);
        exchange.getResponseBody().write(body);
        return;
      }
      tokenScopes.add(params.getOrDefault("scope", ""));
      String token = UUID.randomUUID().toString();
      String scope = params.getOrDefault("scope", "");
      tokens.put(token, scope.substring(scope.lastIndexOf(':') + 1));
      tokensIssued.incrementAndGet();
      byte[] body =
          ("{\"token\":\"" + token + "\",\"expires_in\":300}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    }
  }

  private boolean authorized(HttpExchange exchange) {
    if (mode == Mode.BASIC) {
      return credentialsMatch(exchange);
    }
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header == null || !header.startsWith("Bearer ")) {
      return false;
    }
    String actions = tokens.get(header.substring("Bearer ".length()));
    boolean push = !Set.of("GET", "HEAD").contains(exchange.getRequestMethod());
    return actions != null && (!push || List.of(actions.split(",")).contains("push"));
  }

  private void forward(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!authorized(exchange)) {
        challenges.incrementAndGet();
        String path = exchange.getRequestURI().getPath();
        String repository =
            path.replaceFirst("^/v2/", "").replaceFirst("/(manifests|blobs|tags)/.*$", "");
        boolean push = !Set.of("GET", "HEAD").contains(exchange.getRequestMethod());
        String challenge =
            mode == Mode.BASIC
                ? "Basic realm=\"wruntime-test\""
                : "Bearer realm=\"http://"
                    + address()
                    + "/token\",service=\""
                    + SERVICE
                    + "\",scope=\"repository:"
                    + repository
                    + (push ? ":pull,push\"" : ":pull\"");
        exchange.getResponseHeaders().set("WWW-Authenticate", challenge);
        exchange.getResponseHeaders().set("Docker-Distribution-API-Version", "registry/2.0");
        byte[] body =
            "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}"
                .getBytes(StandardCharsets.UTF_8);
        drain(exchange.getRequestBody());
        if (exchange.getRequestMethod().equals("HEAD")) {
          exchange.sendResponseHeaders(401, -1);
        } else {
          exchange.sendResponseHeaders(401, body.length);
          exchange.getResponseBody().write(body);
        }
        return;
      }
      byte[] requestBody = exchange.getRequestBody().readAllBytes();
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(upstream + exchange.getRequestURI()))
              .method(
                  exchange.getRequestMethod(),
                  requestBody.length == 0
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(requestBody));
      exchange
          .getRequestHeaders()
          .forEach(
              (name, values) -> {
                if (!HOP_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                  values.forEach(v -> request.header(name, v));
                }
              });
      HttpResponse<byte[]> response;
      try {
        response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      response
          .headers()
          .map()
          .forEach(
              (name, values) -> {
                String lower = name.toLowerCase(java.util.Locale.ROOT);
                if (lower.equals("content-length")
                    || lower.equals("transfer-encoding")
                    || lower.equals("connection")
                    || lower.equals(":status")) {
                  return;
                }
                for (String value : values) {
                  exchange
                      .getResponseHeaders()
                      .add(
                          name,
                          lower.equals("location")
                              ? value.replace(upstream, "http://" + address())
                              : value);
                }
              });
      byte[] body = response.body();
      if (exchange.getRequestMethod().equals("HEAD") || body.length == 0) {
        exchange.sendResponseHeaders(response.statusCode(), -1);
      } else {
        exchange.sendResponseHeaders(response.statusCode(), body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  private static void drain(InputStream in) throws IOException {
    in.readAllBytes();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
