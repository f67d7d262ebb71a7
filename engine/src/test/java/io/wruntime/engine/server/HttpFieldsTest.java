package io.wruntime.engine.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.wruntime.engine.http.Field;
import org.junit.jupiter.api.Test;

class HttpFieldsTest {
  @Test
  void aModuleSeesNoHopByHopHeaderNorWhatConnectionNames() {
    var headers =
        new DefaultHttpHeaders()
            .add("Connection", "keep-alive, X-Hop")
            .add("Keep-Alive", "timeout=5")
            .add("X-Hop", "this connection only")
            .add("Transfer-Encoding", "chunked")
            .add("TE", "trailers")
            .add("Content-Type", "text/plain")
            .add("X-App", "kept");

    assertThat(HttpFields.fromHeaders(headers))
        .extracting(Field::name)
        .containsExactly("content-type", "x-app");
  }
}
