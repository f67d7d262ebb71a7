package io.wruntime.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.inprocess.InProcessChannelBuilder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.util.concurrent.Future;
import io.opentelemetry.api.OpenTelemetry;
import io.wruntime.common.net.HostPort;
import io.wruntime.proto.v1.ModuleRef;
import io.wruntime.proto.v1.Route;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A request forwarded to a local engine, with both connections on {@link EmbeddedChannel}s: what
 * the engine receives (headers rewritten, body streamed as it comes), what the client gets back,
 * and that the upstream connection is pooled again afterwards.
 */
@ExtendWith(LeakRecorder.class)
class ExchangeTest {
  private final io.grpc.ManagedChannel nowhere =
      InProcessChannelBuilder.forName("nowhere-" + System.nanoTime()).build();
  private final ProxyMetrics metrics = TestMetrics.knowing("shop.web", "shop.cart");
  private final BufferedBytes buffered = new BufferedBytes();
  private final FakeUpstreams upstreams = new FakeUpstreams();
  private EmbeddedChannel client;

  /** Hands out {@link EmbeddedChannel} upstream connections and records what comes back. */
  private static final class FakeUpstreams implements Upstreams {
    final List<EmbeddedChannel> opened = new ArrayList<>();
    final List<HostPort> addresses = new ArrayList<>();
    final List<Channel> released = new ArrayList<>();

    @Override
    public Future<Channel> acquire(EventLoop loop, HostPort address) {
      EmbeddedChannel ch =
          new EmbeddedChannel(
              new HttpClientCodec(), new FlowControlHandler(), new UpstreamHandler(this));
      ch.config().setAutoRead(false);
      opened.add(ch);
      addresses.add(address);
      return loop.newSucceededFuture(ch);
    }

    @Override
    public void release(Channel ch, HostPort address) {
      released.add(ch);
    }

    @Override
    public void remove(Channel ch) {}
  }

  @BeforeEach
  void start() throws Exception {
    RoutingTable table =
        RoutingTable.from(
            io.wruntime.proto.v1.RoutingTable.newBuilder()
                .setVersion(1)
                .addRoutes(
                    Route.newBuilder()
                        .setModule(
                            ModuleRef.newBuilder()
                                .setNamespace("shop")
                                .setName("cart")
                                .setVersion("1.4.0"))
                        .setEngineId("e1")
                        .setAddress("http://127.0.0.1:9100")
                        .setNode("node-a")
                        .setHealthy(true))
                .build(),
            "node-a");
    Forwarding forwarding =
        new Forwarding(
            new Router(() -> table, EgressPolicy.of(false, List.of(), false)),
            new LoadBalancer(new CircuitBreakers(5, Duration.ofSeconds(30), Clock.systemUTC())),
            new SchemaCache(nowhere, Duration.ofSeconds(1)),
            new ProxyTracing(OpenTelemetry.noop()),
            metrics,
            buffered,
            () -> true,
            new ProxyConfig.Timeouts(
                Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(30)),
            new ProxyConfig.Validation(ProxyConfig.ValidationMode.OFF, 1024),
            "127.0.0.1:9000");
    client = new EmbeddedChannel(false, false);
    client.config().setAutoRead(false);
    client
        .pipeline()
        .addLast(
            new HttpServerCodec(),
            new FlowControlHandler(),
            new ProxyHandler(ListenerKind.INTERNAL, forwarding, upstreams, new AtomicInteger()));
    client.register();
  }

  @AfterEach
  void stop() {
    client.finishAndReleaseAll();
    upstreams.opened.forEach(EmbeddedChannel::finishAndReleaseAll);
    nowhere.shutdownNow();
  }

  private static void write(EmbeddedChannel ch, String text) {
    ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    ch.runPendingTasks();
  }

  private static String read(EmbeddedChannel ch) {
    StringBuilder out = new StringBuilder();
    Object msg;
    while ((msg = ch.readOutbound()) != null) {
      ByteBuf buf = (ByteBuf) msg;
      out.append(buf.toString(StandardCharsets.ISO_8859_1));
      buf.release();
    }
    return out.toString();
  }

