package io.wruntime.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.wruntime.common.http.HopByHop;
import io.wruntime.common.http.WrHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@link ForwardHeaders} on fuzzed header sets (as Netty's decoder would accept them): after each
 * rewrite the headers that must not cross the hop are gone, whatever their case or how the {@code
 * Connection} header lists them, and nothing but the documented headers changes.
 */
class ForwardHeadersFuzzTest {
  private static final List<String> NAMES =
      List.of(
          "Connection",
          "connection",
          "Keep-Alive",
          "TE",
          "Upgrade",
          "Proxy-Connection",
          "Transfer-Encoding",
          "Content-Length",
          "Trailer",
          "Host",
          WrHeaders.DESTINATION,
          WrHeaders.SOURCE,
          WrHeaders.SOURCE_NS,
          WrHeaders.VIA_PROXY,
          WrHeaders.NAMESPACE,
          WrHeaders.MODULE,
          WrHeaders.VERSION,
          "X-WR-Destination",
          "x-wr-anything",
          "x-custom");
  private static final List<String> HOP_BY_HOP =
      List.of("connection", "keep-alive", "proxy-connection", "te", "upgrade");

  @FuzzTest
  void rewrite(FuzzedDataProvider data) {
    HttpHeaders headers = new DefaultHttpHeaders();
    int count = data.consumeInt(0, 12);
    for (int i = 0; i < count; i++) {
      String name =
          data.consumeBoolean() ? NAMES.get(data.consumeInt(0, NAMES.size() - 1)) : name(data);
      String value = data.consumeBoolean() ? String.join(", ", pick(data)) : data.consumeString(40);
      try {
        headers.add(name, value);
      } catch (IllegalArgumentException e) {
        // Netty refuses this name or value, as its decoder would refuse the request.
      }
    }

    HttpHeaders hop = headers.copy();
    List<String> listed = new ArrayList<>();
    for (String value : headers.getAll("connection")) {
      for (String token : value.split(",")) {
        listed.add(token.trim().toLowerCase(Locale.ROOT));
      }
    }
    ForwardHeaders.stripHopByHop(hop);
    for (String name : HOP_BY_HOP) {
      assertThat(hop.contains(name)).as(name).isFalse();
    }
    for (String name : listed) {
      // Framing (transfer-encoding, trailer) and content-length stay: the proxy forwards the body
      // as it came (HopByHop.FRAMING).
      if (!name.isEmpty() && !HopByHop.FRAMING.contains(name) && !name.equals("content-length")) {
        assertThat(hop.contains(name)).as("%s, named in Connection", name).isFalse();
      }
    }
    assertThat(hop.getAll("transfer-encoding")).isEqualTo(headers.getAll("transfer-encoding"));
    assertThat(hop.getAll("content-length")).isEqualTo(headers.getAll("content-length"));
    assertThat(hop.getAll("trailer")).isEqualTo(headers.getAll("trailer"));

    HttpHeaders outside = headers.copy();
    ForwardHeaders.stripWrHeaders(outside);
    assertThat(outside.names()).noneMatch(WrHeaders::isWrHeader);

    HttpHeaders local = headers.copy();
    ForwardHeaders.toLocalEngine(local, "example", "echo", "1.0.0");
    assertThat(local.contains(WrHeaders.DESTINATION)).isFalse();
    assertThat(local.contains(WrHeaders.SOURCE)).isFalse();
    assertThat(local.contains(WrHeaders.SOURCE_NS)).isFalse();
    assertThat(local.contains(WrHeaders.VIA_PROXY)).isFalse();
    assertThat(local.getAll(WrHeaders.NAMESPACE)).containsExactly("example");
    assertThat(local.getAll(WrHeaders.MODULE)).containsExactly("echo");
    assertThat(local.getAll(WrHeaders.VERSION)).containsExactly("1.0.0");

    HttpHeaders peer = headers.copy();
    ForwardHeaders.toPeer(peer, "1.0.0");
    assertThat(peer.contains(WrHeaders.NAMESPACE)).isFalse();
    assertThat(peer.contains(WrHeaders.MODULE)).isFalse();
    assertThat(peer.getAll(WrHeaders.VERSION)).containsExactly("=1.0.0");
    assertThat(peer.getAll(WrHeaders.VIA_PROXY)).containsExactly("1");
  }

  private static String name(FuzzedDataProvider data) {
    return data.consumeString(20);
  }

  private static List<String> pick(FuzzedDataProvider data) {
    List<String> names = new ArrayList<>();
    int n = data.consumeInt(1, 4);
    for (int i = 0; i < n; i++) {
      names.add(
          data.consumeBoolean() ? NAMES.get(data.consumeInt(0, NAMES.size() - 1)) : name(data));
    }
    return names;
  }
}
