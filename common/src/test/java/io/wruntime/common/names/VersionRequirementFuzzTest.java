package io.wruntime.common.names;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@link VersionRequirement#parse} on arbitrary text (what callers send in {@code x-wr-version}):
 * it either throws {@link IllegalArgumentException} or returns a requirement that parses back from
 * its text and can be matched against any version without failing.
 */
class VersionRequirementFuzzTest {
  private static final List<SemVer> VERSIONS =
      List.of(
          SemVer.parse("0.0.0"),
          SemVer.parse("0.0.1"),
          SemVer.parse("0.2.3"),
          SemVer.parse("1.0.0"),
          SemVer.parse("1.2.3"),
          SemVer.parse("1.3.0-rc.1"),
          SemVer.parse("1.3.0-rc.1.99999999999999999999"),
          SemVer.parse("1.3.0-alpha"),
          SemVer.parse("2.0.0+build.5"),
          SemVer.parse("9223372036854775807.0.0"));

  @FuzzTest
  void parse(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    VersionRequirement requirement;
    try {
      requirement = VersionRequirement.parse(text);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).contains("expected");
      return;
    }
    assertThat(VersionRequirement.parse(requirement.toString())).isEqualTo(requirement);
    for (SemVer version : VERSIONS) {
      requirement.matches(version);
    }
    requirement
        .highestMatch(VERSIONS)
        .ifPresent(best -> assertThat(requirement.matches(best)).isTrue());
  }
}
