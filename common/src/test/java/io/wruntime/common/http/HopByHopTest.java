package io.wruntime.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HopByHopTest {
  @Test
  void connectionScopedHeadersAreKnownWhateverTheirCase() {
    assertThat(HopByHop.isConnectionScoped("Keep-Alive")).isTrue();
    assertThat(HopByHop.isConnectionScoped("TE")).isTrue();
    assertThat(HopByHop.isConnectionScoped("content-type")).isFalse();
    assertThat(HopByHop.isConnectionScoped("transfer-encoding")).isFalse();
  }

  @Test
  void theConnectionHeaderNamesMoreButNeverFraming() {
    assertThat(
            HopByHop.nominated(
                List.of("keep-alive, X-Hop", " x-other ,Transfer-Encoding", "content-length,")))
        .containsExactly("keep-alive", "x-hop", "x-other");
  }
}
