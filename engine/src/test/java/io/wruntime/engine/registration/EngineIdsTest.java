package io.wruntime.engine.registration;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.common.net.HostPort;
import org.junit.jupiter.api.Test;

class EngineIdsTest {
  @Test
  void generatedIdsNameTheHostAndPortAndDifferPerProcess() {
    String a = EngineIds.generate(new HostPort("127.0.0.1", 9100));
    String b = EngineIds.generate(new HostPort("127.0.0.1", 9100));

    assertThat(a).matches("[A-Za-z0-9._:-]{1,253}").matches(".+-9100-[0-9a-f]{8}");
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void hostNamesKeepOnlyWhatEngineIdsAllow() {
    assertThat(EngineIds.sanitize("Build Box#1.local")).isEqualTo("build-box-1.local");
    assertThat(EngineIds.sanitize("")).isEqualTo("engine");
    assertThat(EngineIds.sanitize("h".repeat(400))).hasSize(200);
  }

  @Test
  void theEngineAddressIsWhereTheLocalProxyReachesIt() {
    assertThat(EngineIds.engineAddress(new HostPort("127.0.0.1", 9100)))
        .isEqualTo("http://127.0.0.1:9100");
    assertThat(EngineIds.engineAddress(new HostPort("0.0.0.0", 9100)))
        .isEqualTo("http://127.0.0.1:9100");
    assertThat(EngineIds.engineAddress(new HostPort("::", 9100))).isEqualTo("http://[::1]:9100");
    assertThat(EngineIds.engineAddress(new HostPort("::1", 9100))).isEqualTo("http://[::1]:9100");
  }
}
