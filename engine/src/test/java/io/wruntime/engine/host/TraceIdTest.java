package io.wruntime.engine.host;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TraceIdTest {
  @Test
  void takesTheTraceIdOfAValidTraceparent() {
    assertThat(LoadedModule.traceId("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
  }

  @Test
  void anythingElseIsADash() {
    assertThat(LoadedModule.traceId(null)).isEqualTo("-");
    assertThat(LoadedModule.traceId("garbage")).isEqualTo("-");
    assertThat(LoadedModule.traceId("00-XYZ-00f067aa0ba902b7-01")).isEqualTo("-");
  }
}
