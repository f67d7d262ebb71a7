package io.wruntime.cli.modules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AgeTest {
  @Test
  void agesReadAsKubectlWritesThem() {
    assertThat(Age.format(Duration.ofSeconds(52))).isEqualTo("52s");
    assertThat(Age.format(Duration.ofSeconds(119))).isEqualTo("119s");
    assertThat(Age.format(Duration.ofSeconds(303))).isEqualTo("5m3s");
    assertThat(Age.format(Duration.ofMinutes(5))).isEqualTo("5m");
    assertThat(Age.format(Duration.ofMinutes(42))).isEqualTo("42m");
    assertThat(Age.format(Duration.ofMinutes(250))).isEqualTo("4h10m");
    assertThat(Age.format(Duration.ofHours(30))).isEqualTo("30h");
    assertThat(Age.format(Duration.ofHours(75))).isEqualTo("3d3h");
    assertThat(Age.format(Duration.ofDays(12))).isEqualTo("12d");
    assertThat(Age.format(Duration.ofDays(800))).isEqualTo("2y70d");
    assertThat(Age.format(Duration.ofSeconds(-10))).isEqualTo("<invalid>");
  }
}
