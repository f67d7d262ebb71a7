package io.wruntime.common.admin;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.wruntime.common.net.HostPort;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The admin listener of the manager and the proxy: {@code GET /healthz} (the process is up), {@code
 * GET /readyz} (the server says it serves; 503 with its reason otherwise) and {@code GET /metrics}
 * (Prometheus text). {@code HEAD} is answered too; other methods get 405, other paths 404, both
 * with a JSON error.
 */
public final class AdminServer implements AutoCloseable {
  private static final String JSON = "application/json";
  private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;

  private AdminServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds {@code address} and starts serving.
   *
   * @param notReady null when the server is ready, else why it is not (the {@code /readyz} detail)
   * @param metrics renders the Prometheus text exposition
   * @throws IOException when the address cannot be bound
   */
  public static AdminServer start(
      HostPort address, Supplier<String> notReady, Supplier<String> metrics) throws IOException {
    requireNonNull(address, "address");
    requireNonNull(notReady, "notReady");
    requireNonNull(metrics, "metrics");
    HttpServer server = HttpServer.create(address.toSocketAddress(), 0);
    ExecutorService executor =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("admin-", 0).factory());
    server.setExecutor(executor);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            handle(exchange, notReady, metrics);
          }
        });
    server.start();
    return new AdminServer(server, executor);
  }

  /** The bound address (the real port when configured as 0). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  private static void handle(
      HttpExchange exchange, Supplier<String> notReady, Supplier<String> metrics)
      throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      exchange.getResponseHeaders().set("Allow", "GET, HEAD");
      send(
          exchange,
          405,
          JSON,
          error(
              "method " + method + " is not allowed on " + path + " (expected: GET or HEAD)",
              "method_not_allowed"));
      return;
    }
    switch (path) {
      case "/healthz" -> send(exchange, 200, JSON, "{\"status\":\"ok\"}");
      case "/readyz" -> {
        String reason = notReady.get();
        if (reason == null) {
          send(exchange, 200, JSON, "{\"status\":\"ready\"}");
        } else {
          send(
              exchange,
              503,
              JSON,
              "{\"status\":\"not ready\",\"detail\":\"" + escape(reason) + "\"}");
        }
      }
      case "/metrics" -> send(exchange, 200, PROMETHEUS, metrics.get());
      default ->
          send(
              exchange,
              404,
              JSON,
              error(
                  "no admin endpoint at " + path + " (expected: /healthz, /readyz or /metrics)",
                  "not_found"));
    }
  }

  private static String error(String message, String code) {
    return "{\"error\":\"" + escape(message) + "\",\"code\":\"" + code + "\"}";
  }

  private static String escape(String text) {
    return text.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static void send(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdown();
  }
}
