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

  @Test
  void aHandleIsNamedAsTheU32TheGuestPassed() {
    Resources resources = new Resources();
    resources.add(new Object());

    // An i32 argument sign-extended to a long: 0x80000000 as -2147483648.
    assertThatThrownBy(() -> resources.get((int) 0x8000_0000, Object.class, "wasi:io/error.error"))
        .isInstanceOf(AbiViolation.class)
        .hasMessage("handle 2147483648 is not a live wasi:io/error.error handle");
    assertThatThrownBy(() -> resources.remove(-1, Object.class, "wasi:io/error.error"))
        .isInstanceOf(AbiViolation.class)
        .hasMessage("handle 4294967295 is not a live wasi:io/error.error handle");
  }
}
