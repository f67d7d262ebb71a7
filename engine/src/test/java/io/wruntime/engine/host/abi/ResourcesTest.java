package io.wruntime.engine.host.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ResourcesTest {
  @Test
  void aResourceRefusedByAFullTableIsClosedSinceNothingElseWouldCloseIt() {
    Resources resources = new Resources();
    for (int i = 0; i < Resources.MAX_HANDLES; i++) {
      resources.add(new Object());
    }
    AtomicInteger closed = new AtomicInteger();
    WitResource span =
        new WitResource() {
          @Override
          public String witName() {
            return "wruntime:tracing/span.span";
          }

          @Override
          public void close() {
            closed.incrementAndGet();
          }
        };

    assertThatThrownBy(() -> resources.add(span))
        .isInstanceOf(AbiViolation.class)
        .hasMessage("too many live resource handles (limit: 65536)");
    assertThat(closed).hasValue(1);
  }
}
