package io.wruntime.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class ForwardHeadersTest {
  private static HttpHeaders incoming() {
    return new DefaultHttpHeaders()
        .add("x-wr-destination", "http://shop.cart/items")
        .add("x-wr-source", "shop.web")
        .add("x-wr-source-ns", "shop")
        .add("x-wr-module", "evil")
        .add("x-wr-namespace", "evil")
        .add("x-wr-version", "^1")
        .add("x-wr-via-proxy", "1")
        .add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        .add("content-type", "application/json");
  }

  @Test
  void theLocalEngineGetsDispatchHeadersAndNoSourceDestinationOrHopMarker() {
    HttpHeaders headers = incoming().add("X-WR-Made-Up", "anything");

    ForwardHeaders.toLocalEngine(headers, "shop", "cart", "1.4.0");

    assertThat(headers.get("x-wr-namespace")).isEqualTo("shop");
    assertThat(headers.get("x-wr-module")).isEqualTo("cart");
    assertThat(headers.get("x-wr-version")).isEqualTo("1.4.0");
    assertThat(headers.names())
        .filteredOn(name -> name.toLowerCase(java.util.Locale.ROOT).startsWith("x-wr-"))
        .containsExactlyInAnyOrder("x-wr-namespace", "x-wr-module", "x-wr-version");
    assertThat(headers.getAll("x-wr-namespace")).containsExactly("shop");
    assertThat(headers.get("content-type")).isEqualTo("application/json");
    assertThat(headers.get("traceparent")).isNotNull();
  }

  @Test
  void thePeerGetsTheDestinationThePinnedVersionAndTheHopMarker() {
    HttpHeaders headers = incoming();

    ForwardHeaders.toPeer(headers, "1.4.0");

    assertThat(headers.get("x-wr-destination")).isEqualTo("http://shop.cart/items");
    assertThat(headers.get("x-wr-source")).isEqualTo("shop.web");
    assertThat(headers.get("x-wr-version")).isEqualTo("=1.4.0");
    assertThat(headers.get("x-wr-via-proxy")).isEqualTo("1");
    assertThat(headers.names()).doesNotContain("x-wr-module", "x-wr-namespace");
  }

  @Test
  void egressCarriesNoWrHeaderAtAll() {
    HttpHeaders headers = incoming().add("X-WR-Custom", "x");

    ForwardHeaders.stripWrHeaders(headers);

    assertThat(headers.names()).containsExactlyInAnyOrder("traceparent", "content-type");
  }

  @Test
  void hopByHopHeadersEndAtThisHopButFramingStays() {
    HttpHeaders headers =
        new DefaultHttpHeaders()
            .add("connection", "keep-alive, x-private")
            .add("x-private", "secret")
            .add("keep-alive", "timeout=5")
            .add("proxy-connection", "keep-alive")
            .add("te", "trailers")
            .add("upgrade", "h2c")
            .add("transfer-encoding", "chunked")
            .add("trailer", "x-checksum")
            .add("accept", "*/*");

    ForwardHeaders.stripHopByHop(headers);

    assertThat(headers.names()).containsExactlyInAnyOrder("transfer-encoding", "trailer", "accept");
  }
}
