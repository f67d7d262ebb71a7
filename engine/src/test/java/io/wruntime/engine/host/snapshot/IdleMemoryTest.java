package io.wruntime.engine.host.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.ref.Cleaner;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class IdleMemoryTest {

  @Test
  void holdsUpToTheLimitAndGivesBackOnClean() {
    long before = IdleMemory.held();
    long room = IdleMemory.LIMIT - before;
    Cleaner.Cleanable all = IdleMemory.hold(new Object(), room);
    assertThat(all).isNotNull();
    assertThat(IdleMemory.held()).isEqualTo(IdleMemory.LIMIT);
    assertThat(IdleMemory.hold(new Object(), 1)).as("past the limit: discard").isNull();

    all.clean();
    assertThat(IdleMemory.held()).isEqualTo(before);
    Cleaner.Cleanable one = IdleMemory.hold(new Object(), 1);
    assertThat(one).isNotNull();
    one.clean();
    one.clean(); // a second clean gives nothing back twice
    assertThat(IdleMemory.held()).isEqualTo(before);
  }

  @Test
  void aHolderNobodyReachesAnyMoreGivesItsBytesBack() {
    long before = IdleMemory.held();
    // The holder of a replaced module's idle instance: unreachable once the module is dropped.
    assertThat(IdleMemory.hold(new Object(), 1 << 20)).isNotNull();
    assertThat(IdleMemory.held()).isEqualTo(before + (1 << 20));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              System.gc();
              return IdleMemory.held() == before;
            });
  }

  @Test
  void nothingToCountIsAlwaysKept() {
    long before = IdleMemory.held();
    assertThat(IdleMemory.hold(new Object(), 0)).isNotNull();
    assertThat(IdleMemory.held()).isEqualTo(before);
  }
}
