package io.wruntime.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A JDK HTTP server on loopback port 0 that records every request and answers it with what the
 * test's handler returns: a stand-in for the proxy.
 */
public final class FakeHttpServer implements AutoCloseable {
  /**
   * A request as received.
   *
   * @param method the request method
   * @param path path and query
   * @param headers first value of each header, names lowercase
   * @param body the request body
   */
  public record Request(String method, String path, Map<String, String> headers, byte[] body) {
    public String header(String name) {
      return headers.get(name);
    }
  }

  /**
   * An answer.
   *
   * @param status the status
   * @param contentType the content-type, or null for none
   * @param body the body
   */
  public record Response(int status, String contentType, byte[] body) {}

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  private FakeHttpServer(HttpServer server) {
    this.server = server;
  }

  public static FakeHttpServer start(Function<Request, Response> handler) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    FakeHttpServer fake = new FakeHttpServer(server);
    server.createContext("/", exchange -> fake.handle(exchange, handler));
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    return fake;
  }

  private void handle(HttpExchange exchange, Function<Request, Response> handler)
      throws IOException {
    try (exchange) {
      Map<String, String> headers = new TreeMap<>();
      exchange
          .getRequestHeaders()
          .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.getFirst()));
      Request request =
          new Request(
              exchange.getRequestMethod(),
              exchange.getRequestURI().getRawPath()
                  + (exchange.getRequestURI().getRawQuery() == null
                      ? ""
                      : "?" + exchange.getRequestURI().getRawQuery()),
              headers,
              exchange.getRequestBody().readAllBytes());
      requests.add(request);
      Response response = handler.apply(request);
      if (response.contentType() != null) {
        exchange.getResponseHeaders().set("content-type", response.contentType());
      }
      exchange.sendResponseHeaders(
          response.status(), response.body().length == 0 ? -1 : response.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(response.body());
      }
    }
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String address() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Every request so far, in arrival order. */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
