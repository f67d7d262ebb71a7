package io.wruntime.engine.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.wruntime.common.net.HostPort;
import io.wruntime.engine.http.BodySource;
import io.wruntime.engine.http.Field;
import io.wruntime.engine.http.HttpErrorCode;
import io.wruntime.engine.http.IncomingResponse;
import io.wruntime.engine.http.OutboundException;
import io.wruntime.engine.http.OutgoingRequest;
import io.wruntime.engine.http.Pipe;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy client against a real loopback HTTP server standing in for the proxy. */
class ProxyOutboundClientIT {
  private static final long MIB = 1024 * 1024;
  private static final String PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  private static final OutgoingRequest.Caller CALLER =
      new OutgoingRequest.Caller("shop", "cart", "1.0.0", PARENT);

  private HttpServer proxy;
  private ProxyOutboundClient client;
  private final List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
  private final List<String> seenTargets = new CopyOnWriteArrayList<>();
  private final List<Integer> clientPorts = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startProxy() throws IOException {
    proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    proxy.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    proxy.createContext("/", this::serve);
    proxy.start();
    client =
        new ProxyOutboundClient(new HostPort("127.0.0.1", proxy.getAddress().getPort()), 64 * MIB);
  }

  @AfterEach
  void stop() {
    client.close();
    proxy.stop(0);
  }

