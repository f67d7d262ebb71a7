package io.wruntime.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.wruntime.common.http.HopByHop;
import io.wruntime.common.http.WrHeaders;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** How the proxy rewrites headers on each hop (ARCHITECTURE §4). */
final class ForwardHeaders {
  private ForwardHeaders() {}

  /**
   * Removes the hop-by-hop headers of one connection: those {@code Connection} names, and {@code
   * Connection}, {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE}, {@code Upgrade}. Framing
   * ({@code Content-Length}, {@code Transfer-Encoding}, {@code Trailer}) stays: the body is
   * forwarded as it came.
   */
  static void stripHopByHop(HttpHeaders headers) {
    HopByHop.nominated(headers.getAll(HttpHeaderNames.CONNECTION)).forEach(headers::remove);
    HopByHop.NAMES.forEach(headers::remove);
  }

  /**
   * For the local engine: the engine dispatches on {@code x-wr-namespace}, {@code x-wr-module} and
   * {@code x-wr-version} (the resolved version, whatever the caller asked for), which this proxy
   * sets; every other {@code x-wr-*} header (destination, source, {@code x-wr-via-proxy}, and any a
   * caller made up) ends here, so a module only ever sees the three its proxy set.
   */
  static void toLocalEngine(HttpHeaders headers, String namespace, String module, String version) {
    stripWrHeaders(headers);
    headers.set(WrHeaders.NAMESPACE, namespace);
    headers.set(WrHeaders.MODULE, module);
    headers.set(WrHeaders.VERSION, version);
  }

  /**
   * For the peer proxy of another node: the destination and source headers travel on, {@code
   * x-wr-version} pins the version this proxy resolved, and {@code x-wr-via-proxy: 1} marks the
   * hop.
   */
  static void toPeer(HttpHeaders headers, String version) {
    headers.remove(WrHeaders.NAMESPACE);
    headers.remove(WrHeaders.MODULE);
    headers.set(WrHeaders.VERSION, "=" + version);
    headers.set(WrHeaders.VIA_PROXY, "1");
  }

  /** For a host outside the mesh, and for every response: no {@code x-wr-*} at all. */
  static void stripWrHeaders(HttpHeaders headers) {
    List<CharSequence> names = null;
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        it.hasNext(); ) {
      CharSequence name = it.next().getKey();
      if (WrHeaders.isWrHeader(name)) {
        if (names == null) {
          names = new ArrayList<>(4);
        }
        names.add(name);
      }
    }
    if (names != null) {
      names.forEach(headers::remove);
    }
  }
}
