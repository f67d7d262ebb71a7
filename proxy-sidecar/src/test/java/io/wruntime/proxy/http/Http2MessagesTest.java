package io.wruntime.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** HTTP/2 streams reach the request handling as HTTP/1.1 heads and bodies, without extensions. */
class Http2MessagesTest {
  @Test
  void aStreamEndedByItsHeadersBecomesAHeadAndAnEmptyLastContent() {
    EmbeddedChannel ch = new EmbeddedChannel(new Http2Messages());
    DefaultFullHttpRequest full =
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/items");
    full.headers()
        .set("x-http2-stream-id", "3")
        .set("x-http2-scheme", "https")
        .set("x-wr-source", "a.b");

    ch.writeInbound(full);

    HttpRequest head = ch.readInbound();
    assertThat(head).isNotInstanceOf(FullHttpMessage.class);
    assertThat(head.uri()).isEqualTo("/items");
    assertThat(head.headers().names()).containsExactly("x-wr-source");
    LastHttpContent last = ch.readInbound();
    assertThat(last.content().readableBytes()).isZero();
    last.release();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void aFullResponseKeepsItsBodyAndTrailersInTheLastContent() {
    EmbeddedChannel ch = new EmbeddedChannel(new Http2Messages());
    DefaultFullHttpResponse full =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK,
            Unpooled.copiedBuffer("body", StandardCharsets.US_ASCII));
    full.trailingHeaders().set("grpc-status", "0");

    ch.writeInbound(full);

    HttpResponse head = ch.readInbound();
    assertThat(head).isNotInstanceOf(FullHttpMessage.class);
    assertThat(head.status()).isEqualTo(HttpResponseStatus.OK);
    LastHttpContent last = ch.readInbound();
    assertThat(last.content().toString(StandardCharsets.US_ASCII)).isEqualTo("body");
    assertThat(last.trailingHeaders().get("grpc-status")).isEqualTo("0");
    last.release();
    assertThat(ch.finish()).isFalse();
  }

  @Test
  void aHeadThatOpensABodyPassesAsIs() {
    EmbeddedChannel ch = new EmbeddedChannel(new Http2Messages());
    DefaultHttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/up");
    head.headers().set("x-http2-stream-id", "5").set("transfer-encoding", "chunked");

    ch.writeInbound(head);

    HttpRequest read = ch.readInbound();
    assertThat(read).isSameAs(head);
    assertThat(read.headers().names()).containsExactly("transfer-encoding");
    assertThat(ch.finish()).isFalse();
  }
}
