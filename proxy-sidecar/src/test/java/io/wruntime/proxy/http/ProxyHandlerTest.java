package io.wruntime.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.inprocess.InProcessChannelBuilder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.opentelemetry.api.OpenTelemetry;
import io.wruntime.proxy.LeakRecorder;
import io.wruntime.proxy.admin.ProxyMetrics;
import io.wruntime.proxy.admin.TestMetrics;
import io.wruntime.proxy.balance.CircuitBreakers;
import io.wruntime.proxy.balance.LoadBalancer;
import io.wruntime.proxy.config.ProxyConfig;
import io.wruntime.proxy.routing.EgressPolicy;
import io.wruntime.proxy.routing.Router;
import io.wruntime.proxy.routing.RoutingTable;
import io.wruntime.proxy.telemetry.ProxyTracing;
import io.wruntime.proxy.validation.SchemaCache;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The client side of the proxy on an {@link EmbeddedChannel}: what it answers by itself, how it
 * discards a refused request's body and keeps (or closes) the connection.
 */
@ExtendWith(LeakRecorder.class)
class ProxyHandlerTest {
  private final AtomicBoolean hasTable = new AtomicBoolean(true);
  private final ProxyMetrics metrics = TestMetrics.knowing("shop.web", "shop.cart");
  private final AtomicInteger inFlight = new AtomicInteger();
  private final io.grpc.ManagedChannel nowhere =
      InProcessChannelBuilder.forName("nowhere-" + System.nanoTime()).build();
  private final UpstreamPool pool = new UpstreamPool(Duration.ofSeconds(1), Duration.ofSeconds(60));
  private EmbeddedChannel channel;

  @AfterEach
  void close() {
    if (channel != null) {
      channel.finishAndReleaseAll();
    }
    pool.close();
    nowhere.shutdownNow();
  }

  private EmbeddedChannel channel(ListenerKind kind) throws Exception {
    Forwarding forwarding =
        new Forwarding(
            new Router(RoutingTable::empty, EgressPolicy.of(false, List.of(), false)),
            new LoadBalancer(new CircuitBreakers(5, Duration.ofSeconds(30), Clock.systemUTC())),
            new SchemaCache(nowhere, Duration.ofSeconds(1)),
            new ProxyTracing(OpenTelemetry.noop()),
            metrics,
            new BufferedBytes(),
            hasTable::get,
            new ProxyConfig.Timeouts(
                Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(30)),
            new ProxyConfig.Validation(ProxyConfig.ValidationMode.ENFORCE, 1024),
            "127.0.0.1:9000");
    channel = new EmbeddedChannel(false, false);
    channel.config().setAutoRead(false);
    channel
        .pipeline()
        .addLast(
            new HttpServerCodec(),
            new FlowControlHandler(),
            new ProxyHandler(kind, forwarding, pool, inFlight));
    channel.register();
    return channel;
  }

  private void send(String text) {
    channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    channel.runPendingTasks();
  }

  private String received() {
    StringBuilder out = new StringBuilder();
    Object msg;
    while ((msg = channel.readOutbound()) != null) {
      ByteBuf buf = (ByteBuf) msg;
      out.append(buf.toString(StandardCharsets.ISO_8859_1));
      buf.release();
    }
    return out.toString();
  }

  @Test
  void beforeTheFirstRoutingTableEveryCallGets503WithRetryAfterAndTheConnectionLives()
      throws Exception {
    hasTable.set(false);
    channel(ListenerKind.INTERNAL);

    send(
        "GET /a HTTP/1.1\r\nx-wr-destination: http://shop.cart/a\r\n\r\n"
            + "GET /b HTTP/1.1\r\nx-wr-destination: http://shop.cart/b\r\n\r\n");

    String out = received();
    assertThat(out.split("HTTP/1.1 503 Service Unavailable", -1)).hasSize(3);
    assertThat(out)
        .contains("retry-after: 1")
        .contains("content-type: application/json")
        .contains("\"code\":\"routing_table_unavailable\"")
        .contains("the manager at 127.0.0.1:9000");
    assertThat(channel.isOpen()).isTrue();
    assertThat(inFlight).hasValue(0);
  }

