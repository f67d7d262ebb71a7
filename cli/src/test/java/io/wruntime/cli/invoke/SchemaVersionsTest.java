package io.wruntime.cli.invoke;

import static org.assertj.core.api.Assertions.assertThat;

import io.wruntime.common.names.VersionRequirement;
import io.wruntime.proto.v1.ServiceInfo;
import io.wruntime.proto.v1.ServiceVersion;
import org.junit.jupiter.api.Test;

class SchemaVersionsTest {
  private static final String ECHO = "/echo.EchoService/Echo";

  private static ServiceVersion version(String v, boolean schema, int healthy, String... methods) {
    ServiceVersion.Builder b =
        ServiceVersion.newBuilder().setVersion(v).setHasSchema(schema).setHealthyInstances(healthy);
    for (String m : methods) {
      b.addMethods(m);
    }
    return b.build();
  }

  private static final ServiceInfo SERVICE =
      ServiceInfo.newBuilder()
          .addVersions(version("2.0.0", true, 0, ECHO))
          .addVersions(version("1.2.0", true, 1, ECHO))
          .addVersions(version("1.1.0", true, 1, ECHO))
          .addVersions(version("1.0.0", false, 1))
          .build();

  @Test
  void prefersTheHighestVersionWithAHealthyInstance() {
    assertThat(SchemaVersions.choose(SERVICE, null, ECHO)).contains("1.2.0");
  }

  @Test
  void keepsToTheRequirement() {
    assertThat(SchemaVersions.choose(SERVICE, VersionRequirement.parse("~1.1"), ECHO))
        .contains("1.1.0");
    assertThat(SchemaVersions.choose(SERVICE, VersionRequirement.parse("^2"), ECHO))
        .contains("2.0.0");
  }

  @Test
  void noVersionWithTheMethodInItsSchemaMeansNoConversion() {
    assertThat(SchemaVersions.choose(SERVICE, VersionRequirement.parse("=1.0.0"), ECHO)).isEmpty();
    assertThat(SchemaVersions.choose(SERVICE, null, "/echo.EchoService/Other")).isEmpty();
  }
}
