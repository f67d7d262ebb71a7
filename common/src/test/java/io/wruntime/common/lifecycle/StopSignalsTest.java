package io.wruntime.common.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;

class StopSignalsTest {
  @Test
  void sigintAndSigtermRequestTheStopAndClosePutsThePreviousHandlingBack() throws Exception {
    CountDownLatch outer = new CountDownLatch(1);
    CountDownLatch inner = new CountDownLatch(2);
    try (StopSignals installed = StopSignals.install(outer::countDown)) {
      try (StopSignals nested = StopSignals.install(inner::countDown)) {
        Signal.raise(new Signal("INT"));
        Signal.raise(new Signal("TERM"));
        assertThat(inner.await(10, TimeUnit.SECONDS)).isTrue();
      }
      // The nested handlers are gone: the first ones answer again.
      Signal.raise(new Signal("TERM"));
      assertThat(outer.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }
}