  @Test
  void theEngineGetsDispatchHeadersInsteadOfWhatTheClientClaimedAndTheBodyAsItComes() {
    write(
        client,
        "POST /ignored HTTP/1.1\r\n"
            + "host: proxy\r\n"
            + "x-wr-destination: http://shop.cart/shop.Cart/Add?n=1\r\n"
            + "x-wr-source: shop.web\r\n"
            + "x-wr-source-ns: shop\r\n"
            + "x-wr-module: evil\r\n"
            + "x-wr-namespace: evil\r\n"
            + "x-wr-version: ^1\r\n"
            + "x-wr-trace-note: kept\r\n"
            + "connection: keep-alive, x-hop\r\n"
            + "x-hop: gone\r\n"
            + "transfer-encoding: chunked\r\n\r\n"
            + "3\r\nabc\r\n");

    assertThat(upstreams.addresses).containsExactly(new HostPort("127.0.0.1", 9100));
    EmbeddedChannel engine = upstreams.opened.get(0);
    String head = read(engine);
    assertThat(head)
        .startsWith("POST /shop.Cart/Add?n=1 HTTP/1.1\r\n")
        .contains("host: shop.cart\r\n")
        .contains("x-wr-module: cart\r\n")
        .contains("x-wr-namespace: shop\r\n")
        .contains("x-wr-version: 1.4.0\r\n")
        .contains("transfer-encoding: chunked\r\n")
        .doesNotContain(
            "evil", "x-wr-destination", "x-wr-source", "x-wr-trace-note", "x-hop", "connection:")
        .endsWith("3\r\nabc\r\n");

    // The engine answers before the request body ended: the client sees it at once.
    write(engine, "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n");
    client.runPendingTasks();
    assertThat(read(client)).startsWith("HTTP/1.1 200 OK\r\n").endsWith("2\r\nok\r\n");

    write(client, "2\r\nde\r\n0\r\n\r\n");
    assertThat(read(engine)).isEqualTo("2\r\nde\r\n0\r\n\r\n");
    write(engine, "0\r\n\r\n");
    client.runPendingTasks();

    assertThat(read(client)).isEqualTo("0\r\n\r\n");
    assertThat(upstreams.released).containsExactly(engine);
    assertThat(metrics.count("shop.web", "shop.cart", 200)).isEqualTo(1);
    assertThat(buffered.current()).isZero();
    assertThat(client.isOpen()).isTrue();
  }

  @Test
  void aClosedClientClosesTheUpstreamMidRequest() {
    write(
        client,
        "POST /x HTTP/1.1\r\nx-wr-destination: http://shop.cart/x\r\n"
            + "content-length: 100\r\n\r\nabc");
    EmbeddedChannel engine = upstreams.opened.get(0);
    read(engine);

    client.close();
    client.runPendingTasks();
    engine.runPendingTasks();

    assertThat(engine.isOpen()).isFalse();
    assertThat(upstreams.released).isEmpty();
    assertThat(metrics.count("unknown", "shop.cart", 499)).isEqualTo(1);
  }

  @Test
  void anUpstreamThatClosesBeforeAnsweringIs502AndTheClientConnectionLives() {
    write(client, "GET /x HTTP/1.1\r\nx-wr-destination: http://shop.cart/x\r\n\r\n");
    EmbeddedChannel engine = upstreams.opened.get(0);

    engine.close();
    engine.runPendingTasks();
    client.runPendingTasks();

    assertThat(read(client))
        .startsWith("HTTP/1.1 502 Bad Gateway")
        .contains("\"code\":\"upstream_reset\"");
    assertThat(client.isOpen()).isTrue();
  }

  @Test
  void anHttp10ClientGetsAnUnchunkedBodyEndedByClosingTheConnection() {
    write(
        client,
        "GET /x HTTP/1.0\r\nconnection: keep-alive\r\nx-wr-destination: http://shop.cart/x\r\n"
            + "x-wr-source: shop.web\r\n\r\n");
    EmbeddedChannel engine = upstreams.opened.get(0);
    assertThat(read(engine)).startsWith("GET /x HTTP/1.1\r\n");

    write(engine, "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n");
    client.runPendingTasks();
    String head = read(client);
    write(engine, "6\r\n world\r\n0\r\n\r\n");
    client.runPendingTasks();

    assertThat(head)
        .startsWith("HTTP/1.1 200 OK\r\n")
        .contains("connection: close\r\n")
        .doesNotContainIgnoringCase("transfer-encoding")
        .doesNotContain("content-length")
        .endsWith("\r\n\r\nhello");
    assertThat(read(client)).isEqualTo(" world");
    assertThat(client.isOpen()).isFalse();
    assertThat(upstreams.released).containsExactly(engine);
    assertThat(metrics.count("shop.web", "shop.cart", 200)).isEqualTo(1);
  }

  @Test
  void anHttp10ClientKeepsItsConnectionWhenTheResponseHasAContentLength() {
    write(
        client,
        "GET /x HTTP/1.0\r\nconnection: keep-alive\r\nx-wr-destination: http://shop.cart/x\r\n"
            + "\r\n");
    EmbeddedChannel engine = upstreams.opened.get(0);
    read(engine);

    write(engine, "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello");
    client.runPendingTasks();

    assertThat(read(client))
        .startsWith("HTTP/1.1 200 OK\r\n")
        .contains("content-length: 5\r\n")
        .contains("connection: keep-alive\r\n")
        .doesNotContainIgnoringCase("transfer-encoding")
        .endsWith("\r\n\r\nhello");
    assertThat(client.isOpen()).isTrue();
  }
}