  private void serve(HttpExchange exchange) throws IOException {
    Map<String, String> headers = new ConcurrentHashMap<>();
    exchange
        .getRequestHeaders()
        .forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
    seen.add(headers);
    seenTargets.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
    clientPorts.add(exchange.getRemoteAddress().getPort());
    String path = exchange.getRequestURI().getPath();
    try (InputStream in = exchange.getRequestBody();
        OutputStream out = exchange.getResponseBody()) {
      switch (path) {
        case "/echo" -> {
          exchange.getResponseHeaders().add("x-proxy", "yes");
          exchange.sendResponseHeaders(200, 0);
          byte[] buf = new byte[64 * 1024];
          int n;
          while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
          }
        }
        case "/digest" -> {
          MessageDigest digest = MessageDigest.getInstance("SHA-256");
          long total = 0;
          byte[] buf = new byte[64 * 1024];
          int n;
          while ((n = in.read(buf)) > 0) {
            digest.update(buf, 0, n);
            total += n;
          }
          byte[] body =
              (total + " " + HexFormat.of().formatHex(digest.digest()))
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          out.write(body);
        }
        case "/big" -> {
          long size = Long.parseLong(exchange.getRequestURI().getQuery());
          exchange.sendResponseHeaders(200, size);
          for (long pos = 0; pos < size; ) {
            int n = (int) Math.min(64 * 1024, size - pos);
            out.write(Bodies.pattern(pos, n));
            pos += n;
          }
        }
        case "/slow" -> {
          Thread.sleep(2000);
          exchange.sendResponseHeaders(204, -1);
        }
        case "/stall" -> {
          exchange.sendResponseHeaders(200, 10);
          out.write("abc".getBytes());
          out.flush();
          Thread.sleep(2000);
          out.write("defghij".getBytes());
        }
        default -> {
          byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          out.write(body);
        }
      }
    } catch (Exception e) {
      exchange.close();
    }
  }

  private static OutgoingRequest request(
      String method, String authority, String path, List<Field> headers, BodySource body) {
    return new OutgoingRequest(
        method, "http", authority, path, headers, body, null, null, null, CALLER);
  }

  private static OutgoingRequest get(String authority, String path, List<Field> headers) {
    return request("GET", authority, path, headers, BodySource.empty());
  }

  private static OutboundException failure(CompletableFuture<IncomingResponse> future) {
    try {
      future.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(OutboundException.class);
      return (OutboundException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected the request to fail");
  }

  @Test
  void stampsRoutingHeadersAndDropsTheModulesOwn() throws Exception {
    IncomingResponse response =
        client
            .send(
                get(
                    "inventory.stock",
                    "/items/1?x=2",
                    List.of(
                        Field.of("x-custom", "kept"),
                        Field.of("x-wr-destination", "http://evil/"),
                        Field.of("X-WR-Source", "spoofed"),
                        Field.of(
                            "traceparent",
                            "00-ffffffffffffffffffffffffffffffff-1111111111111111-01"),
                        Field.of("connection", "close"))))
            .get(10, TimeUnit.SECONDS);

    assertThat(response.status()).isEqualTo(200);
    assertThat(Bodies.text(response.body())).isEqualTo("hello");
    Map<String, String> h = seen.get(0);
    assertThat(seenTargets.get(0)).isEqualTo("GET /items/1?x=2");
    assertThat(h)
        .containsEntry("x-wr-destination", "http://inventory.stock/items/1?x=2")
        .containsEntry("x-wr-source", "shop.cart")
        .containsEntry("x-wr-source-ns", "shop")
        .containsEntry("host", "inventory.stock")
        .containsEntry("x-custom", "kept");
    assertThat(h.keySet().stream().filter(k -> k.startsWith("x-wr-")))
        .containsExactlyInAnyOrder("x-wr-destination", "x-wr-source", "x-wr-source-ns");
    // The caller's context (its engine.dispatch span) goes on as is, not the module's own header.
    assertThat(h.get("traceparent")).isEqualTo(PARENT);
    assertThat(h).doesNotContainKey("transfer-encoding").doesNotContainKey("content-length");
  }

  @Test
  void keepsTheModulesVersionRequirementAndDropsItsOtherRoutingHeaders() throws Exception {
    client
        .send(
            get(
                "inventory.stock",
                "/items/1",
                List.of(
                    Field.of("X-WR-Version", "^1.2"),
                    Field.of("x-wr-module", "other"),
                    Field.of("x-wr-namespace", "other"),
                    Field.of("x-wr-via-proxy", "1"),
                    Field.of("x-wr-source-ns", "spoofed"))))
        .get(10, TimeUnit.SECONDS)
        .body()
        .discard();

    Map<String, String> h = seen.get(0);
    assertThat(h).containsEntry("x-wr-version", "^1.2").containsEntry("x-wr-source-ns", "shop");
    assertThat(h.keySet().stream().filter(k -> k.startsWith("x-wr-")))
        .containsExactlyInAnyOrder(
            "x-wr-destination", "x-wr-source", "x-wr-source-ns", "x-wr-version");
  }

  @Test
  void startsATraceWhenTheCallerHasNone() throws Exception {
    OutgoingRequest request =
        new OutgoingRequest(
            "GET",
            null,
            "a.b",
            "/",
            List.of(),
            BodySource.empty(),
            null,
            null,
            null,
            new OutgoingRequest.Caller("shop", "cart", "1.0.0", null));

    client.send(request).get(10, TimeUnit.SECONDS).body().discard();

    assertThat(seen.get(0).get("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    assertThat(seen.get(0).get("x-wr-destination")).isEqualTo("http://a.b/");
  }

  @Test
  void streamsLargeBodiesBothWays() throws Exception {
    long size = 32 * MIB;

    IncomingResponse response =
        client
            .send(request("POST", "media.store", "/echo", List.of(), Bodies.writing(size)))
            .get(10, TimeUnit.SECONDS);

    assertThat(response.status()).isEqualTo(200);
    assertThat(Field.first(response.headers(), "x-proxy")).isEqualTo("yes");
    assertThat(Bodies.drain(response.body()))
        .containsExactly(Long.toString(size), Bodies.sha256(size));
    assertThat(seen.get(0)).containsEntry("transfer-encoding", "chunked");
  }

  @Test
  void declaredLengthIsSentAsIs() throws Exception {
    byte[] body = "0123456789".getBytes();

    IncomingResponse response =
        client
            .send(
                request(
                    "PUT",
                    "media.store",
                    "/digest",
                    List.of(Field.of("content-length", "10")),
                    Bodies.of(body)))
            .get(10, TimeUnit.SECONDS);

    assertThat(Bodies.text(response.body()))
        .isEqualTo(
            "10 " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)));
    assertThat(seen.get(0))
        .containsEntry("content-length", "10")
        .doesNotContainKey("transfer-encoding");
  }

  @Test
  void theResponseBodyIsReadOnlyAsTheModuleConsumesIt() throws Exception {
    long size = 16 * MIB;
    IncomingResponse response =
        client.send(get("media.store", "/big?" + size, List.of())).get(10, TimeUnit.SECONDS);
    await().pollDelay(Duration.ofMillis(300)).until(() -> true);

    assertThat(client.gauge().current())
        .isLessThanOrEqualTo(ProxyOutboundClient.RESPONSE_HIGH_WATER + 16 * 1024);
    assertThat(Bodies.drain(response.body()))
        .containsExactly(Long.toString(size), Bodies.sha256(size));
    assertThat(client.gauge().peak())
        .isLessThanOrEqualTo(ProxyOutboundClient.RESPONSE_HIGH_WATER + 16 * 1024);
  }

  @Test
  void keepsConnectionsAlive() throws Exception {
    for (int i = 0; i < 3; i++) {
      IncomingResponse response = client.send(get("a.b", "/", List.of())).get(10, TimeUnit.SECONDS);
      assertThat(Bodies.text(response.body())).isEqualTo("hello");
      await().until(() -> client.idleConnections() == 1);
    }

    assertThat(clientPorts).hasSize(3);
    assertThat(clientPorts.stream().distinct()).hasSize(1);
  }

  @Test
  void requestBodyOverTheLimitFails() throws Exception {
    client.close();
    client = new ProxyOutboundClient(new HostPort("127.0.0.1", proxy.getAddress().getPort()), MIB);

    OutboundException streamed =
        failure(client.send(request("POST", "a.b", "/digest", List.of(), Bodies.writing(3 * MIB))));
    OutboundException declared =
        failure(
            client.send(
                request(
                    "POST",
                    "a.b",
                    "/digest",
                    List.of(Field.of("content-length", Long.toString(2 * MIB))),
                    new Pipe())));

    assertThat(streamed.code()).isEqualTo(HttpErrorCode.HTTP_REQUEST_BODY_SIZE);
    assertThat(streamed)
        .hasMessage("the request body is larger than max_outbound_body_bytes (1048576 bytes)");
    assertThat(declared.code()).isEqualTo(HttpErrorCode.HTTP_REQUEST_BODY_SIZE);
    assertThat(declared)
        .hasMessage(
            "content-length 2097152 is larger than max_outbound_body_bytes (1048576 bytes)");
  }

  @Test
  void refusedConnectionIsReported() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (ProxyOutboundClient refused =
        new ProxyOutboundClient(new HostPort("127.0.0.1", port), MIB)) {
      OutboundException e = failure(refused.send(get("a.b", "/", List.of())));

      assertThat(e.code()).isEqualTo(HttpErrorCode.CONNECTION_REFUSED);
      assertThat(e)
          .hasMessage(
              "the proxy 127.0.0.1:" + port + " refused the connection ([node] proxy_address)");
    }
  }

  @Test
  void firstByteTimeoutIsRespected() {
    OutgoingRequest request =
        new OutgoingRequest(
            "GET",
            "http",
            "a.b",
            "/slow",
            List.of(),
            BodySource.empty(),
            null,
            Duration.ofMillis(200),
            null,
            CALLER);

    OutboundException e = failure(client.send(request));

    assertThat(e.code()).isEqualTo(HttpErrorCode.CONNECTION_READ_TIMEOUT);
    assertThat(e).hasMessage("no response from the proxy within 200 ms (first-byte-timeout)");
  }

  @Test
  void betweenBytesTimeoutFailsTheResponseBody() throws Exception {
    OutgoingRequest request =
        new OutgoingRequest(
            "GET",
            "http",
            "a.b",
            "/stall",
            List.of(),
            BodySource.empty(),
            null,
            null,
            Duration.ofMillis(200),
            CALLER);

    IncomingResponse response = client.send(request).get(10, TimeUnit.SECONDS);

    assertThatThrownBy(() -> Bodies.text(response.body()))
        .isInstanceOf(IOException.class)
        .hasMessage("no response bytes from the proxy for 200 ms (between-bytes-timeout)");
  }

  @Test
  void proxyClosingMidBodyFailsTheResponseBody() throws Exception {
    proxy.removeContext("/");
    proxy.createContext(
        "/",
        exchange -> {
          exchange.sendResponseHeaders(200, 100);
          exchange.getResponseBody().write("partial".getBytes());
          exchange.getResponseBody().flush();
          exchange.close();
        });

    IncomingResponse response = client.send(get("a.b", "/", List.of())).get(10, TimeUnit.SECONDS);

    assertThatThrownBy(() -> Bodies.text(response.body()))
        .isInstanceOf(IOException.class)
        .hasMessage("the proxy closed the connection before the response body ended");
  }
}
