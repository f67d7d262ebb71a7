package io.wruntime.common.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wruntime.common.net.HostPort;
import org.junit.jupiter.api.Test;

class BuildVersionTest {
  @Test
  void namesTheProgramAndItsBuildVersionThenTheJvm() {
    assertThat(BuildVersion.versionLines(BuildVersionTest.class, "wr-test"))
        .containsExactly(
            "wr-test 1.2.3",
            "JVM: ${java.version} (${java.vendor} ${java.vm.name} ${java.vm.version})");
  }

  @Test
  void aMissingVersionFileNamesWhereItWasExpected() {
    assertThatThrownBy(() -> BuildVersion.versionLines(HostPort.class, "wr-test"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "io/wruntime/common/net/version.properties is missing from the classpath (expected:"
                + " the wr-test build output)");
  }
}
