package io.wruntime.engine.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConnectionSettingsTest {
  @Test
  void startupOptionsSetTheSchemaAndBothTimeoutsInMilliseconds() {
    ConnectionSettings settings =
        new ConnectionSettings(Duration.ofSeconds(30), Duration.ofMinutes(1));
    assertThat(settings.startupOptions("wr__a__app"))
        .isEqualTo(
            "-c search_path=wr__a__app -c statement_timeout=30000"
                + " -c idle_in_transaction_session_timeout=60000");
  }

  @Test
  void zeroMeansNoTimeoutAndASubMillisecondOneStaysATimeout() {
    assertThat(new ConnectionSettings(Duration.ZERO, Duration.ofNanos(10)).startupOptions("s"))
        .isEqualTo(
            "-c search_path=s -c statement_timeout=0 -c idle_in_transaction_session_timeout=1");
  }

  @Test
  void negativeOrHugeTimeoutsAreRefusedNamingThem() {
    assertThatThrownBy(() -> new ConnectionSettings(Duration.ofSeconds(-1), Duration.ZERO))
        .hasMessage("statementTimeout: PT-1S (expected: zero for none, or up to 2147483647 ms)");
    assertThatThrownBy(() -> new ConnectionSettings(Duration.ZERO, Duration.ofDays(30)))
        .hasMessageStartingWith("idleInTransactionTimeout: PT720H");
  }

  @Test
  void aSchemaThatWouldNotSurviveTheOptionsStringIsRefused() {
    ConnectionSettings settings = ConnectionSettings.NO_TIMEOUTS;
    assertThatThrownBy(() -> settings.startupOptions("a -c role=postgres"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: 1-63 characters of [a-z0-9_]");
  }
}
