package io.wruntime.common.names;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VersionRequirementTest {
  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        // a bare version is exact
        "1.2.3      | 1.2.3 | true",
        "1.2.3      | 1.2.4 | false",
        "=1.0.0     | 1.0.0 | true",
        "=1.0.0     | 1.0.1 | false",
        "=1.2       | 1.2.9 | true",
        "=1.2       | 1.3.0 | false",
        "1          | 1.9.9 | true",
        "1          | 2.0.0 | false",
        // caret
        "^1         | 1.0.0 | true",
        "^1         | 1.9.0 | true",
        "^1         | 2.0.0 | false",
        "^1         | 0.9.0 | false",
        "^1.2       | 1.1.9 | false",
        "^1.2       | 1.2.0 | true",
        "^1.2.3     | 1.2.2 | false",
        "^1.2.3     | 1.9.0 | true",
        "^0.2.3     | 0.2.9 | true",
        "^0.2.3     | 0.3.0 | false",
        "^0.0.3     | 0.0.3 | true",
        "^0.0.3     | 0.0.4 | false",
        "^0         | 0.9.9 | true",
        "^0.0       | 0.1.0 | false",
        // tilde
        "~1.2.3     | 1.2.9 | true",
        "~1.2.3     | 1.3.0 | false",
        "~1.2.3     | 1.2.2 | false",
        "~1.2       | 1.2.0 | true",
        "~1         | 1.8.0 | true",
        "~1         | 2.0.0 | false",
        // ranges
        "'>=1, <2'  | 1.5.0 | true",
        "'>=1, <2'  | 2.0.0 | false",
        "'>=1 <2'   | 0.9.0 | false",
        ">1.2       | 1.2.9 | false",
        ">1.2       | 1.3.0 | true",
        ">1.2.3     | 1.2.4 | true",
        "<=1.2      | 1.2.9 | true",
        "<=1.2      | 1.3.0 | false",
        "<1.2.0     | 1.1.9 | true",
        "<1.2.0     | 1.2.0 | false",
        // wildcards
        "*          | 7.1.0 | true",
        "1.x        | 1.4.0 | true",
        "1.2.*      | 1.3.0 | false",
        // pre-releases only where a comparator names one of the same version
        "^1         | 1.3.0-rc.1 | false",
        "*          | 1.3.0-rc.1 | false",
        "'>=1.3.0-rc.1' | 1.3.0-rc.2 | true",
        "'>=1.3.0-rc.1' | 1.3.0 | true",
        "'>=1.3.0-rc.1' | 1.4.0-rc.1 | false",
        "=1.3.0-rc.1 | 1.3.0-rc.1 | true",
        // build metadata is ignored
        "=1.0.0     | 1.0.0+build.7 | true",
      })
  void matchesLikeCargoWithBareVersionsExact(String requirement, String version, boolean expected) {
    assertThat(VersionRequirement.parse(requirement).matches(SemVer.parse(version)))
        .isEqualTo(expected);
  }

  @Test
  void picksTheHighestMatchingVersion() {
    List<SemVer> versions =
        List.of(SemVer.parse("1.0.0"), SemVer.parse("1.4.2"), SemVer.parse("2.0.0"));

    assertThat(VersionRequirement.parse("^1").highestMatch(versions))
        .contains(SemVer.parse("1.4.2"));
    assertThat(VersionRequirement.parse("=3.0.0").highestMatch(versions)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "", " ", "^", "1.2.3.4", "1.*.3", "01.2", "1.2,", ">=1,,<2", "v1"})
  void rejectsWhatIsNotARequirementSayingWhatWasExpected(String text) {
    assertThatThrownBy(() -> VersionRequirement.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("\"" + text + "\" (expected: " + VersionRequirement.EXPECTED + ")");
  }

  @Test
  void keepsTheTextAsWritten() {
    assertThat(VersionRequirement.parse(" >=1, <2 ")).hasToString(">=1, <2");
  }
}