  @Test
  void aMissingDestinationIs400NamingTheHeader() throws Exception {
    channel(ListenerKind.INTERNAL);

    send("GET /a HTTP/1.1\r\nhost: proxy\r\n\r\n");

    assertThat(received())
        .startsWith("HTTP/1.1 400 Bad Request")
        .contains("{\"error\":\"x-wr-destination is missing (expected: an absolute URI")
        .contains("\"code\":\"invalid_destination\"");
    assertThat(metrics.count("unknown", "unknown", 400)).isEqualTo(1);
  }

  @Test
  void thePeerListenerRefusesCallsThatDidNotComeFromAProxy() throws Exception {
    channel(ListenerKind.PEER);

    send(
        "GET /a HTTP/1.1\r\nx-wr-destination: http://shop.cart/a\r\nx-wr-source: shop.web\r\n\r\n");

    assertThat(received())
        .startsWith("HTTP/1.1 403 Forbidden")
        .contains("\"code\":\"not_via_proxy\"");
    assertThat(metrics.count("shop.web", "unknown", 403)).isEqualTo(1);
  }

  @Test
  void theBodyOfARefusedRequestIsDiscardedAndTheNextRequestAnswered() throws Exception {
    channel(ListenerKind.INTERNAL);

    send("POST /a HTTP/1.1\r\nx-wr-destination: http://one/a\r\ncontent-length: 10\r\n\r\n01234");
    assertThat(received()).startsWith("HTTP/1.1 400 Bad Request").contains("one-label host one");
    send("56789");
    send("GET /b HTTP/1.1\r\nx-wr-destination: http://shop.cart/b\r\n\r\n");

    assertThat(received())
        .startsWith("HTTP/1.1 503 Service Unavailable")
        .contains("no route to shop.cart");
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void connectionCloseIsHonouredAfterTheAnswer() throws Exception {
    channel(ListenerKind.INTERNAL);

    send("GET /a HTTP/1.1\r\nconnection: close\r\n\r\n");

    assertThat(received()).startsWith("HTTP/1.1 400").contains("connection: close");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void aMalformedRequestIsAnsweredAndTheConnectionClosed() throws Exception {
    channel(ListenerKind.INTERNAL);

    send("GET /a HTTP/1.1\r\nbad header line\r\n\r\n");

    assertThat(received()).startsWith("HTTP/1.1 400").contains("\"code\":\"malformed_request\"");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void connectIsRefusedWith405NamingTheMethodAndTheConnectionLives() throws Exception {
    channel(ListenerKind.INTERNAL);

    send(
        "CONNECT shop.cart:80 HTTP/1.1\r\nx-wr-destination: http://shop.cart/\r\n"
            + "content-length: 5\r\n\r\nhello"
            + "TRACE /t HTTP/1.1\r\nx-wr-destination: http://shop.cart/t\r\n\r\n");

    String out = received();
    assertThat(out.split("HTTP/1.1 405 Method Not Allowed", -1)).hasSize(3);
    // RFC 9110 §15.5.6: a 405 lists the methods the target accepts.
    assertThat(out.split("\r\nallow: GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH\r\n", -1))
        .hasSize(3);
    assertThat(out)
        .contains("content-type: application/json")
        .contains("\"code\":\"method_not_allowed\"")
        .contains("method: CONNECT is not forwarded (expected: any method but CONNECT and TRACE")
        .contains("\"method\":\"CONNECT\"")
        .contains("\"method\":\"TRACE\"")
        .contains("\"refused_methods\":[\"CONNECT\",\"TRACE\"]")
        .doesNotContain("no route");
    assertThat(channel.isOpen()).isTrue();
    assertThat(metrics.count("unknown", "unknown", 405)).isEqualTo(2);
    assertThat(inFlight).hasValue(0);
  }
}
