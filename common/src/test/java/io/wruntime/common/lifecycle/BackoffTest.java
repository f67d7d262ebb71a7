package io.wruntime.common.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static void assertWait(Duration wait, long millis) {
    assertThat(wait.toMillis()).isBetween(millis, millis + millis / 5);
  }

  @Test
  void waitsDoubleUpToTheMaxWithAFifthOfJitterAndStartOverAfterAReset() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(350));

    assertWait(backoff.next(), 100);
    assertWait(backoff.next(), 200);
    assertWait(backoff.next(), 350);
    assertWait(backoff.next(), 350);
    backoff.reset();
    assertWait(backoff.next(), 100);
  }

  @Test
  void aMaxBelowTheFirstWaitIsRefused() {
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessage("first: PT2S, max: PT1S (expected: 0 < first <= max)");
  }
}
